#include "controllers/restorerequest/restore_jobs.h"

#include "controllers/common/agent_job.h"
#include "controllers/common/job_naming.h"
#include "controllers/common/job_wiring.h"
#include "controllers/common/labels.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers::restorerequest {
namespace {

constexpr char kRequestLabelKey[] = "lifeboat.dev/restore-request";
constexpr char kStepLabelKey[] = "lifeboat.dev/restore-step";

OwnerRef Owner(const api::RestoreRequest& r) {
  return {api::kApiVersion, api::kRestoreRequestKind, r.metadata.name, r.metadata.uid};
}

AgentJobSpec BaseSpec(const api::RestoreRequest& r, const JobContext& c, const std::string& name, const std::string& step) {
  AgentJobSpec spec;
  spec.name = name;
  spec.ns = r.metadata.namespace_;
  spec.owner = Owner(r);
  spec.labels = {{kRequestLabelKey, r.metadata.name}, {kStepLabelKey, step}, {kComponentLabel, "restore"}};
  spec.pod_settings = r.spec.pod_settings;
  spec.default_image = c.default_image;
  return spec;
}

// Mounts media target `index` at /media/<index> (its subPath, when set). The Job runs as the first
// mounted target's user (run_as.h); the others are reached through their groups.
std::string MountMedia(AgentJobSpec& spec, const api::MediaTarget& m, size_t index, const JobContext& c) {
  std::vector<api::SecurityContext> layers = MediaLayers(m.security_context, m.owner, m.workload, c.workloads);
  if (spec.run_as_layers.empty()) {
    spec.run_as_layers = std::move(layers);
  } else {
    for (std::int64_t g : MediaGroups(layers)) spec.extra_groups.push_back(g);
  }
  std::string volume = "media-" + std::to_string(index);
  std::string path = std::string(kMediaMountRoot) + "/" + std::to_string(index);
  spec.volumes.push_back({{"name", volume}, {"persistentVolumeClaim", {{"claimName", m.claim_name}}}});
  nlohmann::json mount = {{"name", volume}, {"mountPath", path}};
  if (!m.sub_path.empty()) mount["subPath"] = m.sub_path;
  spec.volume_mounts.push_back(mount);
  return path;
}

}  // namespace

std::string CatalogJobName(const std::string& request) { return DeterministicJobName(request, "catalog"); }
std::string SafetyBackupJobName(const std::string& request) { return DeterministicJobName(request, "safety"); }
std::string DatabaseRestoreJobName(const std::string& request) { return DeterministicJobName(request, "restore-db"); }
std::string MediaRestoreJobName(const std::string& request, size_t index) {
  return DeterministicJobName(request, "media-" + std::to_string(index));
}
std::string PostRestoreJobName(const std::string& request, const std::string& job) {
  return DeterministicJobName(request, "post-" + job);
}
std::string VerifyJobName(const std::string& request) { return DeterministicJobName(request, "verify"); }
std::string SwapJobName(const std::string& request) { return DeterministicJobName(request, "swap"); }
std::string RollbackJobName(const std::string& request) { return DeterministicJobName(request, "rollback"); }
std::string DropPreviousJobName(const std::string& request) { return DeterministicJobName(request, "drop-previous"); }

namespace {

std::string DerivedDatabaseName(const std::string& database, const std::string& kind, const std::string& request) {
  constexpr std::size_t kMaxIdentifier = 63;
  std::string full = database + "_" + kind + "_" + request;
  if (full.size() <= kMaxIdentifier) return full;
  std::string hash = StableHash(full).substr(0, 8);
  std::size_t keep = kMaxIdentifier - kind.size() - hash.size() - 2;
  return database.substr(0, keep) + "_" + kind + "_" + hash;
}

}  // namespace

std::string StagingDatabaseName(const std::string& database, const std::string& request) {
  return DerivedDatabaseName(database, "restoring", request);
}
std::string PreviousDatabaseName(const std::string& database, const std::string& request) {
  return DerivedDatabaseName(database, "before", request);
}
std::string FailedDatabaseName(const std::string& database, const std::string& request) {
  return DerivedDatabaseName(database, "failed", request);
}
std::string RequestMarker(const api::RestoreRequest& r) { return r.metadata.namespace_ + "/" + r.metadata.name; }

std::vector<agent::BackupSelection> BackupSelections(const api::RestoreRequestSpec& s) {
  std::vector<agent::BackupSelection> out;
  // A point-in-time recovery chooses its base backup itself (the newest before the target).
  if (s.database && !s.database->PointInTime()) out.push_back({"database", s.database->SourceDatabase(), s.database->backup_id});
  for (const api::MediaTarget& m : s.media) out.push_back({"media", m.source_name, m.backup_id});
  return out;
}

nlohmann::json BuildCatalogJob(const api::RestoreRequest& r, const JobContext& c) {
  AgentJobSpec spec = BaseSpec(r, c, CatalogJobName(r.metadata.name), "validate");
  spec.args = {"agent", "catalog"};
  if (!c.policy_name.empty()) spec.args.insert(spec.args.end(), {"--policy", c.policy_name});
  for (const agent::BackupSelection& selection : BackupSelections(r.spec)) {
    spec.args.insert(spec.args.end(), {"--select", selection.Key()});
  }
  if (r.spec.source.before) spec.args.insert(spec.args.end(), {"--before", FormatRfc3339(*r.spec.source.before)});
  AddRepository(spec, c.repository);
  return BuildAgentJob(spec);
}

bool HasSafetyBackupTargets(const api::RestoreRequestSpec& s) {
  return (s.database && s.database->mode == "Replace") || !s.media.empty();
}

nlohmann::json BuildSafetyBackupJob(const api::RestoreRequest& r, const JobContext& c) {
  if (!HasSafetyBackupTargets(r.spec)) return nullptr;
  std::string name = SafetyBackupJobName(r.metadata.name);
  AgentJobSpec spec = BaseSpec(r, c, name, "safety-backup");
  spec.args = {"agent", "backup", "--backup-id", name, "--policy", kSafetyBackupPolicy, "--run-kind", kSafetyBackupRunKind,
               "--tag", "lifeboat-restore=" + r.metadata.name};
  AddRepository(spec, c.repository);
  if (r.spec.database && r.spec.database->mode == "Replace") {
    spec.args.insert(spec.args.end(), {"--database", r.spec.database->database});
    AddPostgres(spec, r.spec.database->connection);
  }
  for (size_t i = 0; i < r.spec.media.size(); ++i) {
    const api::MediaTarget& m = r.spec.media[i];
    std::string path = MountMedia(spec, m, i, c);
    spec.args.insert(spec.args.end(), {"--media", m.source_name + "=" + path});
  }
  AddScratch(spec);
  return BuildAgentJob(spec);
}

nlohmann::json BuildDatabaseRestoreJob(const api::RestoreRequest& r, const JobContext& c, const std::string& backup_id,
                                       bool safety_backup_done) {
  const api::DatabaseTarget& d = *r.spec.database;
  AgentJobSpec spec = BaseSpec(r, c, DatabaseRestoreJobName(r.metadata.name), "restore-database");
  if (d.PointInTime()) {
    // The policy's base backups and WAL, recovered in the scratch emptyDir (LIFEBOAT_WORK_DIR) by a
    // server of the backup's major version from the image's /usr/lib/postgresql/<major>/bin (the
    // agent's --postgres-root default, as for a drill), run as the Job's non-root user.
    spec.args = {"agent", "restore", "--recovery-target", d.recovery_target, "--policy", c.policy_name};
    for (const std::string& table : d.tables) spec.args.insert(spec.args.end(), {"--table", table});
  } else {
    spec.args = {"agent", "restore", "--backup-id", backup_id};
  }
  spec.args.insert(spec.args.end(), {"--database-source", d.SourceDatabase(), "--target-database", d.database, "--mode",
                                     d.mode, "--jobs", std::to_string(d.jobs), "--request", RequestMarker(r)});
  if (d.mode == "Replace" && !d.ReplacesTables()) spec.args.insert(spec.args.end(), {"--strategy", d.strategy});
  if (!d.InPlace() && !d.ReplacesTables()) {
    spec.args.insert(spec.args.end(), {"--staging-database", StagingDatabaseName(d.database, r.metadata.name)});
  }
  if (!d.owner.empty()) spec.args.insert(spec.args.end(), {"--owner", d.owner});
  if (d.keep_failed && !d.InPlace()) {
    spec.args.insert(spec.args.end(), {"--keep-failed-as", FailedDatabaseName(d.database, r.metadata.name)});
  }
  if (safety_backup_done) spec.args.push_back("--safety-backup-done");
  // The user's SQL checks run later, in the Verify Job (after the post-restore Jobs).
  const api::RestoreVerify& v = r.spec.verify;
  if (!v.row_counts && !v.table_checksums) spec.args.push_back("--no-verify");
  AddRepository(spec, c.repository);
  AddPostgres(spec, d.connection);
  AddScratch(spec);
  return BuildAgentJob(spec);
}

namespace {

// `lifeboat agent swap-database` with the request's names, plus `extra` flags.
nlohmann::json SwapDatabaseJob(const api::RestoreRequest& r, const JobContext& c, const std::string& name,
                               const std::string& step, std::vector<std::string> extra) {
  const api::DatabaseTarget& d = *r.spec.database;
  AgentJobSpec spec = BaseSpec(r, c, name, step);
  spec.args = {"agent", "swap-database", "--database", d.database,
               "--staging", StagingDatabaseName(d.database, r.metadata.name),
               "--previous", PreviousDatabaseName(d.database, r.metadata.name), "--request", RequestMarker(r)};
  spec.args.insert(spec.args.end(), extra.begin(), extra.end());
  AddPostgres(spec, d.connection);
  return BuildAgentJob(spec);
}

}  // namespace

nlohmann::json BuildSwapJob(const api::RestoreRequest& r, const JobContext& c) {
  return SwapDatabaseJob(r, c, SwapJobName(r.metadata.name), "swap-database", {});
}

nlohmann::json BuildRollbackJob(const api::RestoreRequest& r, const JobContext& c, const std::string& safety_backup_id) {
  const api::DatabaseTarget& d = *r.spec.database;
  if (!d.InPlace()) {
    std::vector<std::string> extra = {"--rollback"};
    if (d.keep_failed) extra.insert(extra.end(), {"--keep-failed-as", FailedDatabaseName(d.database, r.metadata.name)});
    return SwapDatabaseJob(r, c, RollbackJobName(r.metadata.name), "rollback", extra);
  }
  // InPlace: the database was dropped; the safety backup (source = the database's name) goes back in.
  AgentJobSpec spec = BaseSpec(r, c, RollbackJobName(r.metadata.name), "rollback");
  spec.args = {"agent", "restore", "--backup-id", safety_backup_id, "--database-source", d.database,
               "--target-database", d.database, "--mode", "Replace", "--strategy", api::kStrategyInPlace,
               "--safety-backup-done", "--jobs", std::to_string(d.jobs), "--request", RequestMarker(r)};
  AddRepository(spec, c.repository);
  AddPostgres(spec, d.connection);
  AddScratch(spec);
  return BuildAgentJob(spec);
}

nlohmann::json BuildDropPreviousJob(const api::RestoreRequest& r, const JobContext& c) {
  return SwapDatabaseJob(r, c, DropPreviousJobName(r.metadata.name), "drop-previous", {"--drop-previous"});
}

nlohmann::json BuildVerifyJob(const api::RestoreRequest& r, const JobContext& c) {
  const api::DatabaseTarget& d = *r.spec.database;
  AgentJobSpec spec = BaseSpec(r, c, VerifyJobName(r.metadata.name), "verify");
  spec.args = {"agent", "verify", "--database", d.database, "--checks-json", ChecksJson(r.spec.verify.sql)};
  AddPostgres(spec, d.connection);
  return BuildAgentJob(spec);
}

nlohmann::json BuildMediaRestoreJob(const api::RestoreRequest& r, const JobContext& c, size_t index,
                                    const std::string& backup_id, bool safety_backup_done) {
  const api::MediaTarget& m = r.spec.media.at(index);
  AgentJobSpec spec = BaseSpec(r, c, MediaRestoreJobName(r.metadata.name, index), "restore-media");
  std::string path = MountMedia(spec, m, index, c);
  spec.args = {"agent",         "restore",   "--backup-id",  backup_id, "--media-source",
               m.source_name,   "--media-target", path,      "--media-mode", m.mode};
  if (safety_backup_done) spec.args.push_back("--safety-backup-done");
  if (!r.spec.verify.file_checksums) spec.args.push_back("--no-verify");
  if (m.owner) spec.args.insert(spec.args.end(), {"--media-owner", std::to_string(m.owner->uid) + ":" + std::to_string(m.owner->gid)});
  AddRepository(spec, c.repository);
  AddScratch(spec);
  return BuildAgentJob(spec);
}

nlohmann::json BuildPostRestoreJob(const api::RestoreRequest& r, size_t index) {
  const api::PostRestoreJob& p = r.spec.post_restore.at(index);
  AgentJobSpec spec;
  spec.name = PostRestoreJobName(r.metadata.name, p.name);
  spec.ns = r.metadata.namespace_;
  spec.owner = Owner(r);
  spec.labels = {{kRequestLabelKey, r.metadata.name}, {kStepLabelKey, "post-restore"}, {kComponentLabel, "restore"}};
  spec.annotations = {{"lifeboat.dev/post-restore-job", p.name}};
  spec.pod_settings.service_account_name = p.service_account_name;
  spec.pod_settings.backoff_limit = p.backoff_limit;
  spec.pod_settings.active_deadline_seconds = p.active_deadline_seconds;
  spec.default_image = p.image;
  for (const api::EnvVar& e : p.env) {
    if (e.value) {
      spec.env.push_back(ValueEnv(e.name, *e.value));
    } else if (e.secret_key_ref) {
      spec.env.push_back(SecretEnv(e.name, e.secret_key_ref->name, e.secret_key_ref->key));
    } else if (e.config_map_key_ref) {
      spec.env.push_back({{"name", e.name},
                          {"valueFrom", {{"configMapKeyRef", {{"name", e.config_map_key_ref->name}, {"key", e.config_map_key_ref->key}}}}}});
    }
  }
  nlohmann::json job = BuildAgentJob(spec);
  nlohmann::json& container = job["spec"]["template"]["spec"]["containers"][0];
  container["name"] = "post-restore";
  if (p.command.empty()) {
    container.erase("command");
  } else {
    container["command"] = p.command;
  }
  container["args"] = p.args;
  nlohmann::json env_from = nlohmann::json::array();
  for (const std::string& s : p.env_from_secrets) env_from.push_back({{"secretRef", {{"name", s}}}});
  for (const std::string& s : p.env_from_config_maps) env_from.push_back({{"configMapRef", {{"name", s}}}});
  if (!env_from.empty()) container["envFrom"] = env_from;
  return job;
}

std::vector<SecretKeyNeed> RequiredSecretKeys(const api::RestoreRequestSpec& s, const api::Repository& repo,
                                              const std::string& repository_field) {
  std::vector<SecretKeyNeed> needs = RepositorySecretKeys(repo, repository_field);
  if (s.database) {
    std::vector<SecretKeyNeed> db = ConnectionSecretKeys(s.database->connection, "spec.database.connection");
    needs.insert(needs.end(), db.begin(), db.end());
  }
  for (size_t i = 0; i < s.post_restore.size(); ++i) {
    for (const api::EnvVar& e : s.post_restore[i].env) {
      if (e.secret_key_ref) {
        needs.push_back({e.secret_key_ref->name, e.secret_key_ref->key, "spec.postRestore[" + std::to_string(i) + "].env"});
      }
    }
  }
  return needs;
}

}  // namespace lifeboat::controllers::restorerequest
