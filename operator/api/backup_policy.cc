#include "operator/api/backup_policy.h"

#include <regex>
#include <set>

#include "operator/api/validation.h"
#include "operator/core/cron.h"
#include "operator/core/time_format.h"

namespace lifeboat::api {
namespace {

DatabaseSource ParseDatabaseSource(const FieldReader& r) {
  DatabaseSource d;
  d.method = r.Enum("method", {"Dump", "BaseBackup"}).value_or("Dump");
  if (std::optional<FieldReader> c = r.Object("connection", true)) d.connection = ParseConnection(*c);
  d.databases = r.StringList("databases");  // Required for Dump (validation); a base backup takes every database.
  if (std::optional<FieldReader> w = r.Object("walArchiving")) {
    d.wal_archiving.upload_interval = w->String("uploadInterval").value_or("60s");
    d.wal_archiving.slot_name = w->String("slotName").value_or("");
    d.wal_archiving.buffer_size = w->String("bufferSize").value_or("1Gi");
  }
  d.format = r.Enum("format", {"Custom", "Directory"}).value_or("Custom");
  d.jobs = r.Int("jobs").value_or(1);
  d.globals = r.Bool("globals").value_or(true);
  d.table_checksums = r.Bool("tableChecksums").value_or(false);
  d.schedule = r.String("schedule").value_or("");
  d.target_rpo = r.String("targetRPO").value_or("");
  return d;
}

MediaSource ParseMediaSource(const FieldReader& r) {
  MediaSource m;
  m.name = r.String("name", true).value_or("");
  m.claim_name = r.String("claimName", true).value_or("");
  m.sub_path = r.String("subPath").value_or("");
  m.exclude = r.StringList("exclude");
  m.schedule = r.String("schedule").value_or("");
  m.target_rpo = r.String("targetRPO").value_or("");
  if (std::optional<FieldReader> c = r.Object("securityContext")) m.security_context = ParseSecurityContext(*c);
  if (std::optional<FieldReader> w = r.Object("workload")) m.workload = ParseWorkloadRef(*w);
  return m;
}

Retention ParseRetention(const FieldReader& r) {
  Retention ret;
  ret.keep_last = r.Int("keepLast");
  ret.keep_hourly = r.Int("keepHourly");
  ret.keep_daily = r.Int("keepDaily");
  ret.keep_weekly = r.Int("keepWeekly");
  ret.keep_monthly = r.Int("keepMonthly");
  ret.keep_yearly = r.Int("keepYearly");
  ret.keep_within = r.String("keepWithin").value_or("");
  return ret;
}

// The shortest interval between consecutive runs of `schedule` (over its next runs from a fixed
// reference time, so the answer does not depend on when validation runs), or nullopt.
std::optional<Duration> ShortestInterval(const std::string& schedule, const std::string& zone) {
  StatusOr<CronSchedule> parsed = CronSchedule::Parse(schedule, zone);
  if (!parsed.ok()) return std::nullopt;
  StatusOr<WallTime> reference = ParseRfc3339("2026-01-01T00:00:00Z");
  std::optional<WallTime> previous = parsed->Next(*reference);
  std::optional<Duration> shortest;
  for (int i = 0; i < 60 && previous; ++i) {
    std::optional<WallTime> next = parsed->Next(*previous);
    if (!next) break;
    Duration gap = std::chrono::duration_cast<Duration>(*next - *previous);
    if (!shortest || gap < *shortest) shortest = gap;
    previous = next;
  }
  return shortest;
}

void ValidateCount(const std::optional<std::int64_t>& value, const std::string& path, std::int64_t min,
                   std::int64_t max, FieldErrors* errors) {
  if (value && (*value < min || *value > max)) {
    errors->Invalid(path, std::to_string(*value),
                    "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", inclusive");
  }
}

}  // namespace

std::vector<BackupPolicySpec::SourceSchedule> BackupPolicySpec::Sources() const {
  std::vector<SourceSchedule> sources;
  auto pick = [](const std::string& own, const std::string& fallback) { return own.empty() ? fallback : own; };
  if (database) {
    sources.push_back({kDatabaseSourceName, "Database", pick(database->schedule, schedule), pick(database->target_rpo, target_rpo)});
  }
  for (const MediaSource& m : media) sources.push_back({m.name, "Media", pick(m.schedule, schedule), pick(m.target_rpo, target_rpo)});
  return sources;
}

BackupPolicy ParseBackupPolicy(const nlohmann::json& object, FieldErrors* errors) {
  BackupPolicy policy;
  CheckTypeMeta(object, kBackupPolicyKind, errors);
  policy.metadata = ParseObjectMeta(object, errors);
  FieldReader root(object, "", errors);
  if (std::optional<FieldReader> r = root.Object("spec", true)) {
    BackupPolicySpec& spec = policy.spec;
    spec.schedule = r->String("schedule", true).value_or("");
    spec.time_zone = r->String("timeZone").value_or("UTC");
    spec.suspend = r->Bool("suspend").value_or(false);
    spec.starting_deadline_seconds = r->Int("startingDeadlineSeconds");
    spec.concurrency_policy = r->Enum("concurrencyPolicy", {"Forbid", "Replace"}).value_or("Forbid");
    if (std::optional<FieldReader> d = r->Object("database")) spec.database = ParseDatabaseSource(*d);
    for (const FieldReader& m : r->ObjectList("media")) spec.media.push_back(ParseMediaSource(m));
    if (std::optional<FieldReader> repo = r->Object("repository", true)) spec.repository = ParseRepository(*repo);
    if (std::optional<FieldReader> ret = r->Object("retention")) spec.retention = ParseRetention(*ret);
    if (std::optional<FieldReader> v = r->Object("verification")) {
      Verification verification;
      verification.enabled = v->Bool("enabled").value_or(true);
      verification.read_data_subset = v->String("readDataSubset").value_or("5%");
      spec.verification = verification;
    }
    spec.target_rpo = r->String("targetRPO").value_or("");
    if (std::optional<FieldReader> p = r->Object("podSettings")) spec.pod_settings = ParsePodSettings(*p);
    spec.history_limit = r->Int("historyLimit").value_or(20);
    spec.successful_jobs_history_limit = r->Int("successfulJobsHistoryLimit").value_or(3);
    spec.failed_jobs_history_limit = r->Int("failedJobsHistoryLimit").value_or(3);
  }
  if (root.Has("status")) policy.status = ParseBackupPolicyStatus(object.at("status"), errors);
  return policy;
}

void ValidateBackupPolicySpec(const BackupPolicySpec& spec, FieldErrors* errors) {
  bool zone_ok = ValidateTimeZone(spec.time_zone, "spec.timeZone", errors);
  const std::string zone = zone_ok ? spec.time_zone : "";
  if (!spec.schedule.empty()) ValidateSchedule(spec.schedule, zone, "spec.schedule", errors);
  if (spec.starting_deadline_seconds && *spec.starting_deadline_seconds < 0) {
    errors->Invalid("spec.startingDeadlineSeconds", std::to_string(*spec.starting_deadline_seconds),
                    "must be greater than or equal to 0");
  }
  if (!spec.database && spec.media.empty()) {
    errors->Required("spec", "set spec.database, spec.media or both: a policy needs something to back up");
  }
  if (spec.database) {
    const DatabaseSource& d = *spec.database;
    ValidateConnection(d.connection, "spec.database.connection", errors);
    std::set<std::string> names;
    for (size_t i = 0; i < d.databases.size(); ++i) {
      const std::string path = "spec.database.databases[" + std::to_string(i) + "]";
      if (d.databases[i].empty()) errors->Required(path);
      else if (d.databases[i].size() > 63) errors->Invalid(path, Quote(d.databases[i]), "must be at most 63 characters");
      else if (!names.insert(d.databases[i]).second) errors->Duplicate(path, Quote(d.databases[i]));
    }
    ValidateCount(d.jobs, "spec.database.jobs", 1, 32, errors);
    if (d.jobs > 1 && d.format != "Directory") {
      errors->Invalid("spec.database.jobs", std::to_string(d.jobs),
                      "parallel dump jobs need spec.database.format Directory (format is " + d.format + ")");
    }
    if (!d.schedule.empty()) ValidateSchedule(d.schedule, zone, "spec.database.schedule", errors);
    if (d.method == "BaseBackup") {
      const WalArchiving& w = d.wal_archiving;
      if (auto interval = ValidateDuration(w.upload_interval, "spec.database.walArchiving.uploadInterval", true, errors)) {
        if (*interval < std::chrono::seconds(1) || *interval > std::chrono::hours(1)) {
          errors->Invalid("spec.database.walArchiving.uploadInterval", Quote(w.upload_interval), "must be between 1s and 1h");
        }
      }
      if (!w.slot_name.empty() &&
          (w.slot_name.size() > 63 || w.slot_name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos)) {
        errors->Invalid("spec.database.walArchiving.slotName", Quote(w.slot_name),
                        "a replication slot name is 1 to 63 of a-z, 0-9 and _");
      }
      ValidateQuantity(w.buffer_size, "spec.database.walArchiving.bufferSize", errors);
    } else if (d.databases.empty()) {
      errors->Required("spec.database.databases", "method Dump needs at least one database to dump");
    }
  }
  std::set<std::string> media_names;
  for (size_t i = 0; i < spec.media.size(); ++i) {
    const MediaSource& m = spec.media[i];
    const std::string path = "spec.media[" + std::to_string(i) + "]";
    if (!m.name.empty() && ValidateDnsLabel(m.name, path + ".name", errors)) {
      if (m.name == kDatabaseSourceName) {
        errors->Invalid(path + ".name", Quote(m.name), "\"database\" is reserved for the database source");
      } else if (!media_names.insert(m.name).second) {
        errors->Duplicate(path + ".name", Quote(m.name));
      }
    }
    if (!m.claim_name.empty()) ValidateDnsSubdomain(m.claim_name, path + ".claimName", errors);
    ValidateSubPath(m.sub_path, path + ".subPath", errors);
    for (size_t j = 0; j < m.exclude.size(); ++j) {
      if (m.exclude[j].empty()) errors->Required(path + ".exclude[" + std::to_string(j) + "]");
    }
    if (!m.schedule.empty()) ValidateSchedule(m.schedule, zone, path + ".schedule", errors);
    if (m.security_context) ValidateSecurityContext(*m.security_context, path + ".securityContext", errors);
    if (m.workload && !m.workload->name.empty()) ValidateDnsSubdomain(m.workload->name, path + ".workload.name", errors);
  }
  if (!errors->Has("spec.repository")) ValidateRepository(spec.repository, "spec.repository", errors);
  if (spec.retention) {
    const Retention& r = *spec.retention;
    if (r.Empty()) {
      errors->Required("spec.retention",
                       "set at least one keep rule (keepLast, keepDaily, ..., keepWithin), or remove retention to keep everything");
    }
    const std::pair<const char*, const std::optional<std::int64_t>*> counts[] = {
        {"keepLast", &r.keep_last},     {"keepHourly", &r.keep_hourly},   {"keepDaily", &r.keep_daily},
        {"keepWeekly", &r.keep_weekly}, {"keepMonthly", &r.keep_monthly}, {"keepYearly", &r.keep_yearly}};
    for (const auto& [name, value] : counts) {
      ValidateCount(*value, std::string("spec.retention.") + name, 1, 1000000, errors);
    }
    if (!r.keep_within.empty()) ValidateDuration(r.keep_within, "spec.retention.keepWithin", true, errors);
  }
  if (spec.verification) {
    static const std::regex kSubset("^([0-9]+(\\.[0-9]+)?%|[0-9]+/[0-9]+|[0-9]+[KMGT]?)$");
    const std::string& subset = spec.verification->read_data_subset;
    const std::string path = "spec.verification.readDataSubset";
    if (!std::regex_match(subset, kSubset)) {
      errors->Invalid(path, Quote(subset), "must be a percentage (5%), a fraction n/t (1/10) or a size (500M)");
    } else if (subset.back() == '%') {
      double percent = std::stod(subset.substr(0, subset.size() - 1));
      if (percent <= 0 || percent > 100) errors->Invalid(path, Quote(subset), "percentage must be above 0 and at most 100");
    } else if (size_t slash = subset.find('/'); slash != std::string::npos) {
      long n = std::stol(subset.substr(0, slash)), t = std::stol(subset.substr(slash + 1));
      if (n < 1 || t < 1 || n > t) errors->Invalid(path, Quote(subset), "fraction n/t needs 1 <= n <= t");
    }
  }
  if (!spec.target_rpo.empty()) ValidateDuration(spec.target_rpo, "spec.targetRPO", true, errors);
  if (spec.database && !spec.database->target_rpo.empty()) {
    ValidateDuration(spec.database->target_rpo, "spec.database.targetRPO", true, errors);
  }
  for (size_t i = 0; i < spec.media.size(); ++i) {
    if (!spec.media[i].target_rpo.empty()) {
      ValidateDuration(spec.media[i].target_rpo, "spec.media[" + std::to_string(i) + "].targetRPO", true, errors);
    }
  }
  // An objective shorter than the interval between a source's runs can never be met.
  for (const BackupPolicySpec::SourceSchedule& source : spec.Sources()) {
    if (source.target_rpo.empty()) continue;
    std::string rpo_path = "spec.targetRPO";
    if (source.type == "Database" && !spec.database->target_rpo.empty()) rpo_path = "spec.database.targetRPO";
    for (size_t i = 0; i < spec.media.size(); ++i) {
      if (source.type == "Media" && spec.media[i].name == source.name && !spec.media[i].target_rpo.empty()) {
        rpo_path = "spec.media[" + std::to_string(i) + "].targetRPO";
      }
    }
    StatusOr<Duration> rpo = ParseDuration(source.target_rpo);
    if (!rpo.ok() || errors->Has(rpo_path)) continue;
    if (source.type == "Database" && spec.database->method == "BaseBackup") {
      // Archived WAL is the recovery point, not the base backups: the objective must allow for the
      // upload interval (the segment being written is uploaded that often).
      StatusOr<Duration> upload = ParseDuration(spec.database->wal_archiving.upload_interval);
      if (upload.ok() && *rpo < *upload) {
        errors->Invalid(rpo_path, Quote(source.target_rpo),
                        "shorter than walArchiving.uploadInterval (" + spec.database->wal_archiving.upload_interval +
                            "); it could never be met");
      }
      continue;
    }
    std::optional<Duration> interval = ShortestInterval(source.schedule, zone);
    if (interval && *rpo < *interval) {
      errors->Invalid(rpo_path, Quote(source.target_rpo),
                      "shorter than the " + FormatDuration(*interval) + " between runs of source \"" + source.name +
                          "\"; it could never be met");
    }
  }
  ValidatePodSettings(spec.pod_settings, "spec.podSettings", errors);
  ValidateCount(spec.history_limit, "spec.historyLimit", 1, 100, errors);
  ValidateCount(spec.successful_jobs_history_limit, "spec.successfulJobsHistoryLimit", 0, 100, errors);
  ValidateCount(spec.failed_jobs_history_limit, "spec.failedJobsHistoryLimit", 0, 100, errors);
}

FieldErrors CheckBackupPolicy(const nlohmann::json& object, BackupPolicy* out) {
  FieldErrors errors;
  BackupPolicy policy = ParseBackupPolicy(object, &errors);
  ValidateBackupPolicySpec(policy.spec, &errors);
  if (out != nullptr) *out = std::move(policy);
  return errors;
}

nlohmann::json BackupPolicyStatusToJson(const BackupPolicyStatus& status) {
  nlohmann::json j = nlohmann::json::object();
  PutInt(j, "observedGeneration", status.observed_generation);
  if (!status.conditions.empty()) j["conditions"] = ConditionsToJson(status.conditions);
  PutTime(j, "lastScheduleTime", status.last_schedule_time);
  PutTime(j, "nextScheduleTime", status.next_schedule_time);
  if (status.last_successful_backup) j["lastSuccessfulBackup"] = BackupRefToJson(*status.last_successful_backup);
  PutString(j, "currentRPO", status.current_rpo);
  PutString(j, "lastOnDemandToken", status.last_on_demand_token);
  if (!status.sources.empty()) {
    nlohmann::json sources = nlohmann::json::array();
    for (const BackupSourceStatus& s : status.sources) {
      nlohmann::json e;
      e["name"] = s.name;
      e["type"] = s.type;
      PutString(e, "schedule", s.schedule);
      PutTime(e, "lastScheduleTime", s.last_schedule_time);
      PutTime(e, "nextScheduleTime", s.next_schedule_time);
      PutInt(e, "missedRuns", s.missed_runs);
      if (s.last_successful_backup) e["lastSuccessfulBackup"] = BackupRefToJson(*s.last_successful_backup);
      PutString(e, "rpo", s.rpo);
      PutString(e, "targetRPO", s.target_rpo);
      sources.push_back(std::move(e));
    }
    j["sources"] = std::move(sources);
  }
  if (!status.history.empty()) {
    nlohmann::json history = nlohmann::json::array();
    for (const BackupRun& run : status.history) {
      nlohmann::json e;
      e["id"] = run.id;
      e["source"] = run.source;
      PutString(e, "trigger", run.trigger);
      PutTime(e, "scheduledTime", run.scheduled_time);
      PutTime(e, "startTime", run.start_time);
      PutTime(e, "completionTime", run.completion_time);
      e["result"] = run.result;
      PutInt(e, "sizeBytes", run.size_bytes);
      PutStringList(e, "snapshotIDs", run.snapshot_ids);
      PutString(e, "jobName", run.job_name);
      PutString(e, "message", run.message);
      history.push_back(std::move(e));
    }
    j["history"] = std::move(history);
  }
  if (status.last_verified) {
    const LastVerified& v = *status.last_verified;
    nlohmann::json e;
    PutTime(e, "time", v.time);
    e["drill"] = v.drill;
    PutString(e, "run", v.run);
    PutString(e, "backupId", v.backup_id);
    e["result"] = v.result;
    PutBool(e, "objectivesMet", v.objectives_met);
    j["lastVerified"] = std::move(e);
  }
  if (status.wal_archive) {
    const WalArchiveStatus& w = *status.wal_archive;
    nlohmann::json e{{"streamer", w.streamer}, {"slot", w.slot}, {"state", w.state}};
    PutString(e, "message", w.message);
    // To the microsecond: a recovery target is chosen against these.
    PutTime(e, "firstRecoverableTime", w.first_recoverable_time, TimePrecision::kMicroseconds);
    PutTime(e, "lastRecoverableTime", w.last_recoverable_time, TimePrecision::kMicroseconds);
    PutString(e, "lastSegment", w.last_segment);
    PutTime(e, "lastUploadTime", w.last_upload_time);
    if (w.lag_bytes) e["lagBytes"] = *w.lag_bytes;
    PutString(e, "gap", w.gap);
    PutTime(e, "reportedTime", w.reported_time);
    PutString(e, "lastError", w.last_error);
    j["walArchive"] = std::move(e);
  }
  return j;
}

BackupPolicyStatus ParseBackupPolicyStatus(const nlohmann::json& json, FieldErrors* errors) {
  BackupPolicyStatus status;
  FieldReader r(json, "status", errors);
  status.observed_generation = r.Int("observedGeneration");
  status.conditions = ParseConditions(r, "conditions");
  status.last_schedule_time = r.Time("lastScheduleTime");
  status.next_schedule_time = r.Time("nextScheduleTime");
  if (std::optional<FieldReader> b = r.Object("lastSuccessfulBackup")) status.last_successful_backup = ParseBackupRef(*b);
  status.current_rpo = r.String("currentRPO").value_or("");
  status.last_on_demand_token = r.String("lastOnDemandToken").value_or("");
  if (std::optional<FieldReader> v = r.Object("lastVerified")) {
    LastVerified verified;
    verified.time = v->Time("time");
    verified.drill = v->String("drill", true).value_or("");
    verified.run = v->String("run").value_or("");
    verified.backup_id = v->String("backupId").value_or("");
    verified.result = v->Enum("result", {"Succeeded"}, true).value_or("");
    verified.objectives_met = v->Bool("objectivesMet");
    status.last_verified = verified;
  }
  if (std::optional<FieldReader> w = r.Object("walArchive")) {
    WalArchiveStatus wal;
    wal.streamer = w->String("streamer").value_or("");
    wal.slot = w->String("slot").value_or("");
    wal.state = w->Enum("state", {"Waiting", "Starting", "Running", "Unavailable"}).value_or("");
    wal.message = w->String("message").value_or("");
    wal.first_recoverable_time = w->Time("firstRecoverableTime");
    wal.last_recoverable_time = w->Time("lastRecoverableTime");
    wal.last_segment = w->String("lastSegment").value_or("");
    wal.last_upload_time = w->Time("lastUploadTime");
    wal.lag_bytes = w->Int("lagBytes");
    wal.gap = w->String("gap").value_or("");
    wal.reported_time = w->Time("reportedTime");
    wal.last_error = w->String("lastError").value_or("");
    status.wal_archive = wal;
  }
  for (const FieldReader& e : r.ObjectList("sources")) {
    BackupSourceStatus s;
    s.name = e.String("name", true).value_or("");
    s.type = e.Enum("type", {"Database", "Media"}, true).value_or("");
    s.schedule = e.String("schedule").value_or("");
    s.last_schedule_time = e.Time("lastScheduleTime");
    s.next_schedule_time = e.Time("nextScheduleTime");
    s.missed_runs = e.Int("missedRuns");
    if (std::optional<FieldReader> b = e.Object("lastSuccessfulBackup")) s.last_successful_backup = ParseBackupRef(*b);
    s.rpo = e.String("rpo").value_or("");
    s.target_rpo = e.String("targetRPO").value_or("");
    status.sources.push_back(std::move(s));
  }
  for (const FieldReader& e : r.ObjectList("history")) {
    BackupRun run;
    run.id = e.String("id", true).value_or("");
    run.source = e.String("source", true).value_or("");
    run.trigger = e.Enum("trigger", {"Scheduled", "OnDemand"}).value_or("");
    run.scheduled_time = e.Time("scheduledTime");
    run.start_time = e.Time("startTime");
    run.completion_time = e.Time("completionTime");
    run.result = e.Enum("result", {"Running", "Succeeded", "Failed"}, true).value_or("");
    run.size_bytes = e.Int("sizeBytes");
    run.snapshot_ids = e.StringList("snapshotIDs");
    run.job_name = e.String("jobName").value_or("");
    run.message = e.String("message").value_or("");
    status.history.push_back(std::move(run));
  }
  return status;
}

}  // namespace lifeboat::api
