#include "controllers/restorerequest/restore_decide.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <cstdio>
#include <sstream>

#include "controllers/restorerequest/restore_jobs.h"
#include "operator/agent/restore_result.h"
#include "operator/agent/maintenance_results.h"
#include "operator/api/backup_policy.h"
#include "operator/core/recovery_target.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers::restorerequest {
namespace {

using namespace std::chrono_literals;

constexpr Duration kWorkloadPoll = 2s;
constexpr Duration kRecheck = 15s;
constexpr Duration kWaitingRecheck = 10s;
constexpr Duration kRunningRecheck = 30s;
constexpr Duration kResultGrace = 60s;

using api::kPhaseFailed;
using api::kPhasePending;
using api::kPhaseRunning;
using api::kPhaseSucceeded;
using api::kPhaseWaiting;
constexpr char kReasonRunning[] = "Running";

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

std::string DatabaseTargetKey(const api::DatabaseTarget& d) { return "database/" + d.database; }
std::string MediaTargetKey(const api::MediaTarget& m) {
  return "media/" + m.claim_name + (m.sub_path.empty() ? "" : "/" + m.sub_path);
}

// Whether `other` holds one of `keys`: it is unfinished and has started, or is waiting to start and
// came first (creation time, then name) and is not stuck in validation.
bool Holds(const api::RestoreRequest& self, const api::RestoreRequest& other) {
  if (other.metadata.name == self.metadata.name) return false;
  if (other.status.Final()) return false;
  bool started = other.status.start_time.has_value();
  if (!started) {
    if (other.metadata.deletion_timestamp) return false;
    const Condition* validated = FindCondition(other.status.conditions, api::kConditionValidated);
    if (validated != nullptr && validated->status == ConditionStatus::kFalse) return false;
    WallTime mine = self.metadata.creation_timestamp.value_or(WallTime{});
    WallTime theirs = other.metadata.creation_timestamp.value_or(WallTime{});
    if (theirs > mine) return false;
    if (theirs == mine && other.metadata.name > self.metadata.name) return false;
  }
  return true;
}

class Decider {
 public:
  Decider(const RestoreObserved& o, WallTime now) : o_(o), now_(now) {}

  RestorePlan Run() {
    api::FieldErrors parse_errors;
    current_ = api::ParseRestoreRequest(o_.request, &parse_errors);
    plan_.status = current_.status;
    const api::RestoreRequestStatus original = current_.status;
    generation_ = current_.metadata.generation;
    const auto& finalizers = current_.metadata.finalizers;
    has_finalizer_ = std::find(finalizers.begin(), finalizers.end(), kFinalizer) != finalizers.end();

    if (current_.metadata.deletion_timestamp) {
      api::FieldErrors ignored;
      request_ = EffectiveRequest(o_.request, &ignored);
      DecideDeletion();
      plan_.status_changed = !(plan_.status == original);
      return std::move(plan_);
    }
    if (plan_.status.Final()) {
      if (has_finalizer_) SetFinalizer(false);
      api::FieldErrors ignored;
      request_ = EffectiveRequest(o_.request, &ignored);
      DecidePreviousDatabaseCleanup();
      plan_.status_changed = !(plan_.status == original);
      return std::move(plan_);
    }
    if (!plan_.status.start_time) {
      if (DecideBeforeStart(parse_errors)) DecideRunning();
    } else {
      api::FieldErrors errors;
      request_ = EffectiveRequest(o_.request, &errors);
      if (!errors.empty()) {
        // The started spec is unreadable (the annotation was edited): stop here safely.
        request_ = current_;
      }
      DecideRunning();
    }
    plan_.status.observed_generation = generation_;
    plan_.status_changed = !(plan_.status == original);
    return std::move(plan_);
  }

 private:
  // ---- helpers ----
  void Event(const std::string& type, const std::string& reason, const std::string& message) {
    plan_.events.push_back({type, reason, message});
  }
  bool SetCond(const std::string& type, ConditionStatus status, const std::string& reason, const std::string& message) {
    return SetCondition(plan_.status.conditions, {type, status, reason, message, now_, generation_}, now_);
  }
  void Requeue(Duration d) {
    if (!plan_.requeue_after || d < *plan_.requeue_after) plan_.requeue_after = d;
  }
  api::Step& StepOf(const std::string& name) {
    api::Step* s = api::FindStep(plan_.status.steps, name);
    if (s == nullptr) {
      plan_.status.steps.push_back({name, api::kStepPending, std::nullopt, std::nullopt, {}, ""});
      s = &plan_.status.steps.back();
    }
    return *s;
  }
  void StartStep(api::Step& s) {
    if (s.state == api::kStepPending) {
      s.state = api::kStepRunning;
      s.start_time = now_;
      plan_.status.current_step = s.name;
    }
  }
  void AddJob(api::Step& s, const std::string& job) {
    if (std::find(s.jobs.begin(), s.jobs.end(), job) == s.jobs.end()) s.jobs.push_back(job);
  }
  void FinishStep(api::Step& s, const std::string& state, const std::string& message) {
    if (!s.start_time) s.start_time = now_;
    s.state = state;
    s.completion_time = now_;
    s.message = message;
    if (state == api::kStepSucceeded) Event("Normal", s.name + "Succeeded", message);
    if (state == api::kStepFailed) Event("Warning", s.name + "Failed", message);
  }
  // Fails step `s`: the Succeeded condition keeps the reason until Resume has run.
  void Fail(api::Step& s, const std::string& reason, const std::string& message) {
    FinishStep(s, api::kStepFailed, message);
    SetCond(api::kConditionSucceeded, ConditionStatus::kUnknown, reason,
            message + "; resuming the workloads before reporting the failure");
  }
  // Adds or removes the finalizer; no write when it is already so.
  void SetFinalizer(bool present) {
    if (present == has_finalizer_) return;
    nlohmann::json list = nlohmann::json::array();
    for (const std::string& f : current_.metadata.finalizers) {
      if (f != kFinalizer) list.push_back(f);
    }
    if (present) list.push_back(kFinalizer);
    plan_.metadata_patch["metadata"]["finalizers"] = list;
    plan_.metadata_patch["metadata"]["resourceVersion"] = current_.metadata.resource_version;
  }
  const ObservedJob* Job(const std::string& name) const {
    auto it = o_.jobs.find(name);
    return it == o_.jobs.end() ? nullptr : &it->second;
  }
  // Why a finished Job failed: the agent's reason and message, else the Job's.
  std::pair<std::string, std::string> JobFailure(const ObservedJob& job, const std::string& fallback_reason) const {
    if (job.result && !job.result->succeeded) {
      std::string reason = job.result->reason.empty() ? fallback_reason : job.result->reason;
      return {reason, "Job " + job.state.name + ": " + (job.result->message.empty() ? reason : job.result->message)};
    }
    std::string detail = job.state.failure_message.empty() ? job.state.failure_reason : job.state.failure_message;
    // Why the agent left no result (e.g. "exit code 137 (SIGKILL)") says more than the Job's condition.
    if (!job.result_error.empty()) detail += (detail.empty() ? "" : "; ") + job.result_error;
    if (detail.empty()) detail = "the Job failed";
    return {fallback_reason, "Job " + job.state.name + " failed: " + detail};
  }
  bool Succeeded(const ObservedJob& job) const {
    return job.state.phase == JobPhase::kSucceeded && (!job.result || job.result->succeeded);
  }

  JobContext Context() const {
    JobContext c;
    c.default_image = o_.default_image;
    c.workloads = o_.media_workloads;
    c.policy_name = request_.spec.source.policy_name;
    if (request_.spec.source.repository) {
      c.repository = *request_.spec.source.repository;
    } else if (o_.policy) {
      api::FieldErrors ignored;
      c.repository = api::ParseBackupPolicy(*o_.policy, &ignored).spec.repository;
    }
    return c;
  }

  // ---- before the start ----
  // Returns true when the restore starts in this plan.
  // The first workload the spec names that was not found: one to stop (spec.quiesce), or one whose
  // pod securityContext gives the user a media Job runs as (spec.media[].workload).
  std::string MissingWorkload() const {
    if (request_.spec.quiesce) {
      for (const api::WorkloadRef& w : request_.spec.quiesce->workloads) {
        if (o_.workloads.count(WorkloadKey(w.kind, w.name)) == 0) {
          return w.kind + " \"" + w.name + "\" (spec.quiesce.workloads) was not found in this namespace";
        }
      }
    }
    for (size_t i = 0; i < request_.spec.media.size(); ++i) {
      const auto& w = request_.spec.media[i].workload;
      if (!w || o_.media_workloads.count(WorkloadKey(*w))) continue;
      return w->kind + " \"" + w->name + "\" (spec.media[" + std::to_string(i) +
             "].workload) was not found in this namespace; its pod securityContext gives the user the restore writes as";
    }
    return "";
  }

  bool DecideBeforeStart(api::FieldErrors& errors) {
    request_ = current_;
    api::ValidateRestoreRequestSpec(request_.spec, &errors);
    if (!errors.empty()) {
      std::string reason = errors.Has("spec.database.confirm") ? "ConfirmationRequired" : "InvalidSpec";
      std::string message = (reason == "ConfirmationRequired" ? "Nothing was changed: " : "Invalid spec: ") + errors.ToString();
      return NotReady(reason, message, std::nullopt);
    }
    if (!request_.spec.source.policy_name.empty() && !o_.policy) {
      return NotReady("BackupPolicyNotFound",
                      "BackupPolicy \"" + request_.spec.source.policy_name +
                          "\" (spec.source.policyRef.name) was not found in this namespace; create it or give the "
                          "repository inline in spec.source.repository",
                      kRecheck);
    }
    if (std::string why = PolicyWithoutWalArchive(); !why.empty()) return NotReady("PolicyNotBaseBackup", why, kRecheck);
    JobContext c = Context();
    std::string repo_field = request_.spec.source.repository
                                 ? "spec.source.repository"
                                 : "BackupPolicy " + request_.spec.source.policy_name + " spec.repository";
    for (const SecretKeyNeed& need : RequiredSecretKeys(request_.spec, c.repository, repo_field)) {
      auto it = o_.secrets.find(need.secret);
      if (it == o_.secrets.end()) {
        return NotReady("SecretNotFound", "Secret \"" + need.secret + "\" (" + need.field + ") was not found", kRecheck);
      }
      if (it->second.count(need.key) == 0) {
        return NotReady("SecretKeyNotFound",
                        "Secret \"" + need.secret + "\" (" + need.field + ") has no key \"" + need.key + "\"", kRecheck);
      }
    }
    if (std::string missing = MissingWorkload(); !missing.empty()) return NotReady("WorkloadNotFound", missing, kRecheck);
    // One restore per database or claim at a time.
    std::vector<std::string> keys = request_.spec.TargetKeys();
    for (const nlohmann::json& other_json : o_.other_requests) {
      api::FieldErrors ignored;
      api::RestoreRequest other = EffectiveRequest(other_json, &ignored);
      if (!Holds(request_, other)) continue;
      for (const std::string& key : other.spec.TargetKeys()) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) continue;
        std::string message = "Waiting for RestoreRequest \"" + other.metadata.name + "\", which restores " + key +
                              " too; this restore starts when that one has finished";
        plan_.status.phase = kPhaseWaiting;
        if (SetCond(api::kConditionBlocked, ConditionStatus::kTrue, "TargetInUse", message)) {
          Event("Normal", "Waiting", message);
        }
        SetCond(api::kConditionSucceeded, ConditionStatus::kUnknown, "Waiting", message);
        Requeue(kWaitingRecheck);
        return false;
      }
    }
    // Start: finalizer and the spec as started first, then status, then the first step.
    SetFinalizer(true);
    if (FindCondition(plan_.status.conditions, api::kConditionBlocked) != nullptr) {
      SetCond(api::kConditionBlocked, ConditionStatus::kFalse, "TargetFree", "No other restore of these targets is running");
    }
    plan_.status.phase = kPhaseRunning;
    plan_.status.start_time = now_;
    plan_.status.started_generation = generation_;
    plan_.status.started_spec = o_.request.value("spec", nlohmann::json::object());
    plan_.status.steps.clear();
    for (const std::string& name : request_.spec.Steps()) StepOf(name);
    SetCond(api::kConditionValidated, ConditionStatus::kUnknown, "CheckingBackup",
            "The spec and Secrets are valid; looking up the backup in the repository");
    SetCond(api::kConditionSucceeded, ConditionStatus::kUnknown, kReasonRunning, "The restore is running");
    Event("Normal", "Started", "Restore started: " + Join(keys));
    return true;
  }

  // A point-in-time recovery replays the WAL its policy archives: why the named policy cannot have
  // any (its method is not BaseBackup), or "".
  std::string PolicyWithoutWalArchive() const {
    if (!request_.spec.database || !request_.spec.database->PointInTime() || !o_.policy) return "";
    api::FieldErrors ignored;
    const api::BackupPolicySpec policy = api::ParseBackupPolicy(*o_.policy, &ignored).spec;
    if (policy.database && policy.database->method == "BaseBackup") return "";
    return "BackupPolicy \"" + request_.spec.source.policy_name + "\" (spec.source.policyRef.name) " +
           (policy.database ? "uses method " + policy.database->method : "backs up no database") +
           ": spec.database.recoveryTarget replays archived WAL, which only a policy with spec.database.method "
           "BaseBackup keeps; nothing was changed. Restore a dump (remove recoveryTarget) or name a BaseBackup policy";
  }

  bool NotReady(const std::string& reason, const std::string& message, std::optional<Duration> requeue) {
    plan_.status.phase = kPhasePending;
    if (SetCond(api::kConditionValidated, ConditionStatus::kFalse, reason, message)) {
      Event("Warning", reason, message);
    }
    SetCond(api::kConditionSucceeded, ConditionStatus::kFalse, reason, message);
    if (requeue) Requeue(*requeue);
    return false;
  }

  static std::string Join(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
  }

  // ---- running ----
  // Steps that still run after an earlier step failed: they make the world safe again.
  static bool RunsAfterAFailure(const std::string& step) { return step == api::kStepRollBack || step == api::kStepResume; }

  void DecideRunning() {
    CheckSpecChange();
    const std::vector<std::string> steps = request_.spec.Steps();
    for (const std::string& name : steps) StepOf(name);
    bool failing = false;
    for (const api::Step& s : plan_.status.steps) {
      if (s.state == api::kStepFailed && !RunsAfterAFailure(s.name)) failing = true;
    }
    for (const std::string& name : steps) {
      api::Step& s = StepOf(name);
      if (s.state == api::kStepSucceeded || s.state == api::kStepSkipped || s.state == api::kStepFailed) continue;
      const std::string& step = name;
      if (failing && !RunsAfterAFailure(step)) {
        FinishStep(s, api::kStepSkipped, "Not run: an earlier step failed");
        continue;
      }
      StartStep(s);
      plan_.status.current_step = step;
      bool done = RunStep(s);
      if (!done) {
        Requeue(kRunningRecheck);
        return;
      }
      if (s.state == api::kStepFailed && !RunsAfterAFailure(step)) failing = true;
    }
    Finish();
  }

  void CheckSpecChange() {
    bool changed = false;
    if (plan_.status.started_spec) {
      changed = *plan_.status.started_spec != o_.request.value("spec", nlohmann::json::object());
    } else {
      changed = !api::SpecChangeAfterStart(current_).empty();
    }
    if (changed) {
      std::string message = "The spec changed after the restore started (generation " + std::to_string(generation_) +
                            ", started with " + std::to_string(plan_.status.started_generation.value_or(0)) +
                            "); the change is refused and the restore goes on as started. Create a new "
                            "RestoreRequest to restore differently";
      if (SetCond(api::kConditionSpecChanged, ConditionStatus::kTrue, "SpecImmutable", message)) {
        Event("Warning", "SpecChanged", message);
      }
    } else if (FindCondition(plan_.status.conditions, api::kConditionSpecChanged) != nullptr) {
      SetCond(api::kConditionSpecChanged, ConditionStatus::kFalse, "SpecUnchanged", "The spec is as it was at the start");
    }
  }

  // Runs one step; true when it is finished (Succeeded, Skipped or Failed).
  bool RunStep(api::Step& s) {
    if (s.name == api::kStepValidate) return RunValidate(s);
    if (s.name == api::kStepQuiesce) return RunQuiesce(s);
    if (s.name == api::kStepSafetyBackup) return RunSafetyBackup(s);
    if (s.name == api::kStepRestoreDatabase) return RunRestoreDatabase(s);
    if (s.name == api::kStepSwapDatabase) return RunSwapDatabase(s);
    if (s.name == api::kStepRollBack) return RunRollBack(s);
    if (s.name == api::kStepRestoreMedia) return RunRestoreMedia(s);
    if (s.name == api::kStepPostRestore) return RunPostRestore(s);
    if (s.name == api::kStepVerify) return RunVerify(s);
    if (s.name == api::kStepResume) return RunResume(s);
    FinishStep(s, api::kStepSkipped, "Unknown step");  // A step of a newer version: never run, never blocks.
    return true;
  }

  // Waits for / creates Job `name`; returns it when finished, nullptr while it runs.
  const ObservedJob* EnsureJob(api::Step& s, const std::string& name, const std::function<nlohmann::json()>& build) {
    AddJob(s, name);
    const ObservedJob* job = Job(name);
    if (job == nullptr) {
      plan_.create_jobs.push_back(build());
      return nullptr;
    }
    if (!job->state.finished()) return nullptr;
    return job;
  }

  // An agent Job that succeeded but whose result could not be read yet (its Pod not listed yet):
  // wait a little for it rather than decide without it.
  bool AwaitResult(const ObservedJob& job) {
    if (job.state.phase != JobPhase::kSucceeded || job.result) return false;
    WallTime done = job.state.completion_time.value_or(now_);
    if (now_ - done >= kResultGrace) return false;
    Requeue(kWorkloadPoll);
    return true;
  }

  bool RunValidate(api::Step& s) {
    const ObservedJob* job = EnsureJob(s, CatalogJobName(request_.metadata.name),
                                       [&] { return BuildCatalogJob(request_, Context()); });
    if (job == nullptr || AwaitResult(*job)) return false;
    if (!job->result && Succeeded(*job)) {
      std::string message = "Job " + job->state.name + " left no catalog result: " + job->result_error;
      SetCond(api::kConditionValidated, ConditionStatus::kFalse, "CatalogFailed", message);
      Fail(s, "CatalogFailed", message);
      return true;
    }
    if (!Succeeded(*job)) {
      auto [reason, message] = JobFailure(*job, "CatalogFailed");
      if (reason == "PermissionDenied") reason = "RepositoryAccessDenied";
      SetCond(api::kConditionValidated, ConditionStatus::kFalse, reason, message);
      Fail(s, reason, message);
      return true;
    }
    // The agent chose each target's backup (agent::SelectBackup); read its answers.
    const agent::CatalogResult catalog = agent::ParseCatalogResult(job->result->raw);
    std::vector<std::string> targets;
    const bool point_in_time = request_.spec.database && request_.spec.database->PointInTime();
    if (request_.spec.database && !point_in_time) targets.push_back(DatabaseTargetKey(*request_.spec.database));
    for (const api::MediaTarget& m : request_.spec.media) targets.push_back(MediaTargetKey(m));
    std::vector<agent::BackupSelection> selections = BackupSelections(request_.spec);
    std::vector<api::RestoredBackup> chosen;
    for (size_t i = 0; i < selections.size() && i < targets.size(); ++i) {
      auto it = catalog.selected.find(selections[i].Key());
      if (it == catalog.selected.end() || it->second.backup_id.empty()) {
        std::string error = it != catalog.selected.end() ? it->second.error : "";
        return FailValidate(s, error.empty() ? "Job " + job->state.name + " reported no backup for " + targets[i] : error);
      }
      api::BackupRef ref{it->second.backup_id, selections[i].source, std::nullopt, std::nullopt, std::nullopt, {}};
      auto time = ParseRfc3339(it->second.time);
      if (time.ok()) ref.start_time = *time;
      chosen.push_back({targets[i], ref});
    }
    std::string recovery;
    if (point_in_time) {
      std::string refused = RecoveryWindowRefusal(catalog, &recovery);
      if (!refused.empty()) return FailValidate(s, refused);
    }
    if (plan_.status.restored_backups.empty()) plan_.status.restored_backups = chosen;
    std::set<std::string> chosen_ids;
    for (const auto& c : plan_.status.restored_backups) chosen_ids.insert(c.backup.id);
    std::vector<std::string> list(chosen_ids.begin(), chosen_ids.end());
    std::string message = list.empty() ? recovery
                                       : "Restoring backup " + Join(list) + " (" + std::to_string(catalog.backup_ids.size()) +
                                             " backups in the repository" +
                                             (request_.spec.source.before
                                                  ? ", newest at or before " + FormatRfc3339(*request_.spec.source.before)
                                                  : "") +
                                             ")" + (recovery.empty() ? "" : "; " + recovery);
    SetCond(api::kConditionValidated, ConditionStatus::kTrue, point_in_time ? "WalArchiveFound" : "BackupFound", message);
    FinishStep(s, api::kStepSucceeded, message);
    return true;
  }

  // A point-in-time recovery against the policy's recoverability window (the catalog's walArchive):
  // refused before anything changes when there is no base backup at all or the target is before
  // the first recoverable time (both can only get worse). A target after the window's end is left
  // to the restore Job: the streamer uploads every uploadInterval, so the archive may reach it by
  // then, and the agent fails with RecoveryTargetNotReached when it does not. Returns the refusal
  // (for BackupNotFound), or "" with `summary` set.
  std::string RecoveryWindowRefusal(const agent::CatalogResult& catalog, std::string* summary) {
    const api::DatabaseTarget& d = *request_.spec.database;
    const std::string& policy = request_.spec.source.policy_name;
    if (!plan_.status.recovery) plan_.status.recovery = api::RecoveryStatus{};
    plan_.status.recovery->target = d.recovery_target;
    plan_.status.recovery->tables = d.tables;
    if (!catalog.wal_archive || catalog.wal_archive->first_recoverable_time.empty()) {
      return "The repository holds no base backup of BackupPolicy " + Quote(policy) +
             " that a recovery can start from; nothing was changed. A point-in-time recovery needs a base backup "
             "taken before the target (the policy takes them on its schedule) and the WAL archived since";
    }
    const agent::CatalogWalArchive& w = *catalog.wal_archive;
    plan_.status.recovery->last_recoverable_time = w.last_recoverable_time;
    auto target = ParseRecoveryTarget(d.recovery_target);
    auto first = ParseRfc3339(w.first_recoverable_time);
    if (target.ok() && first.ok() && target->kind == RecoveryTarget::Kind::kTime && target->time < *first) {
      return "No base backup of BackupPolicy " + Quote(policy) + " finished before the recovery target " + d.recovery_target +
             ": the first recoverable time is " + w.first_recoverable_time + "; nothing was changed";
    }
    *summary = "Recovering " + d.SourceDatabase() + (d.tables.empty() ? "" : " (tables " + Join(d.tables) + ")") + " to " +
               d.recovery_target + " from the base backups and WAL of BackupPolicy " + Quote(policy) + " (recoverable from " +
               w.first_recoverable_time + " to " + (w.last_recoverable_time.empty() ? "?" : w.last_recoverable_time) +
               (w.gap ? "; the archive has a gap after the newest base backup" : "") + ")";
    return "";
  }

  static std::string Quote(const std::string& text) { return "\"" + text + "\""; }

  bool FailValidate(api::Step& s, const std::string& message) {
    SetCond(api::kConditionValidated, ConditionStatus::kFalse, "BackupNotFound", message);
    Fail(s, "BackupNotFound", message);
    return true;
  }

  const api::RestoredBackup* Chosen(const std::string& target) const {
    for (const auto& r : plan_.status.restored_backups) {
      if (r.target == target) return &r;
    }
    return nullptr;
  }

  std::int64_t QuiesceTimeoutSeconds() const {
    return request_.spec.quiesce ? request_.spec.quiesce->timeout_seconds : 300;
  }
  bool TimedOut(const api::Step& s) const {
    return s.start_time && now_ - *s.start_time >= std::chrono::seconds(QuiesceTimeoutSeconds());
  }

  bool RunQuiesce(api::Step& s) {
    if (!request_.spec.quiesce || request_.spec.quiesce->workloads.empty()) {
      FinishStep(s, api::kStepSkipped, "No workloads to quiesce");
      return true;
    }
    if (plan_.status.quiesced_workloads.empty()) {
      // Save every count first (status is written before any scale is applied).
      std::vector<api::QuiescedWorkload> saved;
      for (const api::WorkloadRef& w : request_.spec.quiesce->workloads) {
        auto it = o_.workloads.find(WorkloadKey(w.kind, w.name));
        if (it == o_.workloads.end()) {
          Fail(s, "WorkloadNotFound", w.kind + " \"" + w.name + "\" was not found; nothing was scaled");
          return true;
        }
        saved.push_back({w.kind, w.name, it->second.spec_replicas});
      }
      plan_.status.quiesced_workloads = saved;
      Event("Normal", "Quiescing", "Saved replica counts and scaling to 0: " + SavedText());
    }
    bool all_down = true;
    for (const api::QuiescedWorkload& w : plan_.status.quiesced_workloads) {
      auto it = o_.workloads.find(WorkloadKey(w.kind, w.name));
      if (it == o_.workloads.end()) continue;  // Gone: nothing runs.
      if (it->second.spec_replicas != 0) {
        plan_.scales.push_back({w.kind, w.name, 0});
        all_down = false;
      } else if (it->second.replicas != 0) {
        all_down = false;
      }
    }
    if (all_down) {
      FinishStep(s, api::kStepSucceeded, "Scaled to 0 (saved replicas: " + SavedText() + ")");
      return true;
    }
    if (TimedOut(s)) {
      Fail(s, "QuiesceTimeout",
           "The workloads did not reach 0 replicas within " + std::to_string(QuiesceTimeoutSeconds()) + "s");
      return true;
    }
    Requeue(kWorkloadPoll);
    return false;
  }

  std::string SavedText() const {
    std::string out;
    for (const auto& w : plan_.status.quiesced_workloads) {
      out += (out.empty() ? "" : ", ") + w.kind + "/" + w.name + "=" + std::to_string(w.replicas);
    }
    return out;
  }

  bool RunSafetyBackup(api::Step& s) {
    if (!request_.spec.SafetyBackupEnabled()) {
      FinishStep(s, api::kStepSkipped, "No safety backup: no target is replaced (spec.safetyBackup.enabled)");
      return true;
    }
    if (!HasSafetyBackupTargets(request_.spec)) {
      FinishStep(s, api::kStepSkipped, "No safety backup: restoring into a new database overwrites nothing");
      return true;
    }
    const ObservedJob* job = EnsureJob(s, SafetyBackupJobName(request_.metadata.name),
                                       [&] { return BuildSafetyBackupJob(request_, Context()); });
    if (job == nullptr || AwaitResult(*job)) return false;
    if (!Succeeded(*job)) {
      auto [reason, message] = JobFailure(*job, "SafetyBackupFailed");
      Fail(s, "SafetyBackupFailed", "The safety backup failed, nothing was restored: " + message + " (" + reason + ")");
      return true;
    }
    api::BackupRef ref;
    ref.id = job->result && !job->result->backup_id.empty() ? job->result->backup_id : job->state.name;
    ref.source = kSafetyBackupPolicy;
    if (job->result) {
      ref.start_time = job->result->start_time;
      ref.completion_time = job->result->end_time;
      ref.size_bytes = job->result->size_bytes;
      for (const auto& d : job->result->databases) ref.snapshot_ids.push_back(d.snapshot_id);
      for (const auto& m : job->result->media) ref.snapshot_ids.push_back(m.snapshot_id);
    }
    if (std::none_of(plan_.status.safety_backups.begin(), plan_.status.safety_backups.end(),
                     [&](const api::BackupRef& b) { return b.id == ref.id; })) {
      plan_.status.safety_backups.push_back(ref);
    }
    FinishStep(s, api::kStepSucceeded,
               "Safety backup " + ref.id + " taken (policy pre-restore); to roll back, restore backupId " + ref.id);
    return true;
  }

  bool SafetyDone() { return StepOf(api::kStepSafetyBackup).state == api::kStepSucceeded; }

  // Records the restored backup's time (for the RPO) from a restore result.
  void RecordBackupTime(const std::string& target, const ObservedJob& job) {
    if (!job.result) return;
    std::string text = agent::ParseRestoreResult(job.result->raw).backup_time;
    if (text.empty()) return;
    auto time = ParseRfc3339(text);
    if (!time.ok()) return;
    for (auto& r : plan_.status.restored_backups) {
      if (r.target == target) r.backup.start_time = *time;
    }
  }

  bool RunRestoreDatabase(api::Step& s) {
    if (!request_.spec.database) {
      FinishStep(s, api::kStepSkipped, "No database target");
      return true;
    }
    const api::DatabaseTarget& d = *request_.spec.database;
    const api::RestoredBackup* chosen = Chosen(DatabaseTargetKey(d));
    if (chosen == nullptr && !d.PointInTime()) {
      Fail(s, "BackupNotChosen", "No backup was recorded for " + DatabaseTargetKey(d));
      return true;
    }
    std::string id = chosen != nullptr ? chosen->backup.id : "";
    bool safety = SafetyDone();
    const ObservedJob* job = EnsureJob(s, DatabaseRestoreJobName(request_.metadata.name),
                                       [&] { return BuildDatabaseRestoreJob(request_, Context(), id, safety); });
    if (job == nullptr || AwaitResult(*job)) return false;
    if (d.PointInTime()) id = RecordRecovery(*job);
    RecordBackupTime(DatabaseTargetKey(d), *job);
    RecordRolesCreated(*job);
    if (!Succeeded(*job)) {
      auto [reason, message] = JobFailure(*job, "RestoreFailed");
      Fail(s, reason, message);
      return true;
    }
    std::string staging = StagingDatabaseName(d.database, request_.metadata.name);
    std::string roles = plan_.status.roles_created.empty() ? "" : "; created roles " + Join(plan_.status.roles_created);
    if (d.PointInTime()) {
      const api::RecoveryStatus& r = *plan_.status.recovery;
      std::string what = d.ReplacesTables() ? "Replaced tables " + Join(d.tables) + " in database " + d.database
                                            : d.Swaps() ? "Restored and verified " + d.SourceDatabase() + " as database " + staging +
                                                              " beside " + d.database + ", which is untouched until the swap"
                                                        : "Restored database " + d.database + " (" + d.mode +
                                                              (d.InPlace() ? ", InPlace" : "") + ")";
      FinishStep(s, api::kStepSucceeded,
                 what + " from a point-in-time recovery to " + d.recovery_target + ": reached " +
                     (r.reached_time.empty() ? "the base backup's end (no commit replayed)" : r.reached_time) +
                     " (base backup " + r.base_backup_id + ", " + std::to_string(r.wal_snapshots) + " WAL snapshots)" + roles);
      return true;
    }
    if (d.Swaps()) {
      FinishStep(s, api::kStepSucceeded,
                 "Restored and verified backup " + id + " as database " + staging + " beside " + d.database +
                     ", which is untouched until the swap" + roles);
    } else {
      FinishStep(s, api::kStepSucceeded, "Restored database " + d.database + " (" + d.mode +
                                             (d.InPlace() ? ", InPlace" : "") + ") from backup " + id + roles);
    }
    return true;
  }

  // The point-in-time recovery the restore Job reported (also when it failed: the agent says how far
  // the archive reached) into status.recovery, and the recovered base backup, as of the point
  // reached, into status.restoredBackups (backupAge is then the data the recovery could not bring
  // back). Returns the base backup's id.
  std::string RecordRecovery(const ObservedJob& job) {
    const api::DatabaseTarget& d = *request_.spec.database;
    if (!plan_.status.recovery) plan_.status.recovery = api::RecoveryStatus{};
    api::RecoveryStatus& r = *plan_.status.recovery;
    r.target = d.recovery_target;
    r.tables = d.tables;
    if (!job.result) return r.base_backup_id;
    const std::optional<agent::RecoveryReport> reported = agent::ParseRestoreResult(job.result->raw).recovery;
    if (!reported) return r.base_backup_id;
    r.reached_time = reported->reached_time;
    r.reached_lsn = reported->reached_lsn;
    r.base_backup_id = reported->base_backup_id;
    r.base_backup_time = reported->base_consistent_time;
    if (!reported->archive_until.empty()) r.last_recoverable_time = reported->archive_until;
    r.wal_snapshots = reported->wal_snapshots;
    if (!r.base_backup_id.empty() && Chosen(DatabaseTargetKey(d)) == nullptr) {
      api::BackupRef ref{r.base_backup_id, d.SourceDatabase(), std::nullopt, std::nullopt, std::nullopt, {}};
      plan_.status.restored_backups.insert(plan_.status.restored_backups.begin(), {DatabaseTargetKey(d), ref});
    }
    return r.base_backup_id;
  }

  // The roles the restore Job created (the agent reports them also when it failed later).
  void RecordRolesCreated(const ObservedJob& job) {
    if (!job.result) return;
    std::optional<agent::DatabaseRestoreReport> database = agent::ParseRestoreResult(job.result->raw).database;
    if (!database) return;
    for (const std::string& name : database->roles_created) {
      if (std::find(plan_.status.roles_created.begin(), plan_.status.roles_created.end(), name) == plan_.status.roles_created.end()) {
        plan_.status.roles_created.push_back(name);
      }
    }
  }

  // Swap: the verified staging database becomes the live one, the live one is kept as the previous
  // database (one transaction in the agent); the write unavailability is what the agent measured.
  bool RunSwapDatabase(api::Step& s) {
    const api::DatabaseTarget& d = *request_.spec.database;
    const ObservedJob* job = EnsureJob(s, SwapJobName(request_.metadata.name), [&] { return BuildSwapJob(request_, Context()); });
    if (job == nullptr || AwaitResult(*job)) return false;
    if (!Succeeded(*job)) {
      auto [reason, message] = JobFailure(*job, "SwapFailed");
      Fail(s, "SwapFailed", message);
      return true;
    }
    std::string previous = PreviousDatabaseName(d.database, request_.metadata.name);
    auto keep = ParseDuration(d.keep_previous_for);
    api::PreviousDatabase kept{previous, now_ + (keep.ok() ? *keep : Duration::zero()), std::nullopt, ""};
    if (!plan_.status.previous_database) plan_.status.previous_database = kept;
    std::string unavailable;
    std::optional<double> seconds = job->result ? agent::ParseSwapDatabaseResult(job->result->raw).unavailable_seconds : std::nullopt;
    if (seconds) {
      char text[32];
      std::snprintf(text, sizeof text, "%.3f", *seconds);
      unavailable = " (database unavailable for " + std::string(text) + " s)";
    }
    FinishStep(s, api::kStepSucceeded,
               "Swapped the restored database in as " + d.database + unavailable + "; the previous one is kept as " +
                   previous + " until " + FormatRfc3339(*plan_.status.previous_database->keep_until));
    return true;
  }

  // What a failed database step left behind, and the Job that makes it safe again (none: nothing
  // to roll back, with why).
  struct RollbackNeed {
    bool job = false;
    std::string message;  // Without a Job: why there is nothing to roll back.
  };
  RollbackNeed NeedsRollback() const {
    const api::Step* restore = api::FindStep(plan_.status.steps, api::kStepRestoreDatabase);
    const api::Step* swap = api::FindStep(plan_.status.steps, api::kStepSwapDatabase);
    const api::DatabaseTarget& d = *request_.spec.database;
    if (swap != nullptr && swap->state == api::kStepFailed) return {true, ""};
    if (restore == nullptr || restore->state != api::kStepFailed) {
      bool swapped = swap != nullptr && swap->state == api::kStepSucceeded;
      bool restored = restore != nullptr && restore->state == api::kStepSucceeded && !d.Swaps();
      return {false, swapped || restored ? "Nothing to roll back: " + d.database + " is the verified restore"
                                         : "Nothing to roll back: " + d.database + " was not changed"};
    }
    const ObservedJob* job = Job(DatabaseRestoreJobName(request_.metadata.name));
    if (job == nullptr || !job->result) return {true, ""};  // Killed: what it left is unknown.
    std::optional<agent::DatabaseRestoreReport> database = agent::ParseRestoreResult(job->result->raw).database;
    if (!database) return {false, "Nothing to roll back: the restore failed before it touched " + d.database};
    if (!database->cleanup_error.empty()) return {true, ""};  // Its own cleanup failed.
    if (d.ReplacesTables()) {
      return {false, "Nothing to roll back: the tables are replaced in one transaction, which did not commit, so " +
                         d.database + " is as it was"};
    }
    if (d.InPlace()) {
      if (database->target_dropped) return {true, ""};
      return {false, "Nothing to roll back: the restore failed before " + d.database + " was dropped"};
    }
    const std::string& staging = database->kept_as;
    return {false, "Nothing to roll back: " + (d.mode == "Replace" ? d.database + " was not touched" : d.database + " was not created") +
                       (staging.empty() ? "; the partly restored staging database was dropped"
                                        : "; the partly restored database was kept as " + staging)};
  }

  bool RunRollBack(api::Step& s) {
    bool failed = std::any_of(plan_.status.steps.begin(), plan_.status.steps.end(), [](const api::Step& x) {
      return x.state == api::kStepFailed && !RunsAfterAFailure(x.name);
    });
    if (!failed || !request_.spec.database) {
      FinishStep(s, api::kStepSkipped, failed ? "Nothing to roll back: no database target" : "Nothing to roll back");
      return true;
    }
    RollbackNeed need = NeedsRollback();
    if (!need.job) {
      FinishStep(s, api::kStepSkipped, need.message);
      return true;
    }
    const api::DatabaseTarget& d = *request_.spec.database;
    std::string safety = plan_.status.safety_backups.empty() ? "" : plan_.status.safety_backups.front().id;
    if (d.InPlace() && safety.empty()) {
      FinishStep(s, api::kStepFailed, d.database + " was dropped and there is no safety backup to restore it from");
      return true;
    }
    const ObservedJob* job = EnsureJob(s, RollbackJobName(request_.metadata.name),
                                       [&] { return BuildRollbackJob(request_, Context(), safety); });
    if (job == nullptr || AwaitResult(*job)) return false;
    if (!Succeeded(*job)) {
      auto [reason, message] = JobFailure(*job, "RollbackFailed");
      FinishStep(s, api::kStepFailed, message);
      return true;
    }
    std::string state = job->result ? agent::ParseSwapDatabaseResult(job->result->raw).state : "";
    if (d.InPlace()) state = d.database + " holds safety backup " + safety + " again, as it was before the restore";
    FinishStep(s, api::kStepSucceeded, "Rolled back: " + (state.empty() ? d.database + " is usable again" : state));
    return true;
  }

  // A Replace whose database step failed and could not be rolled back: the workloads must not
  // start against it.
  bool DatabaseUnsafeToResume() const {
    if (!request_.spec.database || request_.spec.database->mode != "Replace") return false;
    const api::Step* rollback = api::FindStep(plan_.status.steps, api::kStepRollBack);
    return rollback != nullptr && rollback->state == api::kStepFailed;
  }

  // What to do by hand when the rollback failed (the workloads stay quiesced).
  std::string ManualRecovery() const {
    const api::DatabaseTarget& d = *request_.spec.database;
    std::string safety = plan_.status.safety_backups.empty() ? "" : plan_.status.safety_backups.front().id;
    std::string scale = SavedText().empty() ? "" : ", then scale the workloads back (" + SavedText() + ")";
    if (d.InPlace()) {
      return d.database + " was dropped and may be half restored. Restore safety backup " + safety +
             " into it (a RestoreRequest with spec.database.backupID: " + safety + ", mode Replace, strategy InPlace)" + scale;
    }
    return "the swap did not complete, so " + d.database + " is the database from before the restore, but it may refuse "
           "connections: run ALTER DATABASE " + d.database + " WITH ALLOW_CONNECTIONS true and drop " +
           StagingDatabaseName(d.database, request_.metadata.name) + " if it exists" + scale;
  }

  // After a Swap succeeded: the previous database is dropped once keepPreviousFor is over.
  void DecidePreviousDatabaseCleanup() {
    auto& previous = plan_.status.previous_database;
    if (!previous || previous->dropped_time || !previous->keep_until || !previous->message.empty()) return;
    if (plan_.status.phase != kPhaseSucceeded || !request_.spec.database) return;
    if (now_ < *previous->keep_until) {
      Requeue(*previous->keep_until - now_);
      return;
    }
    const std::string name = DropPreviousJobName(request_.metadata.name);
    const ObservedJob* job = Job(name);
    if (job == nullptr) {
      plan_.create_jobs.push_back(BuildDropPreviousJob(request_, Context()));
      Requeue(kWorkloadPoll);
      return;
    }
    if (!job->state.finished() || AwaitResult(*job)) {
      Requeue(kWorkloadPoll);
      return;
    }
    if (Succeeded(*job)) {
      previous->dropped_time = now_;
      Event("Normal", "PreviousDatabaseDropped",
            "Dropped " + previous->name + ", the database this restore replaced (spec.database.keepPreviousFor is over)");
    } else {
      auto [reason, message] = JobFailure(*job, "DropFailed");
      previous->message = message;
      Event("Warning", "PreviousDatabaseKept", previous->name + " was not dropped: " + message);
    }
  }

  bool RunRestoreMedia(api::Step& s) {
    if (request_.spec.media.empty()) {
      FinishStep(s, api::kStepSkipped, "No media target");
      return true;
    }
    bool safety = SafetyDone();
    bool all_done = true;
    std::vector<const ObservedJob*> finished;
    for (size_t i = 0; i < request_.spec.media.size(); ++i) {
      const api::MediaTarget& m = request_.spec.media[i];
      const api::RestoredBackup* chosen = Chosen(MediaTargetKey(m));
      if (chosen == nullptr) {
        Fail(s, "BackupNotChosen", "No backup was recorded for " + MediaTargetKey(m));
        return true;
      }
      std::string id = chosen->backup.id;
      const ObservedJob* job = EnsureJob(s, MediaRestoreJobName(request_.metadata.name, i),
                                         [&] { return BuildMediaRestoreJob(request_, Context(), i, id, safety); });
      if (job == nullptr || AwaitResult(*job)) {
        all_done = false;
        continue;
      }
      RecordBackupTime(MediaTargetKey(m), *job);
      finished.push_back(job);
    }
    if (!all_done) return false;
    for (const ObservedJob* job : finished) {
      if (!Succeeded(*job)) {
        auto [reason, message] = JobFailure(*job, "RestoreFailed");
        Fail(s, reason, message);
        return true;
      }
    }
    FinishStep(s, api::kStepSucceeded, "Restored " + std::to_string(finished.size()) + " media target(s)" +
                                           OwnershipWarnings());
    return true;
  }

  // Files a media restore could not give back to their owner (its Job's user may not change a
  // file's owner): a Warning Event each, with the agent's sentence saying why and what fixes it,
  // and the count for the step's message. The data itself is restored.
  std::string OwnershipWarnings() {
    std::int64_t total = 0;
    for (size_t i = 0; i < request_.spec.media.size(); ++i) {
      const ObservedJob* job = Job(MediaRestoreJobName(request_.metadata.name, i));
      if (job == nullptr || !job->result) continue;
      const std::optional<agent::MediaRestoreReport> media = agent::ParseRestoreResult(job->result->raw).media;
      if (!media || media->owners_not_restored == 0) continue;
      total += media->owners_not_restored;
      Event("Warning", "OwnersNotRestored",
            MediaTargetKey(request_.spec.media[i]) + " (spec.media[" + std::to_string(i) + "]): " + media->ownership_message);
    }
    if (total == 0) return "";
    return "; " + std::to_string(total) + " files could not be given back to their owner (see the OwnersNotRestored Events)";
  }

  bool RunPostRestore(api::Step& s) {
    if (request_.spec.post_restore.empty()) {
      FinishStep(s, api::kStepSkipped, "No post-restore Jobs");
      return true;
    }
    for (size_t i = 0; i < request_.spec.post_restore.size(); ++i) {
      const ObservedJob* job = EnsureJob(s, PostRestoreJobName(request_.metadata.name, request_.spec.post_restore[i].name),
                                         [&] { return BuildPostRestoreJob(request_, i); });
      if (job == nullptr) return false;
      if (job->state.phase != JobPhase::kSucceeded) {
        auto [reason, message] = JobFailure(*job, "PostRestoreFailed");
        Fail(s, "PostRestoreFailed", "Post-restore Job " + request_.spec.post_restore[i].name + " failed: " + message);
        return true;
      }
    }
    FinishStep(s, api::kStepSucceeded, "Ran " + std::to_string(request_.spec.post_restore.size()) + " post-restore Job(s)");
    return true;
  }

  bool RunVerify(api::Step& s) {
    std::vector<api::CheckResult> checks;
    std::int64_t tables = 0, checksums = 0, files = 0;
    auto add_from = [&](const ObservedJob* job, const std::string& target) {
      if (job == nullptr || !job->result) return;
      agent::RestoreResult reported = agent::ParseRestoreResult(job->result->raw);
      if (reported.database) {
        const agent::DatabaseRestoreReport& d = *reported.database;
        std::int64_t t = d.tables_verified;
        std::int64_t c = d.checksums_verified ? t : 0;  // Every verified table's checksum was compared.
        std::int64_t mismatches = d.mismatches;
        tables += t;
        checksums += c;
        checks.push_back({target + " row counts", "RowCount", std::to_string(t) + " tables", std::to_string(t - mismatches) + " match",
                          mismatches == 0, mismatches == 0 ? "" : std::to_string(mismatches) + " mismatches"});
        if (c > 0) {
          checks.push_back({target + " checksums", "TableChecksum", std::to_string(c) + " tables", std::to_string(c) + " verified",
                            mismatches == 0, ""});
        }
      }
      if (reported.media) {
        std::int64_t f = reported.media->files_verified;
        std::int64_t mismatches = reported.media->mismatches;
        files += f;
        checks.push_back({target + " files", "FileChecksum", std::to_string(f) + " files", std::to_string(f - mismatches) + " match",
                          mismatches == 0, mismatches == 0 ? "" : std::to_string(mismatches) + " mismatches"});
      }
    };
    if (request_.spec.database) add_from(Job(DatabaseRestoreJobName(request_.metadata.name)), DatabaseTargetKey(*request_.spec.database));
    for (size_t i = 0; i < request_.spec.media.size(); ++i) {
      add_from(Job(MediaRestoreJobName(request_.metadata.name, i)), MediaTargetKey(request_.spec.media[i]));
    }
    // The user's SQL checks run now, after the post-restore Jobs, in their own Job.
    if (!request_.spec.verify.sql.empty() && request_.spec.database) {
      const ObservedJob* job = EnsureJob(s, VerifyJobName(request_.metadata.name),
                                         [&] { return BuildVerifyJob(request_, Context()); });
      if (job == nullptr || AwaitResult(*job)) {
        plan_.status.checks = checks;
        return false;
      }
      const agent::VerifyResult reported = job->result ? agent::ParseVerifyResult(job->result->raw) : agent::VerifyResult{};
      if (!reported.checks_reported) {
        auto [reason, message] = JobFailure(*job, "VerificationFailed");
        plan_.status.checks = checks;
        Fail(s, "VerificationFailed", "The SQL checks did not run: " + message + " (" + reason + ")");
        return true;
      }
      for (const agent::SqlCheckReport& c : reported.checks) checks.push_back({c.name, "SQL", "", "", c.passed, c.message});
    }
    plan_.status.checks = checks;
    if (checks.empty()) {
      FinishStep(s, api::kStepSkipped, "No verification results (verification disabled, or nothing restored)");
      return true;
    }
    std::int64_t failed = std::count_if(checks.begin(), checks.end(), [](const api::CheckResult& c) { return !c.passed; });
    if (failed > 0) {
      std::string first;
      for (const api::CheckResult& c : checks) {
        if (!c.passed && first.empty()) first = c.name + (c.message.empty() ? "" : ": " + c.message);
      }
      Fail(s, "VerificationFailed",
           std::to_string(failed) + " of " + std::to_string(checks.size()) + " checks failed (first: " + first + ")");
      return true;
    }
    std::int64_t sql = std::count_if(checks.begin(), checks.end(), [](const api::CheckResult& c) { return c.type == "SQL"; });
    FinishStep(s, api::kStepSucceeded,
               "Verified against the backup's manifest: " + std::to_string(tables) + " tables (" + std::to_string(checksums) +
                   " checksums), " + std::to_string(files) + " files; " + std::to_string(sql) + " SQL checks; " +
                   std::to_string(checks.size()) + " checks passed");
    return true;
  }

  bool RunResume(api::Step& s) {
    if (DatabaseUnsafeToResume()) {
      FinishStep(s, api::kStepSkipped,
                 "Not run: the database could not be rolled back, so the workloads stay scaled to 0 (saved replicas: " +
                     SavedText() + ")");
      return true;
    }
    if (plan_.status.quiesced_workloads.empty()) {
      FinishStep(s, api::kStepSkipped, "Nothing to resume");
      return true;
    }
    bool ready = true;
    std::vector<std::string> missing;
    for (const api::QuiescedWorkload& w : plan_.status.quiesced_workloads) {
      auto it = o_.workloads.find(WorkloadKey(w.kind, w.name));
      if (it == o_.workloads.end()) {
        missing.push_back(w.kind + "/" + w.name);
        continue;
      }
      if (it->second.spec_replicas != w.replicas) {
        plan_.scales.push_back({w.kind, w.name, w.replicas});
        ready = false;
      } else if (it->second.ready_replicas < w.replicas) {
        ready = false;
      }
    }
    std::string note = missing.empty() ? "" : " (not found, not resumed: " + Join(missing) + ")";
    if (ready) {
      FinishStep(s, api::kStepSucceeded, "Workloads back at their saved replicas: " + SavedText() + note);
      return true;
    }
    if (plan_.scales.empty() && TimedOut(s)) {
      FinishStep(s, api::kStepFailed,
                 "Workloads scaled back to " + SavedText() + " but not ready within " + std::to_string(QuiesceTimeoutSeconds()) + "s");
      return true;
    }
    Requeue(kWorkloadPoll);
    return false;
  }

  void Finish() {
    api::RestoreRequestStatus& st = plan_.status;
    const Condition* succeeded = FindCondition(st.conditions, api::kConditionSucceeded);
    std::string failure_reason, failure_message;
    for (const api::Step& s : st.steps) {
      if (s.state == api::kStepFailed && failure_reason.empty() && !RunsAfterAFailure(s.name)) {
        failure_reason = succeeded && succeeded->reason != kReasonRunning ? succeeded->reason : s.name + "Failed";
        failure_message = s.name + " failed: " + s.message;
      }
    }
    for (const api::Step& s : st.steps) {
      if (s.state != api::kStepFailed || !RunsAfterAFailure(s.name)) continue;
      if (s.name == api::kStepRollBack) {
        failure_reason = "RollbackFailed";
        failure_message += (failure_message.empty() ? "" : "; ") + std::string("the rollback failed too: ") + s.message;
      } else if (failure_reason.empty()) {
        failure_reason = "ResumeTimeout";
        failure_message = s.name + " failed: " + s.message;
      }
    }
    WallTime start = st.start_time.value_or(now_);
    Duration duration = now_ - start;
    st.completion_time = now_;
    st.duration = FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(duration));
    st.current_step = "";
    std::optional<double> age;
    std::optional<WallTime> backup_time;
    for (const auto& r : st.restored_backups) {
      if (r.backup.start_time && (!backup_time || *r.backup.start_time < *backup_time)) backup_time = r.backup.start_time;
    }
    if (backup_time) {
      Duration a = start - *backup_time;
      if (a < Duration::zero()) a = Duration::zero();
      age = Seconds(a);
      st.backup_age = FormatDuration(std::chrono::duration_cast<std::chrono::seconds>(a));
    }
    std::string safety = st.safety_backups.empty() ? "" : "; safety backup " + st.safety_backups.front().id;
    if (failure_reason.empty()) {
      st.phase = kPhaseSucceeded;
      std::string message = "Restore succeeded in " + st.duration + (st.backup_age.empty() ? "" : ", backup age " + st.backup_age) + safety;
      SetCond(api::kConditionSucceeded, ConditionStatus::kTrue, "RestoreSucceeded", message);
      Event("Normal", "RestoreSucceeded", message);
    } else {
      st.phase = kPhaseFailed;
      const api::Step* rollback = api::FindStep(st.steps, api::kStepRollBack);
      std::string rolled_back = rollback != nullptr && rollback->state == api::kStepSucceeded ? "; " + rollback->message : "";
      std::string message = DatabaseUnsafeToResume()
                                ? failure_message + ". The workloads stay scaled to 0 so nothing runs against a broken "
                                                    "database; to recover: " + ManualRecovery()
                                : failure_message + rolled_back +
                                      (st.quiesced_workloads.empty() ? "" : "; workloads resumed") + safety;
      SetCond(api::kConditionSucceeded, ConditionStatus::kFalse, failure_reason, message);
      Event("Warning", "RestoreFailed", message);
    }
    plan_.finished = FinishedRestore{failure_reason.empty(), Seconds(duration), age};
    SetFinalizer(false);
  }

  // ---- deletion ----
  // Stops the running Jobs first and waits until they are gone (the shell deletes them in the
  // foreground, so a Job is gone only when its Pods are): the app must never start against a
  // database that is still being restored. Then scales the workloads back, then releases the
  // finalizer.
  void DecideDeletion() {
    if (!has_finalizer_) return;
    std::vector<std::string> stopping;
    const std::string rollback_job = RollbackJobName(current_.metadata.name);
    for (const auto& [name, job] : o_.jobs) {
      if (job.state.finished() || name == rollback_job) continue;
      stopping.push_back(name);
      if (!job.state.deleting) plan_.delete_jobs.push_back(name);
    }
    if (!stopping.empty()) {
      if (!plan_.delete_jobs.empty()) {
        Event("Normal", "StoppingJobs",
              "The RestoreRequest is being deleted mid-run: stopping " + Join(stopping) +
                  " before the workloads are scaled back");
      }
      Requeue(kWorkloadPoll);
      return;
    }
    if (!CleanedUpAfterDeletion()) {
      Requeue(kWorkloadPoll);
      return;
    }
    if (DeletedMidInPlaceRestore()) {
      if (!plan_.status.quiesced_workloads.empty()) {
        Event("Warning", "NotResuming",
              "The RestoreRequest was deleted while " + request_.spec.database->database +
                  " was being restored in place: it may be half restored, so the workloads stay scaled to 0 (saved "
                  "replicas: " + SavedText() + "). Restore safety backup " +
                  (plan_.status.safety_backups.empty() ? std::string("(none)") : plan_.status.safety_backups.front().id) +
                  " into it, then scale them back");
      }
      SetFinalizer(false);
      return;
    }
    bool resumed = true;
    const api::Step* resume = api::FindStep(plan_.status.steps, api::kStepResume);
    bool resume_done = resume != nullptr && resume->state == api::kStepSucceeded;
    if (!resume_done) {
      for (const api::QuiescedWorkload& w : plan_.status.quiesced_workloads) {
        auto it = o_.workloads.find(WorkloadKey(w.kind, w.name));
        if (it == o_.workloads.end()) continue;
        if (it->second.spec_replicas != w.replicas) {
          plan_.scales.push_back({w.kind, w.name, w.replicas});
          resumed = false;
        }
      }
    }
    if (!plan_.scales.empty()) {
      Event("Normal", "ResumingAfterDeletion", "The RestoreRequest is being deleted mid-run: scaling back " + SavedText());
    }
    if (resumed) {
      SetFinalizer(false);
    } else {
      Requeue(kWorkloadPoll);
    }
  }

  // Deleted while a staged restore or a swap was under way: the rollback Job drops the staging
  // database and lets connections into the live one again before the finalizer is released (the
  // live database itself was never touched). True when there is nothing (more) to wait for.
  bool CleanedUpAfterDeletion() {
    if (!request_.spec.database || request_.spec.database->InPlace()) return true;
    const api::Step* restore = api::FindStep(plan_.status.steps, api::kStepRestoreDatabase);
    const api::Step* swap = api::FindStep(plan_.status.steps, api::kStepSwapDatabase);
    const api::Step* rollback = api::FindStep(plan_.status.steps, api::kStepRollBack);
    auto started = [](const api::Step* s) { return s != nullptr && (s->state == api::kStepRunning || s->state == api::kStepFailed); };
    bool restored = restore != nullptr && restore->state == api::kStepSucceeded;
    bool staging_may_exist = started(restore) || started(swap) || (restored && (swap == nullptr || swap->state != api::kStepSucceeded));
    if (!staging_may_exist) return true;
    if (rollback != nullptr && (rollback->state == api::kStepSucceeded || rollback->state == api::kStepFailed)) return true;
    api::Step& s = StepOf(api::kStepRollBack);
    StartStep(s);
    const ObservedJob* job = EnsureJob(s, RollbackJobName(request_.metadata.name), [&] { return BuildRollbackJob(request_, Context(), ""); });
    if (job == nullptr || AwaitResult(*job)) return false;
    if (Succeeded(*job)) {
      FinishStep(s, api::kStepSucceeded,
                 "Cleaned up after the deletion: " + (job->result ? agent::ParseSwapDatabaseResult(job->result->raw).state : ""));
    } else {
      auto [reason, message] = JobFailure(*job, "RollbackFailed");
      FinishStep(s, api::kStepFailed, "Could not clean up after the deletion: " + message);
    }
    return true;
  }

  // Deleted while an InPlace restore had dropped (or may have dropped) the database and no rollback
  // put it back.
  bool DeletedMidInPlaceRestore() const {
    if (!request_.spec.database || !request_.spec.database->InPlace()) return false;
    const api::Step* restore = api::FindStep(plan_.status.steps, api::kStepRestoreDatabase);
    const api::Step* rollback = api::FindStep(plan_.status.steps, api::kStepRollBack);
    bool touched = restore != nullptr && (restore->state == api::kStepRunning || restore->state == api::kStepFailed);
    bool rolled_back = rollback != nullptr && rollback->state == api::kStepSucceeded;
    return touched && !rolled_back;
  }

  const RestoreObserved& o_;
  WallTime now_;
  RestorePlan plan_;
  api::RestoreRequest current_;
  api::RestoreRequest request_;
  std::int64_t generation_ = 0;
  bool has_finalizer_ = false;
};

}  // namespace

RestorePlan Decide(const RestoreObserved& observed, WallTime now) { return Decider(observed, now).Run(); }

api::RestoreRequest EffectiveRequest(const nlohmann::json& request, api::FieldErrors* errors) {
  const nlohmann::json* status = nullptr;
  if (request.contains("status") && request["status"].is_object()) status = &request["status"];
  if (status != nullptr && status->contains("startedSpec")) {
    const nlohmann::json& started = (*status)["startedSpec"];
    if (started.is_object()) {
      nlohmann::json copy = request;
      copy["spec"] = started;
      return api::ParseRestoreRequest(copy, errors);
    }
    errors->Invalid("status.startedSpec", "", "is not a JSON object");
  }
  return api::ParseRestoreRequest(request, errors);
}

std::set<std::string> ReferencedSecrets(const nlohmann::json& request, const std::optional<nlohmann::json>& policy) {
  api::FieldErrors errors;
  api::RestoreRequest r = EffectiveRequest(request, &errors);
  api::Repository repo;
  if (r.spec.source.repository) {
    repo = *r.spec.source.repository;
  } else if (policy) {
    api::FieldErrors ignored;
    repo = api::ParseBackupPolicy(*policy, &ignored).spec.repository;
  }
  std::set<std::string> names;
  for (const SecretKeyNeed& need : RequiredSecretKeys(r.spec, repo, "")) {
    if (!need.secret.empty()) names.insert(need.secret);
  }
  return names;
}

}  // namespace lifeboat::controllers::restorerequest
