#include "operator/api/restore_request.h"

#include <algorithm>
#include <cctype>

#include <set>

#include "operator/api/validation.h"
#include "operator/core/duration.h"
#include "operator/core/recovery_target.h"

namespace lifeboat::api {

bool RestoreRequestSpec::SafetyBackupEnabled() const {
  if (safety_backup_enabled) return *safety_backup_enabled;
  if (database && database->mode == "Replace") return true;
  for (const MediaTarget& m : media) {
    if (m.mode == "Replace") return true;
  }
  return false;
}

std::vector<std::string> RestoreRequestSpec::Steps() const {
  if (database && database->Swaps()) {
    return {kStepValidate,     kStepRestoreDatabase, kStepQuiesce, kStepSafetyBackup, kStepSwapDatabase,
            kStepRestoreMedia, kStepPostRestore,     kStepVerify,  kStepRollBack,     kStepResume};
  }
  return {kStepValidate, kStepQuiesce, kStepSafetyBackup, kStepRestoreDatabase, kStepRestoreMedia,
          kStepPostRestore, kStepVerify, kStepRollBack, kStepResume};
}

std::vector<std::string> RestoreRequestSpec::TargetKeys() const {
  std::vector<std::string> keys;
  if (database) keys.push_back("database/" + database->connection.host + ":" + std::to_string(database->connection.port) + "/" + database->database);
  for (const MediaTarget& m : media) keys.push_back("media/" + m.claim_name + (m.sub_path.empty() ? "" : "/" + m.sub_path));
  return keys;
}

RestoreRequest ParseRestoreRequest(const nlohmann::json& object, FieldErrors* errors) {
  RestoreRequest request;
  CheckTypeMeta(object, kRestoreRequestKind, errors);
  request.metadata = ParseObjectMeta(object, errors);
  FieldReader root(object, "", errors);
  if (std::optional<FieldReader> r = root.Object("spec", true)) {
    RestoreRequestSpec& spec = request.spec;
    if (std::optional<FieldReader> s = r->Object("source", true)) {
      if (std::optional<FieldReader> ref = s->Object("policyRef")) spec.source.policy_name = ref->String("name", true).value_or("");
      if (std::optional<FieldReader> repo = s->Object("repository")) spec.source.repository = ParseRepository(*repo);
      spec.source.before = s->Time("before");
      if (!s->Has("policyRef") && !s->Has("repository")) {
        errors->Required("spec.source", "set spec.source.policyRef (a BackupPolicy) or spec.source.repository (inline)");
      } else if (s->Has("policyRef") && s->Has("repository")) {
        errors->Forbidden("spec.source", "set only one of spec.source.policyRef or spec.source.repository");
      }
    }
    if (std::optional<FieldReader> d = r->Object("database")) {
      DatabaseTarget t;
      if (std::optional<FieldReader> c = d->Object("connection", true)) t.connection = ParseConnection(*c);
      t.database = d->String("database", true).value_or("");
      t.source_database = d->String("sourceDatabase").value_or("");
      t.mode = d->Enum("mode", {"NewDatabase", "Replace"}).value_or("NewDatabase");
      t.confirm = d->String("confirm").value_or("");
      t.backup_id = d->String("backupID").value_or("");
      t.jobs = d->Int("jobs").value_or(2);
      t.strategy = d->Enum("strategy", {kStrategySwap, kStrategyInPlace}).value_or(kStrategySwap);
      t.owner = d->String("owner").value_or("");
      t.keep_previous_for = d->String("keepPreviousFor").value_or("24h");
      t.keep_failed = d->Bool("keepFailed").value_or(false);
      t.recovery_target = d->String("recoveryTarget").value_or("");
      t.tables = d->StringList("tables");
      spec.database = t;
    }
    for (const FieldReader& m : r->ObjectList("media")) {
      MediaTarget t;
      t.source_name = m.String("sourceName", true).value_or("");
      t.claim_name = m.String("claimName", true).value_or("");
      t.sub_path = m.String("subPath").value_or("");
      t.mode = m.Enum("mode", {"Merge", "Replace"}).value_or("Merge");
      t.backup_id = m.String("backupID").value_or("");
      if (std::optional<FieldReader> c = m.Object("securityContext")) t.security_context = ParseSecurityContext(*c);
      if (std::optional<FieldReader> w = m.Object("workload")) t.workload = ParseWorkloadRef(*w);
      if (std::optional<FieldReader> o = m.Object("owner")) t.owner = ParseFileOwner(*o);
      spec.media.push_back(t);
    }
    if (std::optional<FieldReader> q = r->Object("quiesce")) {
      Quiesce quiesce;
      for (const FieldReader& w : q->ObjectList("workloads", true)) quiesce.workloads.push_back(ParseWorkloadRef(w));
      quiesce.timeout_seconds = q->Int("timeoutSeconds").value_or(300);
      spec.quiesce = quiesce;
    }
    if (std::optional<FieldReader> sb = r->Object("safetyBackup")) spec.safety_backup_enabled = sb->Bool("enabled");
    if (std::optional<FieldReader> pr = r->Object("postRestore")) {
      for (const FieldReader& j : pr->ObjectList("jobs", true)) {
        PostRestoreJob job;
        job.name = j.String("name", true).value_or("");
        job.image = j.String("image", true).value_or("");
        job.command = j.StringList("command");
        job.args = j.StringList("args");
        for (const FieldReader& e : j.ObjectList("env")) {
          EnvVar var;
          var.name = e.String("name", true).value_or("");
          var.value = e.String("value");
          if (std::optional<FieldReader> from = e.Object("valueFrom")) {
            if (std::optional<FieldReader> s = from->Object("secretKeyRef")) var.secret_key_ref = ParseSecretKeyRef(*s, "");
            if (std::optional<FieldReader> c = from->Object("configMapKeyRef")) var.config_map_key_ref = ParseSecretKeyRef(*c, "");
          }
          job.env.push_back(std::move(var));
        }
        for (const FieldReader& e : j.ObjectList("envFrom")) {
          if (std::optional<FieldReader> s = e.Object("secretRef")) job.env_from_secrets.push_back(s->String("name", true).value_or(""));
          if (std::optional<FieldReader> c = e.Object("configMapRef")) job.env_from_config_maps.push_back(c->String("name", true).value_or(""));
        }
        job.service_account_name = j.String("serviceAccountName").value_or("");
        job.active_deadline_seconds = j.Int("activeDeadlineSeconds").value_or(600);
        job.backoff_limit = j.Int("backoffLimit").value_or(0);
        spec.post_restore.push_back(std::move(job));
      }
    }
    if (std::optional<FieldReader> v = r->Object("verify")) {
      spec.verify.row_counts = v->Bool("rowCounts").value_or(true);
      spec.verify.table_checksums = v->Bool("tableChecksums").value_or(true);
      spec.verify.file_checksums = v->Bool("fileChecksums").value_or(true);
      spec.verify.sql = ParseSqlChecks(*v, "sql");
    }
    if (std::optional<FieldReader> p = r->Object("podSettings")) spec.pod_settings = ParsePodSettings(*p);
  }
  if (root.Has("status")) request.status = ParseRestoreRequestStatus(object.at("status"), errors);
  return request;
}

namespace {

// "schema.table" or "table": unquoted PostgreSQL identifiers (letters, digits, _ and $, not
// starting with a digit), at most 63 characters each.
bool IsTableName(const std::string& name) {
  auto identifier = [](const std::string& part) {
    if (part.empty() || part.size() > 63) return false;
    if (!(std::isalpha(static_cast<unsigned char>(part[0])) || part[0] == '_')) return false;
    return std::all_of(part.begin(), part.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
    });
  };
  auto dot = name.find('.');
  if (dot == std::string::npos) return identifier(name);
  return identifier(name.substr(0, dot)) && identifier(name.substr(dot + 1));
}

// spec.database.recoveryTarget and spec.database.tables.
void ValidatePointInTime(const RestoreRequestSpec& spec, FieldErrors* errors) {
  const DatabaseTarget& d = *spec.database;
  if (d.PointInTime()) {
    auto target = ParseRecoveryTarget(d.recovery_target);
    if (!target.ok()) {
      errors->Invalid("spec.database.recoveryTarget", Quote(d.recovery_target),
                      "must be \"latest\", an RFC 3339 time such as 2026-11-22T06:00:00Z, or lsn:X/Y (hexadecimal)");
    }
    if (!d.backup_id.empty()) {
      errors->Forbidden("spec.database.recoveryTarget",
                        "set only one of spec.database.backupID (a dump) or spec.database.recoveryTarget (a "
                        "point-in-time recovery)");
    }
    if (spec.source.policy_name.empty()) {
      errors->Required("spec.source.policyRef",
                       "a point-in-time recovery replays the WAL a BackupPolicy with method BaseBackup archived; "
                       "name that policy in spec.source.policyRef");
    }
  } else if (!d.tables.empty()) {
    errors->Forbidden("spec.database.tables",
                      "single tables are restored from a point-in-time recovery: set spec.database.recoveryTarget "
                      "(for example latest)");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < d.tables.size(); ++i) {
    const std::string path = "spec.database.tables[" + std::to_string(i) + "]";
    if (!IsTableName(d.tables[i])) {
      errors->Invalid(path, Quote(d.tables[i]),
                      "must be schema.table or table (in public): unquoted identifiers of letters, digits, _ and $, "
                      "not starting with a digit, at most 63 characters each");
    } else if (!seen.insert(d.tables[i]).second) {
      errors->Duplicate(path, Quote(d.tables[i]));
    }
  }
}

}  // namespace

void ValidateRestoreRequestSpec(const RestoreRequestSpec& spec, FieldErrors* errors) {
  if (!spec.source.policy_name.empty()) ValidateDnsSubdomain(spec.source.policy_name, "spec.source.policyRef.name", errors);
  if (spec.source.repository) ValidateRepository(*spec.source.repository, "spec.source.repository", errors);
  if (!spec.database && spec.media.empty()) {
    errors->Required("spec", "set spec.database, spec.media or both: a restore needs a target");
  }
  if (spec.database) {
    const DatabaseTarget& d = *spec.database;
    ValidateConnection(d.connection, "spec.database.connection", errors);
    if (d.database.size() > 63) errors->Invalid("spec.database.database", Quote(d.database), "must be at most 63 characters");
    if (d.mode == "Replace" && !d.database.empty()) {
      if (d.confirm.empty()) {
        errors->Required("spec.database.confirm",
                         "mode Replace overwrites database " + Quote(d.database) + "; set confirm to " + Quote(d.database) +
                             " to proceed");
      } else if (d.confirm != d.database) {
        errors->Invalid("spec.database.confirm", Quote(d.confirm),
                        "must equal spec.database.database (" + Quote(d.database) + ") to replace it");
      }
    }
    if (d.jobs < 1 || d.jobs > 32) errors->Invalid("spec.database.jobs", std::to_string(d.jobs), "must be between 1 and 32, inclusive");
    if (d.owner.size() > 63) errors->Invalid("spec.database.owner", Quote(d.owner), "must be at most 63 characters");
    ValidatePointInTime(spec, errors);
    auto keep = ParseDuration(d.keep_previous_for);
    if (!keep.ok()) {
      errors->Invalid("spec.database.keepPreviousFor", Quote(d.keep_previous_for), "must be a duration such as 24h, 90m or 0s");
    } else if (*keep < Duration::zero()) {
      errors->Invalid("spec.database.keepPreviousFor", Quote(d.keep_previous_for), "must not be negative");
    }
  }
  // A Swap keeps the replaced database (keepPreviousFor), which is a way back of its own; an InPlace
  // Replace, or a media Replace, has only the safety backup.
  const bool overwrites = (spec.database && (spec.database->InPlace() || spec.database->ReplacesTables())) ||
                          std::any_of(spec.media.begin(), spec.media.end(), [](const MediaTarget& m) { return m.mode == "Replace"; });
  auto keep_previous = spec.database ? ParseDuration(spec.database->keep_previous_for) : StatusOr<Duration>(Duration::zero());
  const bool keeps_previous = spec.database && spec.database->Swaps() && keep_previous.ok() && *keep_previous > Duration::zero();
  if (spec.safety_backup_enabled == false && (overwrites || (spec.database && spec.database->Swaps() && !keeps_previous))) {
    errors->Forbidden("spec.safetyBackup.enabled",
                      "a Replace restore that keeps no copy of what it replaces (strategy InPlace, media mode Replace, or "
                      "keepPreviousFor: 0s) always takes a safety backup first, so nothing is overwritten without a way "
                      "back; remove enabled: false, or restore with mode NewDatabase / Merge");
  }
  std::set<std::string> targets;
  for (size_t i = 0; i < spec.media.size(); ++i) {
    const MediaTarget& m = spec.media[i];
    const std::string path = "spec.media[" + std::to_string(i) + "]";
    if (!m.source_name.empty()) ValidateDnsLabel(m.source_name, path + ".sourceName", errors);
    if (!m.claim_name.empty()) ValidateDnsSubdomain(m.claim_name, path + ".claimName", errors);
    ValidateSubPath(m.sub_path, path + ".subPath", errors);
    if (!m.claim_name.empty() && !targets.insert(m.claim_name + "/" + m.sub_path).second) {
      errors->Duplicate(path, Quote(m.claim_name + (m.sub_path.empty() ? "" : "/" + m.sub_path)));
    }
    if (m.security_context) ValidateSecurityContext(*m.security_context, path + ".securityContext", errors);
    if (m.workload && !m.workload->name.empty()) ValidateDnsSubdomain(m.workload->name, path + ".workload.name", errors);
    if (m.owner) ValidateFileOwner(*m.owner, path + ".owner", errors);
  }
  if (spec.quiesce) {
    ValidateWorkloads(spec.quiesce->workloads, "spec.quiesce.workloads", errors);
    if (spec.quiesce->timeout_seconds < 1 || spec.quiesce->timeout_seconds > 3600) {
      errors->Invalid("spec.quiesce.timeoutSeconds", std::to_string(spec.quiesce->timeout_seconds),
                      "must be between 1 and 3600, inclusive");
    }
  }
  std::set<std::string> job_names;
  for (size_t i = 0; i < spec.post_restore.size(); ++i) {
    const PostRestoreJob& job = spec.post_restore[i];
    const std::string path = "spec.postRestore.jobs[" + std::to_string(i) + "]";
    if (!job.name.empty() && ValidateDnsLabel(job.name, path + ".name", errors)) {
      if (job.name.size() > 40) errors->Invalid(path + ".name", Quote(job.name), "must be at most 40 characters");
      else if (!job_names.insert(job.name).second) errors->Duplicate(path + ".name", Quote(job.name));
    }
    for (size_t k = 0; k < job.env.size(); ++k) {
      const EnvVar& var = job.env[k];
      const std::string env_path = path + ".env[" + std::to_string(k) + "]";
      int sources = (var.value ? 1 : 0) + (var.secret_key_ref ? 1 : 0) + (var.config_map_key_ref ? 1 : 0);
      if (sources > 1) errors->Forbidden(env_path, "set only one of value, valueFrom.secretKeyRef, valueFrom.configMapKeyRef");
    }
    if (job.active_deadline_seconds < 1) {
      errors->Invalid(path + ".activeDeadlineSeconds", std::to_string(job.active_deadline_seconds), "must be at least 1");
    }
  }
  ValidateSqlChecks(spec.verify.sql, "spec.verify.sql", errors);
  if (!spec.verify.sql.empty() && !spec.database) {
    errors->Required("spec.database", "spec.verify.sql runs on the restored database's server (spec.database.connection)");
  }
  ValidatePodSettings(spec.pod_settings, "spec.podSettings", errors);
}

FieldErrors CheckRestoreRequest(const nlohmann::json& object, RestoreRequest* out) {
  FieldErrors errors;
  RestoreRequest request = ParseRestoreRequest(object, &errors);
  ValidateRestoreRequestSpec(request.spec, &errors);
  if (out != nullptr) *out = std::move(request);
  return errors;
}

std::string SpecChangeAfterStart(const RestoreRequest& request) {
  if (!request.status.started_generation) return "";
  if (request.metadata.generation == *request.status.started_generation) return "";
  return "The spec changed after the restore started (generation " + std::to_string(request.metadata.generation) +
         ", started with " + std::to_string(*request.status.started_generation) +
         "); the change is ignored. Create a new RestoreRequest to restore differently";
}

nlohmann::json RestoreRequestStatusToJson(const RestoreRequestStatus& status) {
  nlohmann::json j = nlohmann::json::object();
  PutInt(j, "observedGeneration", status.observed_generation);
  PutInt(j, "startedGeneration", status.started_generation);
  if (status.started_spec) j["startedSpec"] = *status.started_spec;
  PutString(j, "phase", status.phase);
  PutString(j, "currentStep", status.current_step);
  if (!status.conditions.empty()) j["conditions"] = ConditionsToJson(status.conditions);
  PutTime(j, "startTime", status.start_time);
  PutTime(j, "completionTime", status.completion_time);
  PutString(j, "duration", status.duration);
  if (!status.steps.empty()) j["steps"] = StepsToJson(status.steps);
  if (!status.quiesced_workloads.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const QuiescedWorkload& w : status.quiesced_workloads) {
      list.push_back({{"kind", w.kind}, {"name", w.name}, {"replicas", w.replicas}});
    }
    j["quiescedWorkloads"] = std::move(list);
  }
  if (!status.safety_backups.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const BackupRef& b : status.safety_backups) list.push_back(BackupRefToJson(b));
    j["safetyBackups"] = std::move(list);
  }
  if (!status.restored_backups.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const RestoredBackup& b : status.restored_backups) {
      list.push_back({{"target", b.target}, {"backup", BackupRefToJson(b.backup)}});
    }
    j["restoredBackups"] = std::move(list);
  }
  PutString(j, "backupAge", status.backup_age);
  if (!status.checks.empty()) j["checks"] = CheckResultsToJson(status.checks);
  if (!status.roles_created.empty()) j["rolesCreated"] = status.roles_created;
  if (status.previous_database) {
    const PreviousDatabase& p = *status.previous_database;
    nlohmann::json previous = {{"name", p.name}};
    PutTime(previous, "keepUntil", p.keep_until);
    PutTime(previous, "droppedTime", p.dropped_time);
    PutString(previous, "message", p.message);
    j["previousDatabase"] = std::move(previous);
  }
  if (status.recovery) {
    const RecoveryStatus& r = *status.recovery;
    nlohmann::json recovery = {{"target", r.target}};
    PutString(recovery, "reachedTime", r.reached_time);
    PutString(recovery, "reachedLSN", r.reached_lsn);
    PutString(recovery, "baseBackupID", r.base_backup_id);
    PutString(recovery, "baseBackupTime", r.base_backup_time);
    PutString(recovery, "lastRecoverableTime", r.last_recoverable_time);
    if (r.wal_snapshots > 0) recovery["walSnapshots"] = r.wal_snapshots;
    if (!r.tables.empty()) recovery["tables"] = r.tables;
    j["recovery"] = std::move(recovery);
  }
  return j;
}

RestoreRequestStatus ParseRestoreRequestStatus(const nlohmann::json& json, FieldErrors* errors) {
  RestoreRequestStatus status;
  FieldReader r(json, "status", errors);
  status.observed_generation = r.Int("observedGeneration");
  status.started_generation = r.Int("startedGeneration");
  if (json.contains("startedSpec")) {
    if (json["startedSpec"].is_object()) {
      status.started_spec = json["startedSpec"];
    } else {
      errors->Invalid("status.startedSpec", "", "must be an object");
    }
  }
  status.phase = r.Enum("phase", {"Pending", "Waiting", "Running", "Succeeded", "Failed"}).value_or("");
  status.current_step = r.String("currentStep").value_or("");
  status.conditions = ParseConditions(r, "conditions");
  status.start_time = r.Time("startTime");
  status.completion_time = r.Time("completionTime");
  status.duration = r.String("duration").value_or("");
  status.steps = ParseSteps(r, "steps");
  for (const FieldReader& w : r.ObjectList("quiescedWorkloads")) {
    status.quiesced_workloads.push_back({w.Enum("kind", {"Deployment", "StatefulSet"}, true).value_or(""),
                                         w.String("name", true).value_or(""), w.Int("replicas", true).value_or(0)});
  }
  for (const FieldReader& b : r.ObjectList("safetyBackups")) status.safety_backups.push_back(ParseBackupRef(b));
  for (const FieldReader& b : r.ObjectList("restoredBackups")) {
    RestoredBackup restored;
    restored.target = b.String("target", true).value_or("");
    if (std::optional<FieldReader> ref = b.Object("backup")) restored.backup = ParseBackupRef(*ref);
    status.restored_backups.push_back(std::move(restored));
  }
  status.backup_age = r.String("backupAge").value_or("");
  status.checks = ParseCheckResults(r, "checks");
  if (json.contains("rolesCreated") && json["rolesCreated"].is_array()) {
    for (const auto& role : json["rolesCreated"]) {
      if (role.is_string()) status.roles_created.push_back(role.get<std::string>());
    }
  }
  if (std::optional<FieldReader> p = r.Object("previousDatabase")) {
    PreviousDatabase previous;
    previous.name = p->String("name", true).value_or("");
    previous.keep_until = p->Time("keepUntil");
    previous.dropped_time = p->Time("droppedTime");
    previous.message = p->String("message").value_or("");
    status.previous_database = previous;
  }
  if (std::optional<FieldReader> p = r.Object("recovery")) {
    RecoveryStatus recovery;
    recovery.target = p->String("target").value_or("");
    recovery.reached_time = p->String("reachedTime").value_or("");
    recovery.reached_lsn = p->String("reachedLSN").value_or("");
    recovery.base_backup_id = p->String("baseBackupID").value_or("");
    recovery.base_backup_time = p->String("baseBackupTime").value_or("");
    recovery.last_recoverable_time = p->String("lastRecoverableTime").value_or("");
    recovery.wal_snapshots = p->Int("walSnapshots").value_or(0);
    recovery.tables = p->StringList("tables");
    status.recovery = recovery;
  }
  return status;
}

}  // namespace lifeboat::api
