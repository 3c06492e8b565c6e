#include "controllers/failover/failover_decide.h"

#include <algorithm>

#include "operator/core/conditions.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers::failover {
namespace {

using namespace std::chrono_literals;

constexpr char kValidate[] = "Validate";
constexpr char kFence[] = "Fence";
constexpr char kCatchUp[] = "CatchUp";
constexpr char kPromote[] = "Promote";
constexpr char kSwitch[] = "Switch";
constexpr char kRejoin[] = "Rejoin";
constexpr char kPending[] = "Pending";
constexpr char kRunning[] = "Running";
constexpr char kSucceeded[] = "Succeeded";
constexpr char kFailed[] = "Failed";
constexpr char kSkipped[] = "Skipped";

// Database steps are fast: look again soon while one is under way.
constexpr Duration kPoll = std::chrono::duration_cast<Duration>(200ms);
constexpr Duration kWait = std::chrono::duration_cast<Duration>(2s);
// After an action of this plan (SQL, the Service, a scale) its result is looked at right away: the
// write unavailability of a switchover is mostly these hand-overs.
constexpr Duration kSoon = std::chrono::duration_cast<Duration>(10ms);

std::string Endpoint(const std::optional<api::PostgresConnection>& c) {
  return c ? c->host + ":" + std::to_string(c->port) : "";
}

std::string Seconds(Duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d);
  return FormatDuration(std::chrono::duration_cast<Duration>(std::max(ms, 0ms)));
}

std::uint64_t Lsn(const std::string& text) { return api::ParseLsn(text).value_or(0); }

// One Decide call. Not thread-safe.
class FailoverDecider {
 public:
  FailoverDecider(const FailoverObserved& observed, WallTime now) : o_(observed), now_(now) {
    const api::FieldErrors errors = api::CheckFailover(observed.failover, &failover_);
    for (const auto& e : errors.errors()) {
      if (e.field.rfind("status", 0) == 0) continue;  // A malformed status (ours) is not the user's error.
      spec_errors_ += (spec_errors_.empty() ? "" : "; ") + e.ToString();
    }
    s_ = failover_.status;
    s_.observed_generation = failover_.metadata.generation;
    switchover_ = failover_.spec.mode == "Switchover";
  }

  FailoverPlan Run() {
    const api::FailoverStatus before = failover_.status;
    const bool has_finalizer = std::count(failover_.metadata.finalizers.begin(), failover_.metadata.finalizers.end(),
                                          kFailoverFinalizer) > 0;
    if (failover_.metadata.deletion_timestamp) {
      if (has_finalizer) Finalize();
    } else if (s_.phase == kSucceeded || s_.phase == kFailed) {
      plan_.remove_finalizer = has_finalizer;
    } else {
      if (s_.phase.empty() || s_.phase == "Pending") Start();
      if (s_.phase == kRunning) Advance();
    }
    if (plan_.action != DatabaseAction::kNone || plan_.set_service_selector || plan_.scale) plan_.requeue_after = kSoon;
    plan_.status = std::move(s_);
    plan_.status_changed = !(plan_.status == before);
    return std::move(plan_);
  }

 private:
  const api::FailoverSpec& spec() const { return failover_.spec; }
  const MemberProbe* primary() const { return o_.primary ? &*o_.primary : nullptr; }
  const MemberProbe* replica() const { return o_.replica ? &*o_.replica : nullptr; }
  bool PrimaryAnswers() const { return primary() != nullptr && primary()->reachable; }

  api::Step& StepNamed(const char* name) {
    for (api::Step& step : s_.steps) {
      if (step.name == name) return step;
    }
    s_.steps.push_back({name, kPending, std::nullopt, std::nullopt, {}, ""});
    return s_.steps.back();
  }
  std::string State(const char* name) { return StepNamed(name).state; }
  void Begin(const char* name, const std::string& message = "") {
    api::Step& step = StepNamed(name);
    step.state = kRunning;
    step.start_time = now_;
    step.message = message;
  }
  void Complete(const char* name, const char* state, const std::string& message) {
    api::Step& step = StepNamed(name);
    step.state = state;
    if (!step.start_time) step.start_time = now_;
    step.completion_time = now_;
    step.message = message;
  }
  void Say(const char* name, const std::string& message) { StepNamed(name).message = message; }
  void Condition(ConditionStatus status, const std::string& reason, const std::string& message) {
    SetCondition(s_.conditions, {api::kConditionSucceeded, status, reason, message, now_, failover_.metadata.generation}, now_);
  }
  void Event(const char* type, const std::string& reason, const std::string& message) {
    plan_.events.push_back({type, reason, message});
  }
  void Again(Duration after) { plan_.requeue_after = after; }

  // Whether the primary may have been fenced by this run (and so must be unfenced on a failure).
  bool FenceMayHold() { return State(kFence) != kPending && State(kFence) != kSkipped; }
  bool PromotionMayHaveHappened() { return State(kPromote) != kPending; }

  void Start() {
    if (!spec_errors_.empty()) return End("InvalidSpec", "The spec is invalid: " + spec_errors_);
    if (std::string missing = MissingSecret(); !missing.empty()) return End("SecretNotFound", missing);
    if (!o_.blocked_by.empty()) {
      const bool newly = s_.phase != "Pending";
      s_.phase = "Pending";
      const std::string message = "Waiting for Failover " + o_.blocked_by.front() +
                                  " of the same pair to finish; nothing was changed";
      Condition(ConditionStatus::kUnknown, "Blocked", message);
      if (newly) Event("Warning", "Blocked", message);
      return Again(kWait);
    }
    s_.phase = kRunning;
    s_.start_time = now_;
    s_.steps.clear();
    for (const char* name : api::kFailoverSteps) StepNamed(name);
    plan_.add_finalizer = true;
    Condition(ConditionStatus::kUnknown, kRunning, spec().mode + " started");
    Event("Normal", "Started", spec().mode + " of " + Endpoint(spec().primary.connection) + " to " +
                                   Endpoint(spec().replica.connection) + " started");
    Begin(kValidate);
  }

  std::string MissingSecret() const {
    for (const auto* member : {&spec().primary, &spec().replica}) {
      if (!member->connection || member->connection->credentials_secret.empty()) continue;
      const api::PostgresConnection& c = *member->connection;
      auto found = o_.secrets.find(c.credentials_secret);
      if (found == o_.secrets.end()) return "Secret \"" + c.credentials_secret + "\" not found";
      for (const std::string& key : {c.username_key, c.password_key}) {
        if (!found->second.count(key)) return "Secret \"" + c.credentials_secret + "\" has no key \"" + key + "\"";
      }
    }
    return "";
  }

  void Advance() {
    if (RollingBack()) return UndoFenceThenFail();
    if (State(kValidate) == kRunning) Validate();
    if (State(kFence) == kRunning) Fence();
    if (State(kCatchUp) == kRunning) CatchUp();
    if (State(kPromote) == kRunning) Promote();
    if (State(kSwitch) == kRunning) Switch();
    if (State(kRejoin) == kRunning) Rejoin();
    if (s_.phase == kRunning && !plan_.requeue_after) Again(kPoll);
  }

  bool RollingBack() {
    return std::any_of(s_.steps.begin(), s_.steps.end(), [](const api::Step& s) { return s.state == kFailed; });
  }

  // A step failed. Before any promotion a fence that may hold is undone first (UndoFenceThenFail);
  // after one, the run ends as it is (unfencing then could give two primaries).
  void Fail(const char* step, const std::string& reason, const std::string& message) {
    Complete(step, kFailed, message);
    if (FenceMayHold() && !PromotionMayHaveHappened()) {
      // The reason stays in the condition (status Unknown) until the fence is undone.
      Condition(ConditionStatus::kUnknown, reason, message + "; undoing the fence");
      Event("Warning", reason, message);
      return UndoFenceThenFail();
    }
    End(reason, message);
  }

  void End(const std::string& reason, const std::string& message) {
    s_.phase = kFailed;
    s_.completion_time = now_;
    Condition(ConditionStatus::kFalse, reason, message);
    Event("Warning", reason, message);
    plan_.finished = kFailed;
  }

  // Undoes the fence (read-only reset; the workload scaled back), then ends the run as failed.
  void UndoFenceThenFail() {
    std::string why;
    for (const api::Step& step : s_.steps) {
      if (step.state == kFailed) why = step.message;
    }
    const std::string reason = FailedReason();
    if (PrimaryAnswers() && primary()->read_only) {
      plan_.action = DatabaseAction::kUnfence;
      return Again(kPoll);
    }
    if (s_.fenced_replicas && spec().primary.workload && o_.primary_workload_replicas.value_or(-1) == 0 &&
        *s_.fenced_replicas > 0) {
      plan_.scale = WorkloadScale{spec().primary.workload->kind, spec().primary.workload->name, *s_.fenced_replicas};
      return Again(kPoll);
    }
    if (primary() != nullptr && !primary()->reachable && spec().fence_read_only && !s_.fenced_replicas) {
      // The read-only fence cannot be checked or undone while the primary does not answer.
      Condition(ConditionStatus::kUnknown, reason, why + "; the primary does not answer (" + primary()->error +
                                                            "), so its fence cannot be undone yet");
      return Again(kWait);
    }
    End(reason, why + "; the primary takes writes again and nothing was promoted");
  }

  std::string FailedReason() {
    const lifeboat::Condition* c = FindCondition(s_.conditions, api::kConditionSucceeded);
    return c != nullptr && c->reason != kRunning ? c->reason : "FailoverFailed";
  }

  // ---- Validate
  void Validate() {
    const MemberProbe* p = primary();
    const MemberProbe* r = replica();
    const std::string primary_at = Endpoint(spec().primary.connection);
    const std::string replica_at = Endpoint(spec().replica.connection);
    if (r == nullptr || !r->reachable) {
      const bool refused = r != nullptr && r->login_refused;
      return Fail(kValidate, refused ? "ReplicaLoginRefused" : "ReplicaUnreachable",
                  "The replica " + replica_at + (refused ? " refused the login: " : " does not answer: ") +
                      (r ? r->error : "no connection"));
    }
    if (switchover_ && (p == nullptr || !p->reachable)) {
      const bool refused = p != nullptr && p->login_refused;
      return Fail(kValidate, refused ? "PrimaryLoginRefused" : "PrimaryUnreachable",
                  "The primary " + primary_at + (refused ? " refused the login: " : " does not answer: ") +
                      (p ? p->error : "no connection") + (refused ? "" : "; a Switchover needs it (mode Failover does not)"));
    }
    const bool primary_answers = PrimaryAnswers();
    if (primary_answers && !p->in_recovery && !r->in_recovery) {
      return Fail(kValidate, "SplitBrain",
                  "Both " + primary_at + " and " + replica_at +
                      " are primaries (neither is in recovery): refusing to promote or fence anything; find out "
                      "which one the application wrote to before choosing");
    }
    if (!r->in_recovery) {
      return Fail(kValidate, "ReplicaNotInRecovery", "The replica " + replica_at + " is not in recovery: it was already promoted");
    }
    if (primary_answers && p->in_recovery) {
      return Fail(kValidate, "PrimaryInRecovery", "The primary " + primary_at + " is itself in recovery (a standby)");
    }
    if (primary_answers && p->system_identifier != r->system_identifier) {
      return Fail(kValidate, "SystemIdentifierMismatch",
                  "The servers belong to different clusters: system identifier " + p->system_identifier + " at " +
                      primary_at + ", " + r->system_identifier + " at " + replica_at);
    }
    if (switchover_) {
      const bool slot_here = !r->receiver_slot.empty() && p->active_slots.count(r->receiver_slot);
      if (r->receiver_status != "streaming" || (!slot_here && r->sender != primary_at)) {
        return Fail(kValidate, "NotStreamingFromPrimary",
                    "The replica " + replica_at + " does not stream from " + primary_at + ": its WAL receiver is " +
                        (r->receiver_status.empty() ? "not running" : "\"" + r->receiver_status + "\"") +
                        (r->sender.empty() ? "" : " from " + r->sender) +
                        (r->receiver_slot.empty() ? "" : " through slot " + r->receiver_slot) +
                        (slot_here || r->receiver_slot.empty() ? "" : ", a slot not in use on the primary"));
      }
      if (p->read_only) {
        return Fail(kValidate, "AlreadyFenced",
                    "The primary " + primary_at + " is already read-only (default_transaction_read_only is on): "
                    "another run may be under way; reset it before a Switchover");
      }
    }
    if (!o_.service_selector) {
      return Fail(kValidate, "ServiceNotFound", "Service \"" + spec().service_name + "\" not found");
    }
    if (NeedsScaleFence() && !o_.primary_workload_replicas) {
      return Fail(kValidate, "WorkloadNotFound",
                  spec().primary.workload->kind + " \"" + spec().primary.workload->name + "\" (spec.primary.workload) not found");
    }
    if (switchover_ && !spec().fence_read_only && !NeedsScaleFence()) {
      return Fail(kValidate, "NoFence", "fencing.readOnly is off and there is no primary workload to scale down: "
                                        "a Switchover must fence the primary");
    }
    if (!switchover_ && primary_answers) {
      s_.primary_lsn = p->lsn;  // Before the fence stops it: the lag gate measures against it.
      s_.lag_source = "Primary";
    }
    Complete(kValidate, kSucceeded,
             "The replica " + replica_at + " is in recovery" +
                 (primary_answers ? ", streaming from the primary " + primary_at + " (system identifier " + p->system_identifier + ")"
                                  : "; the primary does not answer"));
    Begin(kFence);
  }

  // ---- Fence
  bool NeedsScaleFence() const {
    const bool by_scale = !switchover_ || !spec().fence_read_only;
    return by_scale && spec().fence_scale_down && spec().primary.workload.has_value();
  }

  void Fence() {
    if (NeedsScaleFence()) return FenceByScaleDown();
    if (spec().fence_read_only && PrimaryAnswers()) return FenceReadOnly();
    if (switchover_) {
      return Fail(kFence, "PrimaryUnreachable", "The primary stopped answering before it was fenced: " +
                                                    (primary() ? primary()->error : std::string("no connection")));
    }
    Complete(kFence, kSkipped,
             "The primary does not answer and has no workload to scale down: it is treated as gone (nothing could "
             "be fenced)");
    Begin(kCatchUp);
  }

  void FenceReadOnly() {
    const Duration waited = now_ - StepNamed(kFence).start_time.value_or(now_);
    if (!primary()->read_only && waited > std::chrono::seconds(spec().catch_up_timeout_seconds)) {
      return Fail(kFence, "FenceFailed",
                  "The primary did not become read-only within catchUpTimeoutSeconds " +
                      std::to_string(spec().catch_up_timeout_seconds) +
                      " (the DatabaseActionFailed Events say why: the role may lack ALTER SYSTEM)");
    }
    if (!primary()->read_only) {
      plan_.action = DatabaseAction::kFence;
      Say(kFence, "Setting default_transaction_read_only on the primary, terminating its client sessions, CHECKPOINT");
      return Again(kPoll);
    }
    s_.primary_lsn = primary()->lsn;
    Complete(kFence, kSucceeded, "The primary is read-only and its client sessions were ended; final LSN " + s_.primary_lsn);
    Event("Normal", "Fenced", "The primary " + Endpoint(spec().primary.connection) + " is read-only at LSN " + s_.primary_lsn);
    Begin(kCatchUp);
  }

  void FenceByScaleDown() {
    const api::WorkloadRef& w = *spec().primary.workload;
    if (!s_.fenced_replicas) {
      s_.fenced_replicas = o_.primary_workload_replicas.value_or(0);  // Saved before the scale (status goes first).
    }
    if (o_.primary_workload_replicas.value_or(0) != 0) {
      plan_.scale = WorkloadScale{w.kind, w.name, 0};
      Say(kFence, "Scaling " + w.kind + " " + w.name + " to 0 (from " + std::to_string(*s_.fenced_replicas) + ")");
      return Again(kPoll);
    }
    if (o_.primary_pods > 0 || PrimaryAnswers()) {
      Say(kFence, "Waiting until the primary is gone: " + std::to_string(o_.primary_pods) + " Pod(s) left" +
                      (PrimaryAnswers() ? ", the server still answers" : ""));
      return Again(kPoll);
    }
    Complete(kFence, kSucceeded, w.kind + " " + w.name + " scaled to 0; no Pod is left and the server does not answer");
    Event("Normal", "Fenced", w.kind + " " + w.name + " scaled to 0: the old primary cannot take writes");
    Begin(kCatchUp);
  }

  // ---- CatchUp (the lag gate for a Failover)
  void CatchUp() {
    const MemberProbe* r = replica();
    if (r == nullptr || !r->reachable) return Waiting(kCatchUp, "the replica does not answer: " + (r ? r->error : ""));
    if (!switchover_) return LagGate();
    const std::uint64_t target = Lsn(s_.primary_lsn);
    const std::uint64_t replayed = Lsn(r->lsn);
    if (replayed >= target) {
      s_.data_loss_bytes = 0;
      Complete(kCatchUp, kSucceeded, "The replica replayed " + r->lsn + " (the primary's final LSN is " + s_.primary_lsn + ")");
      return Begin(kPromote);
    }
    const Duration waited = now_ - StepNamed(kCatchUp).start_time.value_or(now_);
    if (waited > std::chrono::seconds(spec().catch_up_timeout_seconds)) {
      return Fail(kCatchUp, "CatchUpTimeout",
                  "The replica replayed only up to " + r->lsn + " of the primary's " + s_.primary_lsn + " (" +
                      std::to_string(target - replayed) + " bytes behind) within catchUpTimeoutSeconds " +
                      std::to_string(spec().catch_up_timeout_seconds) + "; the primary stays the primary");
    }
    Say(kCatchUp, "The replica replayed " + r->lsn + " of " + s_.primary_lsn + " (" + std::to_string(target - replayed) + " bytes behind)");
    Again(kPoll);
  }

  void LagGate() {
    const MemberProbe* r = replica();
    std::uint64_t lag = 0;
    std::string measured;
    if (s_.lag_source == "Primary") {
      const std::uint64_t primary_at = Lsn(s_.primary_lsn), received = Lsn(r->receive_lsn);
      lag = primary_at > received ? primary_at - received : 0;
      measured = "the primary's LSN " + s_.primary_lsn + " (read before the fence) against the replica's received " + r->receive_lsn;
      s_.data_loss_bytes = static_cast<std::int64_t>(lag);
    } else {
      s_.lag_source = "ReplicaReceived";
      const std::uint64_t received = Lsn(r->receive_lsn), replayed = Lsn(r->lsn);
      lag = received > replayed ? received - replayed : 0;
      measured = "the replica's received " + r->receive_lsn + " against its replayed " + r->lsn +
                 "; the primary did not answer, so what it wrote after that cannot be known (dataLossBytes unset)";
    }
    const std::int64_t limit = spec().max_lag_bytes.value_or(0);
    if (static_cast<std::int64_t>(lag) > limit) {
      return Fail(kCatchUp, "LagTooHigh", "Lag " + std::to_string(lag) + " bytes > maxLagBytes " + std::to_string(limit) +
                                            " (" + measured + "): not promoting");
    }
    Complete(kCatchUp, kSucceeded, "Lag " + std::to_string(lag) + " bytes <= maxLagBytes " + std::to_string(limit) + " (" + measured + ")");
    Begin(kPromote);
  }

  void Waiting(const char* step, const std::string& why) {
    Say(step, "Waiting: " + why);
    Again(kWait);
  }

  // ---- Promote
  void Promote() {
    const MemberProbe* r = replica();
    if (r == nullptr || !r->reachable) return Waiting(kPromote, "the replica does not answer: " + (r ? r->error : ""));
    if (!r->in_recovery) {
      s_.replica_lsn = r->lsn;
      s_.timeline = r->timeline;
      Complete(kPromote, kSucceeded, "Promoted: timeline " + r->timeline + ", LSN " + r->lsn);
      Event("Normal", "Promoted", Endpoint(spec().replica.connection) + " was promoted (timeline " + r->timeline + ")");
      return Begin(kSwitch);
    }
    if (switchover_ && PrimaryAnswers()) {
      // The fence must still hold and nothing may have slipped past it: else wait (or fence again).
      if (!primary()->read_only && spec().fence_read_only) {
        plan_.action = DatabaseAction::kFence;
        Say(kPromote, "The primary is no longer read-only: fencing it again before promoting");
        return Again(kPoll);
      }
      if (Lsn(primary()->lsn) > Lsn(r->lsn)) {
        s_.primary_lsn = primary()->lsn;
        Say(kPromote, "The primary wrote past the final LSN (now " + primary()->lsn + "): waiting for the replica (" + r->lsn + ")");
        return Again(kPoll);
      }
    }
    plan_.action = DatabaseAction::kPromote;
    Say(kPromote, "pg_promote() on " + Endpoint(spec().replica.connection));
    Again(kPoll);
  }

  // ---- Switch
  void Switch() {
    if (!o_.service_selector) {
      return Fail(kSwitch, "ServiceNotFound", "The replica was promoted, but Service \"" + spec().service_name +
                                                  "\" no longer exists: point the application at " +
                                                  Endpoint(spec().replica.connection) + " by hand");
    }
    if (s_.previous_selector.empty()) s_.previous_selector = *o_.service_selector;  // Saved before the change.
    const bool scale_down = switchover_ && spec().fence_scale_down && spec().primary.workload &&
                            o_.primary_workload_replicas.value_or(0) != 0;
    if (*o_.service_selector != spec().service_selector) {
      plan_.set_service_selector = spec().service_selector;
      Say(kSwitch, "Pointing Service " + spec().service_name + " at the new primary");
      if (scale_down) {  // In the same hand-over: the Service first, then the old primary stops.
        if (!s_.fenced_replicas) s_.fenced_replicas = *o_.primary_workload_replicas;
        plan_.scale = WorkloadScale{spec().primary.workload->kind, spec().primary.workload->name, 0};
      }
      return Again(kPoll);
    }
    if (s_.write_unavailability.empty()) {  // Writes reach the new primary from now on.
      const WallTime fenced = StepNamed(kFence).start_time.value_or(s_.start_time.value_or(now_));
      const Duration unavailable = now_ - fenced;
      s_.write_unavailability = Seconds(unavailable);
      plan_.write_unavailable_seconds = std::chrono::duration<double>(unavailable).count();
    }
    if (scale_down) {
      if (!s_.fenced_replicas) s_.fenced_replicas = *o_.primary_workload_replicas;
      plan_.scale = WorkloadScale{spec().primary.workload->kind, spec().primary.workload->name, 0};
      Say(kSwitch, "Scaling the old primary's " + spec().primary.workload->kind + " to 0");
      return Again(kPoll);
    }
    Complete(kSwitch, kSucceeded, "Service " + spec().service_name + " selects the new primary");
    Event("Normal", "Switched", "Service " + spec().service_name + " selects the new primary; writes were unavailable for " +
                                    s_.write_unavailability);
    if (!switchover_ || !spec().rejoin.enabled) {
      Complete(kRejoin, kSkipped, switchover_ ? "rejoin.enabled is off" : "A Failover does not rejoin the old primary");
      return Succeed();
    }
    if (!spec().primary.workload || spec().primary.workload->kind != "StatefulSet" || !o_.primary_data) {
      Complete(kRejoin, kSkipped, "The old primary is not a StatefulSet with a data volume claim: make it a standby by hand");
      return Succeed();
    }
    Begin(kRejoin);
  }

  // ---- Rejoin
  void Rejoin() {
    const std::string slot = RejoinSlotName(spec().primary.workload->name);
    const api::WorkloadRef& w = *spec().primary.workload;
    const Duration waited = now_ - StepNamed(kRejoin).start_time.value_or(now_);
    if (waited > std::chrono::minutes(10)) {
      return Fail(kRejoin, "RejoinFailed", "The old primary did not stream from the new one within 10m" +
                                               (primary() && !primary()->reachable ? ": " + primary()->error : std::string()));
    }
    const MemberProbe* r = replica();
    if (r == nullptr || !r->reachable) return Waiting(kRejoin, "the new primary does not answer: " + (r ? r->error : ""));
    if (!r->slots.count(slot)) {
      plan_.action = DatabaseAction::kCreateSlot;
      plan_.slot = slot;
      Say(kRejoin, "Creating slot " + slot + " on the new primary");
      return Again(kPoll);
    }
    const ObservedJob* job = o_.rejoin_job ? &*o_.rejoin_job : nullptr;
    if (job == nullptr || !job->state.finished()) {
      if (o_.primary_workload_replicas.value_or(0) != 0) {  // The server must be stopped to rewind it.
        if (!s_.fenced_replicas) s_.fenced_replicas = *o_.primary_workload_replicas;
        plan_.scale = WorkloadScale{w.kind, w.name, 0};
        return Again(kPoll);
      }
      if (PrimaryAnswers()) return Waiting(kRejoin, "the old primary still runs");
      if (job == nullptr) {
        api::FieldErrors ignored;
        plan_.create_job = BuildRejoinJob(failover_, *o_.primary_data, o_.primary_run_as, o_.default_image);
        Say(kRejoin, "Rewinding the old primary's data to the new timeline (Job " + (*plan_.create_job)["metadata"]["name"].get<std::string>() + ")");
      }
      return Again(kWait);
    }
    if (job->state.phase != JobPhase::kSucceeded) {
      const std::string why = job->result ? job->result->message : job->result_error;
      return Fail(kRejoin, "RejoinFailed", "The rejoin Job " + job->state.name + " failed: " + why +
                                               "; the switchover itself succeeded (" + Endpoint(spec().replica.connection) +
                                               " is the primary)");
    }
    if (o_.primary_workload_replicas.value_or(0) == 0) {
      plan_.scale = WorkloadScale{w.kind, w.name, std::max<std::int64_t>(s_.fenced_replicas.value_or(1), 1)};
      Say(kRejoin, "Starting the old primary as a standby");
      return Again(kPoll);
    }
    const MemberProbe* p = primary();
    if (p == nullptr || !p->reachable || !p->in_recovery || p->receiver_status != "streaming" || !r->active_slots.count(slot)) {
      Say(kRejoin, "Waiting until the old primary streams from the new one through slot " + slot);
      return Again(kPoll);
    }
    Complete(kRejoin, kSucceeded, "The old primary streams from the new one through slot " + slot);
    Succeed();
  }

  void Succeed() {
    s_.phase = kSucceeded;
    s_.completion_time = now_;
    plan_.finished = kSucceeded;
    const std::string loss = s_.data_loss_bytes ? std::to_string(*s_.data_loss_bytes) + " bytes of WAL lost"
                                                : "data loss unknown (the primary did not answer)";
    const std::string message = spec().mode + " done: " + Endpoint(spec().replica.connection) + " is the primary (timeline " +
                                s_.timeline + "), Service " + spec().service_name + " points at it; writes were unavailable for " +
                                s_.write_unavailability + "; " + loss;
    Condition(ConditionStatus::kTrue, kSucceeded, message);
    Event("Normal", kSucceeded, message);
  }

  // ---- Deletion
  void Finalize() {
    if (s_.phase == kRunning && FenceMayHold() && !PromotionMayHaveHappened()) {
      if (PrimaryAnswers() && primary()->read_only) {
        plan_.action = DatabaseAction::kUnfence;
        return Again(kPoll);
      }
      if (s_.fenced_replicas && spec().primary.workload && o_.primary_workload_replicas.value_or(-1) == 0 && *s_.fenced_replicas > 0) {
        plan_.scale = WorkloadScale{spec().primary.workload->kind, spec().primary.workload->name, *s_.fenced_replicas};
        return Again(kPoll);
      }
      if (primary() != nullptr && !primary()->reachable && !s_.fenced_replicas) {
        Event("Warning", "FenceNotUndone", "Deleted mid-run: the primary does not answer, so its read-only fence could not be "
                                           "checked; reset default_transaction_read_only on it by hand if it is set");
      } else {
        Event("Normal", "Unfenced", "Deleted before any promotion: the primary takes writes again");
      }
    }
    plan_.remove_finalizer = true;
  }

  const FailoverObserved& o_;
  const WallTime now_;
  api::Failover failover_;
  api::FailoverStatus s_;
  bool switchover_ = false;
  std::string spec_errors_;
  FailoverPlan plan_;
};

bool SameMember(const api::FailoverMember& a, const api::FailoverMember& b) {
  if (a.connection && b.connection && Endpoint(a.connection) == Endpoint(b.connection)) return true;
  return a.workload && b.workload && a.workload->kind == b.workload->kind && a.workload->name == b.workload->name;
}

}  // namespace

FailoverPlan DecideFailover(const FailoverObserved& observed, WallTime now) { return FailoverDecider(observed, now).Run(); }

std::set<std::string> ReferencedSecrets(const nlohmann::json& object) {
  api::FieldErrors ignored;
  const api::Failover f = api::ParseFailover(object, &ignored);
  std::set<std::string> names;
  for (const auto* member : {&f.spec.primary, &f.spec.replica}) {
    if (member->connection && !member->connection->credentials_secret.empty()) names.insert(member->connection->credentials_secret);
  }
  return names;
}

bool SamePair(const api::FailoverSpec& a, const api::FailoverSpec& b) {
  for (const auto* x : {&a.primary, &a.replica}) {
    for (const auto* y : {&b.primary, &b.replica}) {
      if (SameMember(*x, *y)) return true;
    }
  }
  return false;
}

}  // namespace lifeboat::controllers::failover
