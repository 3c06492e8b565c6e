#include "operator/api/dr_drill.h"

#include <set>

#include "operator/api/validation.h"

namespace lifeboat::api {
namespace {

nlohmann::json DrillRunToJson(const DrillRun& run) {
  nlohmann::json j;
  j["id"] = run.id;
  PutString(j, "trigger", run.trigger);
  PutTime(j, "startTime", run.start_time);
  PutTime(j, "completionTime", run.completion_time);
  j["result"] = run.result;
  PutString(j, "jobName", run.job_name);
  if (!run.backups.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const BackupRef& b : run.backups) list.push_back(BackupRefToJson(b));
    j["backups"] = std::move(list);
  }
  PutString(j, "measuredRTO", run.measured_rto);
  PutString(j, "measuredRPO", run.measured_rpo);
  PutBool(j, "objectivesMet", run.objectives_met);
  PutInt(j, "checksPassed", run.checks_passed);
  PutInt(j, "checksFailed", run.checks_failed);
  PutString(j, "message", run.message);
  if (run.report) j["report"] = {{"snapshotId", run.report->snapshot_id}, {"sha256", run.report->sha256}};
  if (run.recovery) {
    nlohmann::json recovery = {{"target", run.recovery->target}};
    PutString(recovery, "reachedTime", run.recovery->reached_time);
    PutString(recovery, "baseBackupID", run.recovery->base_backup_id);
    j["recovery"] = std::move(recovery);
  }
  if (!run.checks.empty()) j["checks"] = CheckResultsToJson(run.checks);
  return j;
}

DrillRun ParseDrillRun(const FieldReader& r, bool with_checks) {
  DrillRun run;
  run.id = r.String("id", true).value_or("");
  run.trigger = r.Enum("trigger", {"Scheduled", "OnDemand", "Created"}).value_or("");
  run.start_time = r.Time("startTime");
  run.completion_time = r.Time("completionTime");
  run.result = r.Enum("result", {"Running", "Succeeded", "Failed"}, true).value_or("");
  run.job_name = r.String("jobName").value_or("");
  for (const FieldReader& b : r.ObjectList("backups")) run.backups.push_back(ParseBackupRef(b));
  run.measured_rto = r.String("measuredRTO").value_or("");
  run.measured_rpo = r.String("measuredRPO").value_or("");
  run.objectives_met = r.Bool("objectivesMet");
  run.checks_passed = r.Int("checksPassed");
  run.checks_failed = r.Int("checksFailed");
  run.message = r.String("message").value_or("");
  if (std::optional<FieldReader> report = r.Object("report")) {
    run.report = DrillReportRef{report->String("snapshotId", true).value_or(""), report->String("sha256", true).value_or("")};
  }
  if (std::optional<FieldReader> recovery = r.Object("recovery")) {
    run.recovery = DrillRunRecovery{recovery->String("target").value_or(""), recovery->String("reachedTime").value_or(""),
                                    recovery->String("baseBackupID").value_or("")};
  }
  if (with_checks) run.checks = ParseCheckResults(r, "checks");
  return run;
}

}  // namespace

DRDrill ParseDRDrill(const nlohmann::json& object, FieldErrors* errors) {
  DRDrill drill;
  CheckTypeMeta(object, kDRDrillKind, errors);
  drill.metadata = ParseObjectMeta(object, errors);
  FieldReader root(object, "", errors);
  if (std::optional<FieldReader> r = root.Object("spec", true)) {
    DRDrillSpec& spec = drill.spec;
    spec.schedule = r->String("schedule").value_or("");
    spec.time_zone = r->String("timeZone").value_or("UTC");
    spec.suspend = r->Bool("suspend").value_or(false);
    spec.starting_deadline_seconds = r->Int("startingDeadlineSeconds");
    if (std::optional<FieldReader> ref = r->Object("policyRef", true)) spec.policy_name = ref->String("name", true).value_or("");
    spec.sources = r->StringList("sources");
    spec.recovery_target = r->Enum("recoveryTarget", {"latest"}).value_or("");
    if (std::optional<FieldReader> scratch = r->Object("scratch")) {
      if (std::optional<FieldReader> pg = scratch->Object("postgres")) {
        spec.postgres_size_limit = pg->String("sizeLimit").value_or("10Gi");
      }
      if (std::optional<FieldReader> media = scratch->Object("media")) {
        spec.media_size_limit = media->String("sizeLimit").value_or("10Gi");
        spec.media_storage_class_name = media->String("storageClassName").value_or("");
      }
    }
    if (std::optional<FieldReader> c = r->Object("checks")) {
      spec.checks.row_counts = c->Bool("rowCounts").value_or(true);
      spec.checks.table_checksums = c->Bool("tableChecksums").value_or(true);
      spec.checks.amcheck = c->Bool("amcheck").value_or(true);
      spec.checks.heap = c->Bool("heap").value_or(false);
      spec.checks.file_checksums = c->Bool("fileChecksums").value_or(true);
      spec.checks.sql = ParseSqlChecks(*c, "sql");
    }
    if (std::optional<FieldReader> o = r->Object("objectives")) {
      spec.objective_rto = o->String("rto").value_or("");
      spec.objective_rpo = o->String("rpo").value_or("");
    }
    spec.history_limit = r->Int("historyLimit").value_or(10);
    if (std::optional<FieldReader> p = r->Object("podSettings")) spec.pod_settings = ParsePodSettings(*p);
  }
  if (root.Has("status")) drill.status = ParseDRDrillStatus(object.at("status"), errors);
  return drill;
}

void ValidateDRDrillSpec(const DRDrillSpec& spec, FieldErrors* errors) {
  bool zone_ok = ValidateTimeZone(spec.time_zone, "spec.timeZone", errors);
  if (!spec.schedule.empty()) ValidateSchedule(spec.schedule, zone_ok ? spec.time_zone : "", "spec.schedule", errors);
  if (spec.schedule.empty() && spec.starting_deadline_seconds) {
    errors->Forbidden("spec.startingDeadlineSeconds", "only applies with spec.schedule (a one-shot drill has no deadline)");
  }
  if (spec.starting_deadline_seconds && *spec.starting_deadline_seconds < 0) {
    errors->Invalid("spec.startingDeadlineSeconds", std::to_string(*spec.starting_deadline_seconds),
                    "must be greater than or equal to 0");
  }
  if (!spec.policy_name.empty()) ValidateDnsSubdomain(spec.policy_name, "spec.policyRef.name", errors);
  std::set<std::string> sources;
  for (size_t i = 0; i < spec.sources.size(); ++i) {
    const std::string path = "spec.sources[" + std::to_string(i) + "]";
    if (ValidateDnsLabel(spec.sources[i], path, errors) && !sources.insert(spec.sources[i]).second) {
      errors->Duplicate(path, Quote(spec.sources[i]));
    }
  }
  ValidateQuantity(spec.postgres_size_limit, "spec.scratch.postgres.sizeLimit", errors);
  ValidateQuantity(spec.media_size_limit, "spec.scratch.media.sizeLimit", errors);
  ValidateSqlChecks(spec.checks.sql, "spec.checks.sql", errors);
  if (!spec.objective_rto.empty()) ValidateDuration(spec.objective_rto, "spec.objectives.rto", true, errors);
  if (!spec.objective_rpo.empty()) ValidateDuration(spec.objective_rpo, "spec.objectives.rpo", true, errors);
  if (spec.history_limit < 1 || spec.history_limit > 100) {
    errors->Invalid("spec.historyLimit", std::to_string(spec.history_limit), "must be between 1 and 100, inclusive");
  }
  ValidatePodSettings(spec.pod_settings, "spec.podSettings", errors);
}

FieldErrors CheckDRDrill(const nlohmann::json& object, DRDrill* out) {
  FieldErrors errors;
  DRDrill drill = ParseDRDrill(object, &errors);
  ValidateDRDrillSpec(drill.spec, &errors);
  if (out != nullptr) *out = std::move(drill);
  return errors;
}

nlohmann::json DRDrillStatusToJson(const DRDrillStatus& status) {
  nlohmann::json j = nlohmann::json::object();
  PutInt(j, "observedGeneration", status.observed_generation);
  if (!status.conditions.empty()) j["conditions"] = ConditionsToJson(status.conditions);
  PutTime(j, "lastScheduleTime", status.last_schedule_time);
  PutTime(j, "nextScheduleTime", status.next_schedule_time);
  PutInt(j, "missedRuns", status.missed_runs);
  PutString(j, "lastOnDemandToken", status.last_on_demand_token);
  if (status.last_run) j["lastRun"] = DrillRunToJson(*status.last_run);
  if (!status.history.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (DrillRun run : status.history) {
      run.checks.clear();  // History keeps counts, not per-check detail (the schema has no room for it).
      list.push_back(DrillRunToJson(run));
    }
    j["history"] = std::move(list);
  }
  return j;
}

DRDrillStatus ParseDRDrillStatus(const nlohmann::json& json, FieldErrors* errors) {
  DRDrillStatus status;
  FieldReader r(json, "status", errors);
  status.observed_generation = r.Int("observedGeneration");
  status.conditions = ParseConditions(r, "conditions");
  status.last_schedule_time = r.Time("lastScheduleTime");
  status.next_schedule_time = r.Time("nextScheduleTime");
  status.missed_runs = r.Int("missedRuns");
  status.last_on_demand_token = r.String("lastOnDemandToken").value_or("");
  if (std::optional<FieldReader> last = r.Object("lastRun")) status.last_run = ParseDrillRun(*last, true);
  for (const FieldReader& e : r.ObjectList("history")) status.history.push_back(ParseDrillRun(e, false));
  return status;
}

}  // namespace lifeboat::api
