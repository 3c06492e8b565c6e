#include "controllers/drdrill/drill_decide.h"

#include <algorithm>

#include "controllers/common/job_naming.h"
#include "controllers/drdrill/drill_job.h"
#include "operator/agent/drill_objectives.h"
#include "operator/agent/drill_result.h"
#include "operator/api/backup_policy.h"
#include "operator/core/conditions.h"
#include "operator/core/cron.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers::drdrill {
namespace {

constexpr char kRunning[] = "Running";
constexpr char kSucceeded[] = "Succeeded";
constexpr char kFailed[] = "Failed";

// One Decide call. Not thread-safe.
class DrillDecider {
 public:
  DrillDecider(const DrillObserved& observed, WallTime now) : o_(observed), now_(now) {
    const api::FieldErrors errors = api::CheckDRDrill(observed.drill, &drill_);
    for (const auto& e : errors.errors()) {
      if (e.field.rfind("status", 0) == 0) continue;  // A malformed status (ours) never blocks drills.
      spec_errors_ += (spec_errors_.empty() ? "" : "; ") + e.ToString();
    }
    plan_.status = drill_.status;
    plan_.status.observed_generation = drill_.metadata.generation;
    if (o_.policy) {
      api::FieldErrors ignored;
      policy_ = api::ParseBackupPolicy(*o_.policy, &ignored).spec;
    }
  }

  DrillPlan Run() {
    const api::DRDrillStatus before = plan_.status;
    const bool ready = CheckReadiness();
    const bool running = FollowRunningRun();
    if (ready && !running) StartDueRun();
    plan_.status_changed = !(plan_.status == before);
    return std::move(plan_);
  }

 private:
  void SetCondition(const char* type, ConditionStatus status, const std::string& reason, const std::string& message) {
    Condition c;
    c.type = type;
    c.status = status;
    c.reason = reason;
    c.message = message;
    c.observed_generation = drill_.metadata.generation;
    lifeboat::SetCondition(plan_.status.conditions, c, now_);
  }

  bool NotReady(const std::string& reason, const std::string& message) {
    const Condition* old = FindCondition(plan_.status.conditions, "Ready");
    if (old == nullptr || old->reason != reason || old->message != message) plan_.events.push_back({"Warning", reason, message});
    SetCondition("Ready", ConditionStatus::kFalse, reason, message);
    plan_.requeue_after = std::chrono::seconds(30);
    return false;
  }

  bool CheckReadiness() {
    if (!spec_errors_.empty()) return NotReady("InvalidSpec", spec_errors_);
    if (!o_.policy) {
      return NotReady("BackupPolicyNotFound", "BackupPolicy \"" + drill_.spec.policy_name +
                                                  "\" (spec.policyRef.name) was not found in this namespace");
    }
    if (!drill_.spec.recovery_target.empty() && (!policy_.database || policy_.database->method != "BaseBackup")) {
      return NotReady("PolicyNotBaseBackup",
                      "BackupPolicy \"" + drill_.spec.policy_name + "\" (spec.policyRef.name) " +
                          (policy_.database ? "uses method " + policy_.database->method : "backs up no database") +
                          ": spec.recoveryTarget rehearses a point-in-time recovery from archived WAL, which only a "
                          "policy with spec.database.method BaseBackup keeps; remove recoveryTarget to drill its dumps");
    }
    for (const SecretKeyNeed& need : RequiredSecretKeys(drill_.spec, policy_)) {
      auto it = o_.secrets.find(need.secret);
      if (it == o_.secrets.end()) return NotReady("SecretNotFound", "Secret \"" + need.secret + "\" (" + need.field + ") was not found");
      if (!it->second.count(need.key)) {
        return NotReady("SecretKeyNotFound", "Secret \"" + need.secret + "\" (" + need.field + ") has no key \"" + need.key + "\"");
      }
    }
    const std::string when = drill_.spec.schedule.empty() ? "runs once, and on " + std::string(kDrillNowAnnotation)
                                                          : (drill_.spec.suspend ? "suspended" : "scheduled \"" + drill_.spec.schedule + "\"");
    SetCondition("Ready", ConditionStatus::kTrue, drill_.spec.suspend ? "Suspended" : "Scheduled",
                 "Drills BackupPolicy " + drill_.spec.policy_name +
                     (drill_.spec.recovery_target.empty() ? "" : " (point-in-time recovery to " + drill_.spec.recovery_target + ")") +
                     ": " + when);
    return true;
  }

  const ObservedJob* Job(const std::string& name) const {
    for (const ObservedJob& j : o_.jobs) {
      if (j.state.name == name) return &j;
    }
    return nullptr;
  }

  // The running run: finished when its Job has; true while it still runs.
  bool FollowRunningRun() {
    if (!plan_.status.last_run || plan_.status.last_run->result != kRunning) return false;
    api::DrillRun& run = *plan_.status.last_run;
    const ObservedJob* job = Job(run.job_name);
    if (job == nullptr) {
      if (!o_.lost_jobs.count(run.job_name)) return true;  // The cache has not seen it yet.
      Finish(run, false, "The drill Job " + run.job_name + " was deleted before it finished", std::nullopt);
      return false;
    }
    if (!job->state.finished()) return true;
    const bool ok = job->state.phase == JobPhase::kSucceeded && job->result && job->result->succeeded;
    std::string message;
    if (job->result) {
      message = job->result->message;
    } else {
      message = "the drill Job " + job->state.name + " left no result: " +
                (job->result_error.empty() ? job->state.failure_message : job->result_error);
    }
    Finish(run, ok, message, job->result ? std::optional<agent::DrillResult>(agent::ParseDrillResult(job->result->raw)) : std::nullopt);
    return false;
  }

  void Finish(api::DrillRun& run, bool ok, std::string message, const std::optional<agent::DrillResult>& result) {
    run.completion_time = now_;
    run.result = ok ? kSucceeded : kFailed;
    FinishedDrill finished{ok, std::nullopt, std::nullopt, std::nullopt};
    std::string missed;
    if (result) Record(run, *result, &finished, &missed);
    if (ok && message.empty()) {
      message = std::to_string(run.checks_passed.value_or(0)) + " checks passed; RTO " + run.measured_rto + ", RPO " + run.measured_rpo;
    }
    run.message = message;
    SetCondition(api::kConditionLastDrillSucceeded, ok ? ConditionStatus::kTrue : ConditionStatus::kFalse,
                 ok ? "DrillSucceeded" : "DrillFailed", "Run " + run.id + ": " + message);
    if (run.objectives_met) {
      SetCondition(api::kConditionObjectivesMet, *run.objectives_met ? ConditionStatus::kTrue : ConditionStatus::kFalse,
                   *run.objectives_met ? "ObjectivesMet" : "ObjectivesMissed",
                   *run.objectives_met ? "RTO " + run.measured_rto + " and RPO " + run.measured_rpo + " within the objectives" : missed);
    }
    plan_.events.push_back({ok ? "Normal" : "Warning", ok ? "DrillSucceeded" : "DrillFailed", "Run " + run.id + ": " + message});
    if (run.objectives_met && !*run.objectives_met) plan_.events.push_back({"Warning", "ObjectivesMissed", "Run " + run.id + ": " + missed});
    api::DrillRun entry = run;
    entry.checks.clear();  // History keeps the counts; lastRun the checks.
    plan_.status.history.insert(plan_.status.history.begin(), entry);
    const size_t limit = static_cast<size_t>(std::max<std::int64_t>(drill_.spec.history_limit, 1));
    if (plan_.status.history.size() > limit) plan_.status.history.resize(limit);
    plan_.finished = finished;
  }

  void Record(api::DrillRun& run, const agent::DrillResult& r, FinishedDrill* finished, std::string* missed) {
    run.checks.clear();
    for (const agent::DrillCheck& c : r.checks) run.checks.push_back({c.name, c.type, c.expected, c.actual, c.passed, c.message});
    run.checks_failed = r.checks_failed;
    run.checks_passed = r.checks_total - r.checks_failed;
    run.backups.clear();
    for (const agent::DrillSource& s : r.sources) {
      api::BackupRef ref;
      ref.id = s.backup_id;
      ref.source = s.target;
      if (auto t = ParseRfc3339(s.backup_time); t.ok()) ref.start_time = *t;
      run.backups.push_back(ref);
    }
    if (!r.report_snapshot_id.empty()) run.report = api::DrillReportRef{r.report_snapshot_id, r.report_sha256};
    if (r.recovery) run.recovery = api::DrillRunRecovery{r.recovery->target, r.recovery->reached_time, r.recovery->base_backup_id};
    run.measured_rto = agent::FormatSeconds(r.rto_seconds);
    run.measured_rpo = r.rpo_seconds ? agent::FormatSeconds(*r.rpo_seconds) : "";
    finished->rto_seconds = r.rto_seconds;
    finished->rpo_seconds = r.rpo_seconds;
    const agent::ObjectivesVerdict verdict =
        agent::JudgeObjectives(drill_.spec.objective_rto, r.rto_seconds, drill_.spec.objective_rpo, r.rpo_seconds);
    run.objectives_met = verdict.met;
    *missed = verdict.missed;
    finished->objectives_met = run.objectives_met;
  }

  // Starts the run that is due now, if any: on demand first, then the schedule, then the one run
  // of a drill without a schedule.
  void StartDueRun() {
    const auto token = drill_.metadata.annotations.find(kDrillNowAnnotation);
    if (token != drill_.metadata.annotations.end() && !token->second.empty() &&
        token->second != plan_.status.last_on_demand_token) {
      plan_.status.last_on_demand_token = token->second;
      Start("OnDemand", "now-" + token->second);
      return;
    }
    if (drill_.spec.schedule.empty()) {
      if (!plan_.status.last_run && plan_.status.history.empty()) Start("Created", "once");
      return;
    }
    auto cron = CronSchedule::Parse(drill_.spec.schedule, drill_.spec.time_zone);
    if (!cron.ok()) return;  // Validation reported it.
    plan_.status.next_schedule_time = cron->Next(now_);
    if (plan_.status.next_schedule_time) plan_.requeue_after = *plan_.status.next_schedule_time - now_ + std::chrono::seconds(1);
    if (drill_.spec.suspend) return;
    const WallTime since = plan_.status.last_schedule_time.value_or(drill_.metadata.creation_timestamp.value_or(now_));
    const auto missed = cron->MostRecent(since, now_);
    if (!missed.most_recent) return;
    plan_.status.last_schedule_time = *missed.most_recent;
    const bool too_late = drill_.spec.starting_deadline_seconds &&
                          now_ - *missed.most_recent > std::chrono::seconds(*drill_.spec.starting_deadline_seconds);
    const int skipped = too_late ? missed.count : missed.count - 1;
    if (skipped > 0) {
      plan_.status.missed_runs = plan_.status.missed_runs.value_or(0) + skipped;
      plan_.events.push_back({"Warning", "MissedSchedule", std::to_string(skipped) + " scheduled drill(s) were skipped; the latest was due at " +
                                                               FormatRfc3339(*missed.most_recent)});
    }
    if (too_late) return;
    std::string stamp = FormatRfc3339(*missed.most_recent);  // 2026-11-22T04:00:00Z -> 202611220400
    stamp.erase(std::remove_if(stamp.begin(), stamp.end(), [](char c) { return c < '0' || c > '9'; }), stamp.end());
    Start("Scheduled", stamp.substr(0, 12));
  }

  void Start(const std::string& trigger, const std::string& run_key) {
    const std::string job_name = DeterministicJobName(drill_.metadata.name, run_key);
    api::DrillRun run;
    run.id = job_name;
    run.trigger = trigger;
    run.start_time = now_;
    run.result = kRunning;
    run.job_name = job_name;
    plan_.status.last_run = run;
    if (Job(job_name) == nullptr) {
      plan_.create_jobs.push_back(BuildDrillJob(drill_, policy_, {job_name, trigger}, o_.default_image));
    }
    plan_.events.push_back({"Normal", "DrillStarted", "Started drill Job " + job_name + " (" + trigger + ")", job_name});
  }

  const DrillObserved& o_;
  const WallTime now_;
  api::DRDrill drill_;
  api::BackupPolicySpec policy_;
  std::string spec_errors_;
  DrillPlan plan_;
};

}  // namespace

DrillPlan DecideDrill(const DrillObserved& observed, WallTime now) { return DrillDecider(observed, now).Run(); }

std::set<std::string> ReferencedSecrets(const nlohmann::json& drill, const std::optional<nlohmann::json>& policy) {
  std::set<std::string> names;
  if (!policy) return names;
  api::FieldErrors ignored;
  const api::DRDrill parsed = api::ParseDRDrill(drill, &ignored);
  for (const SecretKeyNeed& need : RequiredSecretKeys(parsed.spec, api::ParseBackupPolicy(*policy, &ignored).spec)) {
    if (!need.secret.empty()) names.insert(need.secret);
  }
  return names;
}

}  // namespace lifeboat::controllers::drdrill
