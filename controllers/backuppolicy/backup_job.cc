#include "controllers/backuppolicy/backup_job.h"

#include <algorithm>

#include "controllers/common/agent_job.h"
#include "controllers/common/labels.h"
#include "operator/core/duration.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers::backuppolicy {

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string JoinPath(std::string a, const std::string& b) {
  if (b.empty()) return a;
  std::string rest = b;
  while (!rest.empty() && rest.front() == '/') rest.erase(rest.begin());
  if (rest.empty()) return a;
  if (a.empty() || a.back() != '/') a += "/";
  return a + rest;
}

}  // namespace

std::optional<std::string> ResticKeepWithin(const std::string& keep_within) {
  auto d = ParseDuration(keep_within);
  if (!d.ok()) return std::nullopt;
  using std::chrono::hours;
  auto h = std::chrono::duration_cast<hours>(*d);
  if (h < *d) h += hours(1);
  const long long total = h.count();
  if (total <= 0) return std::string("1h");
  std::string out;
  if (total / 24 > 0) out += std::to_string(total / 24) + "d";
  if (total % 24 > 0) out += std::to_string(total % 24) + "h";
  return out;
}

std::vector<SecretKeyNeed> RequiredSecretKeys(const api::BackupPolicySpec& spec) {
  std::vector<SecretKeyNeed> needs = RepositorySecretKeys(spec.repository, "spec.repository");
  if (spec.database) {
    std::vector<SecretKeyNeed> db = ConnectionSecretKeys(spec.database->connection, "spec.database.connection");
    needs.insert(needs.end(), db.begin(), db.end());
  }
  return needs;
}

nlohmann::json BuildBackupJob(const api::BackupPolicy& policy, const BackupRunRequest& run,
                              const std::string& default_image, const WorkloadContexts& workloads) {
  const api::BackupPolicySpec& spec = policy.spec;
  AgentJobSpec job;
  job.name = run.job_name;
  job.ns = policy.metadata.namespace_;
  job.owner = {api::kApiVersion, api::kBackupPolicyKind, policy.metadata.name, policy.metadata.uid};
  job.pod_settings = spec.pod_settings;
  job.default_image = default_image;
  job.labels[kPolicyLabel] = policy.metadata.name;
  job.labels[kTriggerLabel] = run.trigger == kTriggerOnDemand ? "on-demand" : "scheduled";
  job.labels[kComponentLabel] = "backup";
  std::string sources;
  for (const auto& s : run.sources) sources += (sources.empty() ? "" : ",") + s;
  job.annotations[kSourcesAnnotation] = sources;
  if (run.scheduled_time) job.annotations[kScheduledTimeAnnotation] = FormatRfc3339(*run.scheduled_time);
  if (!run.on_demand_token.empty()) job.annotations[kOnDemandTokenAnnotation] = run.on_demand_token;

  auto& args = job.args;
  args = {"agent", "backup", "--backup-id", run.job_name, "--policy", policy.metadata.name, "--run-kind",
          run.trigger == kTriggerOnDemand ? "on-demand" : "scheduled"};
  auto& volumes = job.volumes;
  auto& mounts = job.volume_mounts;
  AddRepository(job, spec.repository);
  AddScratch(job);  // Directory-format dumps.

  // Database.
  if (spec.database && Contains(run.sources, api::kDatabaseSourceName)) {
    const auto& db = *spec.database;
    AddPostgres(job, db.connection);
    if (db.method == "BaseBackup") {
      // The whole cluster over a replication connection (docs/wal-archiving.md); dump settings do not apply.
      args.insert(args.end(), {"--base-backup", "--no-globals"});
    } else {
      for (const auto& name : db.databases) args.insert(args.end(), {"--database", name});
      args.insert(args.end(), {"--format", db.format == "Directory" ? "directory" : "custom"});
      args.insert(args.end(), {"--jobs", std::to_string(db.jobs)});
      if (!db.globals) args.push_back("--no-globals");
      if (db.table_checksums) args.push_back("--table-checksums");
    }
  }

  // Media.
  for (size_t i = 0; i < spec.media.size(); ++i) {
    const auto& m = spec.media[i];
    if (!Contains(run.sources, m.name)) continue;
    const std::string volume = "media-" + std::to_string(i);
    const std::string mount = std::string(kMediaMountRoot) + "/" + m.name;
    volumes.push_back({{"name", volume}, {"persistentVolumeClaim", {{"claimName", m.claim_name}, {"readOnly", true}}}});
    mounts.push_back({{"name", volume}, {"mountPath", mount}, {"readOnly", true}});
    args.insert(args.end(), {"--media", m.name + "=" + JoinPath(mount, m.sub_path)});
    for (const auto& pattern : m.exclude) args.insert(args.end(), {"--media-exclude", m.name + "=" + pattern});
    // The Job runs as the first media source's user; the others are read through their groups.
    std::vector<api::SecurityContext> layers = MediaLayers(m.security_context, std::nullopt, m.workload, workloads);
    if (job.run_as_layers.empty()) {
      job.run_as_layers = std::move(layers);
    } else {
      for (std::int64_t g : MediaGroups(layers)) job.extra_groups.push_back(g);
    }
  }

  // Retention and verification after a successful backup.
  if (spec.retention && !spec.retention->Empty()) {
    const auto& r = *spec.retention;
    auto add = [&](const char* flag, const std::optional<std::int64_t>& v) {
      if (v) args.insert(args.end(), {flag, std::to_string(*v)});
    };
    add("--keep-last", r.keep_last);
    add("--keep-hourly", r.keep_hourly);
    add("--keep-daily", r.keep_daily);
    add("--keep-weekly", r.keep_weekly);
    add("--keep-monthly", r.keep_monthly);
    add("--keep-yearly", r.keep_yearly);
    if (auto within = ResticKeepWithin(r.keep_within); within && !r.keep_within.empty()) {
      args.insert(args.end(), {"--keep-within", *within});
    }
  }
  if (spec.verification && spec.verification->enabled) {
    args.insert(args.end(), {"--check-read-data-subset", spec.verification->read_data_subset});
  }
  return BuildAgentJob(job);
}

}  // namespace lifeboat::controllers::backuppolicy
