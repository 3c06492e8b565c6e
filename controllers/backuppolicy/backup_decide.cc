#include "controllers/backuppolicy/backup_decide.h"

#include "controllers/backuppolicy/wal_streamer.h"

#include <algorithm>
#include <map>

#include "controllers/backuppolicy/backup_job.h"
#include "controllers/backuppolicy/last_verified.h"
#include "controllers/common/job_naming.h"
#include "controllers/common/labels.h"
#include "operator/core/conditions.h"
#include "operator/core/cron.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers::backuppolicy {

namespace {

using api::BackupPolicyStatus;
using api::BackupRun;

constexpr char kResultRunning[] = "Running";
constexpr char kResultSucceeded[] = "Succeeded";
constexpr char kResultFailed[] = "Failed";

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

bool IsFinal(const BackupRun& run) { return run.result == kResultSucceeded || run.result == kResultFailed; }

// The instant a history entry sorts by (newest first).
WallTime SortTime(const BackupRun& run) {
  if (run.scheduled_time) return *run.scheduled_time;
  if (run.start_time) return *run.start_time;
  return WallTime{};
}

std::string Join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// The history entries of one Job (one per source).
std::vector<BackupRun> RunsFromJob(const ObservedJob& job) {
  const JobState& s = job.state;
  std::vector<BackupRun> runs;
  auto get = [&](const char* key) {
    auto it = s.annotations.find(key);
    return it == s.annotations.end() ? std::string() : it->second;
  };
  std::optional<WallTime> scheduled;
  if (auto text = get(kScheduledTimeAnnotation); !text.empty()) {
    if (auto t = ParseRfc3339(text); t.ok()) scheduled = *t;
  }
  const bool on_demand = !get(kOnDemandTokenAnnotation).empty() ||
                         (s.labels.count(kTriggerLabel) && s.labels.at(kTriggerLabel) == "on-demand");
  for (const auto& source : SplitComma(get(kSourcesAnnotation))) {
    BackupRun run;
    run.id = s.name;
    run.job_name = s.name;
    run.source = source;
    run.trigger = on_demand ? kTriggerOnDemand : kTriggerScheduled;
    run.scheduled_time = scheduled;
    run.start_time = s.start_time ? s.start_time : s.creation_time;
    if (!s.finished()) {
      run.result = kResultRunning;
      runs.push_back(std::move(run));
      continue;
    }
    run.completion_time = s.completion_time;
    run.result = s.phase == JobPhase::kSucceeded ? kResultSucceeded : kResultFailed;
    if (job.result) {
      const AgentRunResult& r = *job.result;
      if (r.start_time) run.start_time = r.start_time;
      if (r.end_time) run.completion_time = r.end_time;
      if (!r.backup_id.empty()) run.id = r.backup_id;
      if (!r.succeeded) run.result = kResultFailed;
      if (source == api::kDatabaseSourceName) {
        std::int64_t size = 0;
        bool any = false;
        for (const auto& d : r.databases) {
          if (!d.snapshot_id.empty()) run.snapshot_ids.push_back(d.snapshot_id);
          if (d.size_bytes) size += *d.size_bytes, any = true;
        }
        if (any) run.size_bytes = size;
      } else {
        for (const auto& m : r.media) {
          if (m.source != source) continue;
          if (!m.snapshot_id.empty()) run.snapshot_ids.push_back(m.snapshot_id);
          run.size_bytes = m.size_bytes;
        }
      }
      if (!r.succeeded) {
        run.message = r.reason.empty() ? r.message : r.reason + ": " + r.message;
      } else {
        std::vector<std::string> notes;
        if (!r.retention_error.empty()) notes.push_back("retention failed: " + r.retention_error);
        else if (r.retention_removed && *r.retention_removed > 0)
          notes.push_back("retention removed " + std::to_string(*r.retention_removed) + " backup(s)");
        if (r.check_ok && *r.check_ok) notes.push_back("repository check passed");
        run.message = Join(notes, "; ");
      }
    } else if (s.phase == JobPhase::kFailed) {
      run.message = s.failure_reason.empty() ? "The backup Job failed" : s.failure_reason;
      if (!s.failure_message.empty()) run.message += ": " + s.failure_message;
      if (!job.result_error.empty()) run.message += " (no agent result: " + job.result_error + ")";
    } else if (!job.result_error.empty()) {
      run.message = "no agent result: " + job.result_error;
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

std::optional<Duration> ParseOptionalDuration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto d = ParseDuration(text);
  if (!d.ok()) return std::nullopt;
  return *d;
}

api::BackupRef RefOf(const BackupRun& run) {
  return {run.id, run.source, run.start_time, run.completion_time, run.size_bytes, run.snapshot_ids};
}

WallTime RefTime(const api::BackupRef& ref) {
  return ref.start_time ? *ref.start_time : (ref.completion_time ? *ref.completion_time : WallTime{});
}

void MinInto(std::optional<Duration>& acc, Duration d) {
  if (d < Duration::zero()) d = Duration::zero();
  if (!acc || d < *acc) acc = d;
}

Condition Make(const char* type, ConditionStatus status, std::string reason, std::string message, std::int64_t gen) {
  Condition c;
  c.type = type;
  c.status = status;
  c.reason = std::move(reason);
  c.message = std::move(message);
  c.observed_generation = gen;
  return c;
}

std::string SecretProblem(const api::BackupPolicySpec& spec, const BackupPolicyObserved& observed,
                          std::string* reason) {
  for (const auto& need : RequiredSecretKeys(spec)) {
    auto it = observed.secrets.find(need.secret);
    if (it == observed.secrets.end()) {
      *reason = "SecretNotFound";
      return "Secret " + api::Quote(need.secret) + " not found (" + need.field + ")";
    }
    if (!it->second.count(need.key)) {
      *reason = "SecretKeyNotFound";
      return "Secret " + api::Quote(need.secret) + " has no key " + api::Quote(need.key) + " (" + need.field + ")";
    }
  }
  return "";
}

// The first spec.media[].workload that was not found: the user its backups run as comes from it.
std::string MissingWorkload(const api::BackupPolicySpec& spec, const BackupPolicyObserved& observed) {
  for (size_t i = 0; i < spec.media.size(); ++i) {
    const auto& workload = spec.media[i].workload;
    if (!workload || observed.workloads.count(WorkloadKey(*workload))) continue;
    return workload->kind + " " + api::Quote(workload->name) + " not found (spec.media[" + std::to_string(i) +
           "].workload): its pod securityContext gives the user that reads the volume";
  }
  return "";
}

}  // namespace

std::vector<api::WorkloadRef> ReferencedWorkloads(const nlohmann::json& policy) {
  api::FieldErrors errors;
  api::BackupPolicy parsed = api::ParseBackupPolicy(policy, &errors);
  std::vector<api::WorkloadRef> workloads;
  for (const auto& m : parsed.spec.media) {
    if (m.workload && !m.workload->name.empty()) workloads.push_back(*m.workload);
  }
  return workloads;
}

std::set<std::string> ReferencedSecrets(const nlohmann::json& policy) {
  api::FieldErrors errors;
  api::BackupPolicy parsed = api::ParseBackupPolicy(policy, &errors);
  std::set<std::string> names;
  for (const auto& need : RequiredSecretKeys(parsed.spec)) {
    if (!need.secret.empty()) names.insert(need.secret);
  }
  return names;
}

namespace {

using HistoryKey = std::pair<std::string, std::string>;  // (job, source)

// Decide, step by step. Each method is one named part of the rules in backup_decide.h; they share
// the plan being built and run in Run()'s order. Not thread-safe (one Decide call).
class BackupDecider {
 public:
  BackupDecider(const BackupPolicyObserved& observed, WallTime now) : observed_(observed), now_(now) {
    const api::FieldErrors all_errors = api::CheckBackupPolicy(observed.policy, &policy_);
    // A malformed status (ours) must not block backups: only spec and metadata errors count.
    for (const auto& e : all_errors.errors()) {
      if (e.field.rfind("status", 0) == 0) continue;
      spec_errors_ += (spec_errors_.empty() ? "" : "; ") + e.ToString();
    }
    status_ = previous();
    status_.observed_generation = policy_.metadata.generation;
    history_limit_ = static_cast<size_t>(std::max<std::int64_t>(spec().history_limit, 1));
  }

  BackupPolicyPlan Run() {
    if (policy_.metadata.deletion_timestamp) {
      ReleaseSlotOnDeletion();
      plan_.requeue_after = requeue_ ? *requeue_ : kMaxRequeue;
      plan_.status = previous();
      return std::move(plan_);
    }
    MergeHistoryFromJobs();
    CheckReadiness();
    ManageWalStreamer();
    ManageSlotFinalizer();
    ScheduleSources();
    LaunchDueAndOnDemandRuns();
    AnnounceFinishedRuns();
    BoundHistory();
    ComputeRpo();
    RecordLastVerified();
    SetReadyCondition();
    SetLastBackupCondition();
    SetRpoCondition();
    PruneFinishedJobs();
    if (requeue_ && *requeue_ > kMaxRequeue) requeue_ = kMaxRequeue;
    plan_.requeue_after = requeue_ ? *requeue_ : kMaxRequeue;
    plan_.status = std::move(status_);
    plan_.status_changed = !(plan_.status == previous());
    return std::move(plan_);
  }

 private:
  // The newest proof from the drills; a proof already recorded stays when its drill is deleted.
  void RecordLastVerified() {
    auto from_drills = LastVerifiedFromDrills(policy_.metadata.namespace_, policy_.metadata.name, observed_.drills);
    if (from_drills && (!status_.last_verified || !status_.last_verified->time ||
                        *from_drills->time > *status_.last_verified->time)) {
      status_.last_verified = from_drills;
    }
  }

  const api::BackupPolicySpec& spec() const { return policy_.spec; }
  const BackupPolicyStatus& previous() const { return policy_.status; }
  std::int64_t generation() const { return policy_.metadata.generation; }
  void SetCond(const char* type, ConditionStatus status, const std::string& reason, const std::string& message) {
    SetCondition(status_.conditions, Make(type, status, reason, message, generation()), now_);
  }
  void RunFinished(const std::string& job, const BackupRun& run) {
    finished_jobs_[job].push_back(run.source);
    std::optional<double> seconds;
    if (run.start_time && run.completion_time) {
      seconds = std::chrono::duration<double>(*run.completion_time - *run.start_time).count();
    }
    plan_.finished_runs.push_back({run.source, run.result == kResultSucceeded, seconds, run.size_bytes});
  }
  // Marks a run that did not finish on its own as failed now, with why.
  void FailRun(const std::string& job, BackupRun& run, const std::string& message) {
    run.result = kResultFailed;
    run.completion_time = now_;
    run.message = message;
    finished_jobs_[job].push_back(run.source);
    plan_.finished_runs.push_back({run.source, false, std::nullopt, std::nullopt});
  }

  // History from the Jobs (always, whatever else is wrong): each Job's runs, never downgrading a
  // final entry; a Running entry whose Job is confirmed gone fails.
  void MergeHistoryFromJobs() {
    jobs_ = observed_.jobs;
    std::sort(jobs_.begin(), jobs_.end(), [](const ObservedJob& a, const ObservedJob& b) {
      return std::tie(a.state.creation_time, a.state.name) < std::tie(b.state.creation_time, b.state.name);
    });
    for (const auto& run : previous().history) history_[{run.job_name.empty() ? run.id : run.job_name, run.source}] = run;
    // When the history is full, a Job older than its oldest entry was already recorded and dropped:
    // re-adding it would count (and announce) its result twice.
    std::optional<WallTime> oldest_kept;
    if (previous().history.size() >= history_limit_) {
      for (const auto& run : previous().history) {
        if (!oldest_kept || SortTime(run) < *oldest_kept) oldest_kept = SortTime(run);
      }
    }
    std::set<std::string> jobs_seen;
    for (const auto& job : jobs_) {
      jobs_seen.insert(job.state.name);
      if (!job.state.finished() && !job.state.deleting) active_.push_back(job.state.name);
      for (auto& run : RunsFromJob(job)) {
        HistoryKey key{job.state.name, run.source};
        auto it = history_.find(key);
        if (it != history_.end() && IsFinal(it->second)) continue;  // Never downgrade a final entry.
        if (it == history_.end() && oldest_kept && SortTime(run) < *oldest_kept) continue;
        if (IsFinal(run)) RunFinished(job.state.name, run);
        history_[key] = std::move(run);
      }
    }
    for (auto& [key, run] : history_) {
      if (run.result == kResultRunning && !jobs_seen.count(key.first) && observed_.lost_jobs.count(key.first)) {
        FailRun(key.first, run, "The backup Job " + key.first + " was deleted before it finished");
      }
    }
  }

  // Ready=False (and no new run) for an invalid spec or a missing Secret or key.
  void CheckReadiness() {
    std::string reason;
    if (!spec_errors_.empty()) {
      NotReady("InvalidSpec", spec_errors_);
    } else if (std::string problem = SecretProblem(spec(), observed_, &reason); !problem.empty()) {
      NotReady(reason, problem);
    } else if (std::string missing = MissingWorkload(spec(), observed_); !missing.empty()) {
      NotReady("WorkloadNotFound", missing);
    }
  }
  // method BaseBackup: the streamer Deployment exists with the spec the policy asks for. It runs
  // while the policy is suspended too (a slot nobody reads fills the primary's disk), and an invalid
  // spec leaves a running one alone (a typo must not open a gap in the archive). Once the policy no
  // longer streams WAL, ours is deleted. A Deployment of that name the policy does not own is never
  // touched.
  void ManageWalStreamer() {
    const std::string name = WalStreamerName(policy_.metadata.name);
    const bool streams = spec().database && spec().database->method == "BaseBackup";
    const bool ours = observed_.wal_streamer && OwnedBy(*observed_.wal_streamer, policy_.metadata.uid);
    if (!streams) {
      if (ours && spec_errors_.empty()) {
        plan_.delete_wal_streamer = name;
        plan_.delete_wal_access = {"ConfigMap", "RoleBinding", "Role", "ServiceAccount"};
      }
      if (HasSlotFinalizer() && previous().wal_archive) {
        // Until its slot is dropped, status keeps naming it (the spec may no longer).
        api::WalArchiveStatus stopping = *previous().wal_archive;
        stopping.state = "Unavailable";
        stopping.message = "the policy no longer archives WAL: its streamer stops and replication slot " +
                           stopping.slot + " is dropped";
        status_.wal_archive = stopping;
        return;
      }
      status_.wal_archive.reset();
      status_.conditions.erase(std::remove_if(status_.conditions.begin(), status_.conditions.end(),
                                              [](const Condition& c) { return c.type == api::kConditionWalStreaming; }),
                               status_.conditions.end());
      return;
    }
    api::WalArchiveStatus wal;
    wal.streamer = name;
    wal.slot = WalSlotName(policy_);
    ReadReport(wal);
    MinInto(requeue_, kWalStreamerLook);  // Its health is looked at, not watched.
    if (observed_.wal_streamer && !ours) {
      wal.state = "Unavailable";
      wal.message = "a Deployment named " + name + " exists that this policy does not own; rename or delete it";
      SetCond(api::kConditionWalStreaming, ConditionStatus::kFalse, "StreamerNameTaken", wal.message);
    } else if (!may_launch_) {
      wal.state = "Waiting";
      wal.message = "the WAL streamer starts once the policy is ready: " + ready_message_;
      SetCond(api::kConditionWalStreaming, ConditionStatus::kFalse, "NotReady", wal.message);
    } else {
      nlohmann::json desired = BuildWalStreamerDeployment(policy_, observed_.default_image);
      if (!observed_.wal_streamer || !WalStreamerUpToDate(*observed_.wal_streamer, desired)) {
        if (observed_.wal_streamer) {
          const nlohmann::json version = Field(Field(*observed_.wal_streamer, "metadata"), "resourceVersion");
          desired["metadata"]["resourceVersion"] = version.is_string() ? version.get<std::string>() : "";
        }
        plan_.apply_wal_streamer = std::move(desired);
      }
      if (plan_.apply_wal_streamer || !observed_.wal_status) plan_.apply_wal_access = BuildWalStreamerAccess(policy_);
      bool available = !plan_.apply_wal_streamer && StreamerAvailable(*observed_.wal_streamer);
      wal.state = available ? "Running" : "Starting";
      if (!available && observed_.wal_streamer && !plan_.apply_wal_streamer) {
        wal.message = StreamerProblem(*observed_.wal_streamer);
        if (!wal.message.empty()) wal.state = "Unavailable";
      }
      if (available && wal.reported_time && now_ - *wal.reported_time > kWalStreamerSilence) {
        available = false;
        wal.state = "Unavailable";
        wal.message = "the WAL streamer has not reported since " + FormatRfc3339(*wal.reported_time) +
                      (wal.last_error.empty() ? "" : "; its last error: " + wal.last_error);
      }
      if (available) {
        SetCond(api::kConditionWalStreaming, ConditionStatus::kTrue, "StreamerRunning",
                "the WAL streamer " + name + " runs with replication slot " + wal.slot);
      } else {
        SetCond(api::kConditionWalStreaming, ConditionStatus::kFalse,
                wal.state == "Unavailable" ? "StreamerUnavailable" : "StreamerStarting",
                wal.message.empty() ? "the WAL streamer " + name + " is starting" : wal.message);
      }
    }
    status_.wal_archive = wal;
  }
  // ---- the replication slot's lifetime (kWalSlotFinalizer) ----
  bool HasSlotFinalizer() const {
    const auto& f = policy_.metadata.finalizers;
    return std::find(f.begin(), f.end(), kWalSlotFinalizer) != f.end();
  }
  nlohmann::json FinalizersPatch(bool with_ours) const {
    nlohmann::json list = nlohmann::json::array();
    for (const std::string& f : policy_.metadata.finalizers) {
      if (f != kWalSlotFinalizer) list.push_back(f);
    }
    if (with_ours) list.push_back(kWalSlotFinalizer);
    return {{"metadata", {{"finalizers", list}}}};
  }
  bool OurStreamerExists() const {
    return observed_.wal_streamer && OwnedBy(*observed_.wal_streamer, policy_.metadata.uid);
  }
  // The slot the policy streamed with: as status recorded it (the spec may have dropped slotName).
  std::string SlotInUse() const {
    if (previous().wal_archive && !previous().wal_archive->slot.empty()) return previous().wal_archive->slot;
    return WalSlotName(policy_);
  }
  // While the policy archives WAL it carries the finalizer; once it stops (method Dump) and its
  // streamer is gone, the slot is dropped and the finalizer released.
  void ManageSlotFinalizer() {
    const bool streams = spec().database && spec().database->method == "BaseBackup";
    if (streams) {
      if (!HasSlotFinalizer()) plan_.metadata_patch = FinalizersPatch(true);
      return;
    }
    if (!HasSlotFinalizer() || OurStreamerExists() || !spec_errors_.empty()) return;
    if (!spec().database) {  // No server to drop it on any more (a media-only policy now).
      plan_.metadata_patch = FinalizersPatch(false);
      plan_.events.push_back({"Warning", "SlotNotDropped",
                              "Replication slot " + SlotInUse() + " was not dropped: the policy no longer names its "
                              "database server. Drop it by hand: SELECT pg_drop_replication_slot('" + SlotInUse() + "')"});
      return;
    }
    plan_.drop_slot = SlotInUse();
    plan_.after_drop_patch = FinalizersPatch(false);
    MinInto(requeue_, kSlotDropRetry);
  }
  // Deleted: the streamer goes first (its slot is in use while it runs), then the slot is dropped.
  // A server that cannot be reached within kSlotDropDeadline, or credentials that are gone, release
  // the finalizer with a Warning naming the slot: a deletion must not hang forever.
  void ReleaseSlotOnDeletion() {
    if (!HasSlotFinalizer()) return;
    const std::string slot = SlotInUse();
    if (OurStreamerExists()) {
      const nlohmann::json deleting = Field(Field(*observed_.wal_streamer, "metadata"), "deletionTimestamp");
      if (deleting.is_null()) plan_.delete_wal_streamer = WalStreamerName(policy_.metadata.name);
      MinInto(requeue_, std::chrono::seconds(5));
      return;
    }
    std::string secret_problem;
    if (!spec().database) {
      secret_problem = "the policy no longer names its database server";
    } else if (!observed_.secrets.count(spec().database->connection.credentials_secret)) {
      secret_problem = "its credentials Secret " + spec().database->connection.credentials_secret + " is gone";
    }
    const bool too_late = now_ - *policy_.metadata.deletion_timestamp > kSlotDropDeadline;
    if (!secret_problem.empty() || too_late) {
      plan_.metadata_patch = FinalizersPatch(false);
      plan_.events.push_back(
          {"Warning", "SlotNotDropped",
           "Replication slot " + slot + " was not dropped (" +
               (too_late ? "the server could not be reached for " + FormatDuration(kSlotDropDeadline)
                         : secret_problem) +
               "); it keeps WAL on the server until it is dropped by hand: SELECT pg_drop_replication_slot('" + slot + "')"});
      return;
    }
    plan_.drop_slot = slot;
    plan_.after_drop_patch = FinalizersPatch(false);
    MinInto(requeue_, kSlotDropRetry);
  }

  // The streamer's own report (its ConfigMap): the recoverability window, upload and lag. Without
  // one the last known values stay (a streamer restarting says nothing for a moment). A new gap is
  // announced once.
  void ReadReport(api::WalArchiveStatus& wal) {
    const api::WalArchiveStatus* before = previous().wal_archive ? &*previous().wal_archive : nullptr;
    if (before) {
      wal.first_recoverable_time = before->first_recoverable_time;
      wal.last_recoverable_time = before->last_recoverable_time;
      wal.last_segment = before->last_segment;
      wal.last_upload_time = before->last_upload_time;
      wal.lag_bytes = before->lag_bytes;
      wal.gap = before->gap;
      wal.reported_time = before->reported_time;
      wal.last_error = before->last_error;
    }
    std::string problem;
    if (observed_.wal_status && !ReadStreamerReport(*observed_.wal_status, wal, &problem) && !problem.empty()) {
      wal.last_error = problem;
    }
    if (!wal.gap.empty() && (!before || before->gap != wal.gap)) {
      plan_.events.push_back({"Warning", "WalGap",
                              "The WAL archive has a gap (" + wal.gap +
                                  "): the server removed WAL before the streamer had it. Recoveries cannot pass it "
                                  "until the next base backup; take one now (lifeboat.dev/backup-now)"});
    }
  }
  // Tolerant readers: an object of an unexpected shape reads as not ours / not available.
  static nlohmann::json Field(const nlohmann::json& object, const char* key) {
    return object.is_object() && object.contains(key) ? object[key] : nlohmann::json();
  }
  static bool OwnedBy(const nlohmann::json& object, const std::string& uid) {
    const nlohmann::json refs = Field(Field(object, "metadata"), "ownerReferences");
    if (!refs.is_array()) return false;
    for (const auto& ref : refs) {
      if (ref.is_object() && ref.value("uid", "") == uid && ref.value("controller", false)) return true;
    }
    return false;
  }
  static bool StreamerAvailable(const nlohmann::json& deployment) {
    const nlohmann::json available = Field(Field(deployment, "status"), "availableReplicas");
    return available.is_number_integer() && available.get<std::int64_t>() >= 1;
  }
  // The Deployment's own account of why it is not available (its Available or Progressing
  // condition when False), or "".
  static std::string StreamerProblem(const nlohmann::json& deployment) {
    const nlohmann::json conditions = Field(Field(deployment, "status"), "conditions");
    if (!conditions.is_array()) return "";
    for (const auto& c : conditions) {
      if (!c.is_object() || c.value("status", "") != "False") continue;
      return c.value("type", "") + ": " + c.value("message", c.value("reason", ""));
    }
    for (const auto& c : conditions) {
      if (c.is_object() && c.value("type", "") == "ReplicaFailure" && c.value("status", "") == "True") {
        return "ReplicaFailure: " + c.value("message", "");
      }
    }
    return "";
  }

  void NotReady(const std::string& reason, const std::string& message) {
    ready_status_ = ConditionStatus::kFalse;
    ready_reason_ = reason;
    ready_message_ = message;
    may_launch_ = false;
  }

  // Each source's schedule: what is due now (missed runs beyond the newest are skipped and counted;
  // all of them when startingDeadlineSeconds has passed), and the next run.
  void ScheduleSources() {
    std::map<std::string, api::BackupSourceStatus> previous_sources;
    for (const auto& s : previous().sources) previous_sources[s.name] = s;
    const WallTime created = policy_.metadata.creation_timestamp ? *policy_.metadata.creation_timestamp : now_;
    for (const auto& src : spec().Sources()) {
      api::BackupSourceStatus st;
      if (auto it = previous_sources.find(src.name); it != previous_sources.end()) st = it->second;
      st.name = src.name;
      st.type = src.type;
      st.schedule = src.schedule;
      st.target_rpo = src.target_rpo;
      st.next_schedule_time.reset();
      auto cron = CronSchedule::Parse(src.schedule, spec().time_zone);
      if (may_launch_ && cron.ok() && !spec().suspend) ScheduleSource(*cron, created, st);
      sources_.push_back(std::move(st));
    }
  }
  void ScheduleSource(const CronSchedule& cron, WallTime created, api::BackupSourceStatus& st) {
    const WallTime since = st.last_schedule_time ? *st.last_schedule_time : created;
    const auto missed = cron.MostRecent(since, now_);
    if (missed.most_recent) {
      const bool too_late = spec().starting_deadline_seconds &&
                            now_ - *missed.most_recent > std::chrono::seconds(*spec().starting_deadline_seconds);
      const int skipped = too_late ? missed.count : missed.count - 1;
      if (skipped > 0) {
        st.missed_runs = st.missed_runs.value_or(0) + skipped;
        missed_events_.push_back(
            {"Warning", "MissedSchedule",
             "Skipped " + std::to_string(skipped) + " scheduled run(s) of source " + st.name +
                 (too_late ? " missed by more than startingDeadlineSeconds" : " missed while the operator was away") +
                 "; the latest was due at " + FormatRfc3339(*missed.most_recent)});
      }
      if (too_late) {
        st.last_schedule_time = *missed.most_recent;
      } else {
        due_[*missed.most_recent].push_back(st.name);
      }
    }
    st.next_schedule_time = cron.Next(now_);
    if (st.next_schedule_time) MinInto(requeue_, *st.next_schedule_time - now_);
  }
  api::BackupSourceStatus* SourceStatus(const std::string& name) {
    for (auto& s : sources_) {
      if (s.name == name) return &s;
    }
    return nullptr;
  }

  // The due scheduled runs and an on-demand run (a new lifeboat.dev/backup-now value), under the
  // concurrency policy; their Jobs, Events and Running history entries.
  void LaunchDueAndOnDemandRuns() {
    for (auto& [when, names] : due_) {
      BackupRunRequest run;
      run.job_name = DeterministicJobName(policy_.metadata.name, ScheduledRunPart(when));
      run.trigger = kTriggerScheduled;
      run.scheduled_time = when;
      run.sources = names;
      if (Launch(run)) {
        for (const auto& n : names) SourceStatus(n)->last_schedule_time = when;
      }
    }
    auto annotation = policy_.metadata.annotations.find(api::kBackupNowAnnotation);
    if (may_launch_ && annotation != policy_.metadata.annotations.end() && !annotation->second.empty() &&
        annotation->second != previous().last_on_demand_token) {
      BackupRunRequest run;
      run.job_name = DeterministicJobName(policy_.metadata.name, OnDemandRunPart(annotation->second));
      run.trigger = kTriggerOnDemand;
      run.on_demand_token = annotation->second;
      for (const auto& s : spec().Sources()) run.sources.push_back(s.name);
      if (!run.sources.empty() && Launch(run)) status_.last_on_demand_token = annotation->second;
    }
    for (const auto& name : replaced_) {
      plan_.delete_jobs.push_back(name);
      for (auto& [key, run] : history_) {
        if (key.first == name && !IsFinal(run)) FailRun(name, run, "Replaced by a newer run (concurrencyPolicy Replace)");
      }
    }
    for (const auto& run : to_start_) StartRun(run);
    for (auto& e : missed_events_) plan_.events.push_back(std::move(e));
  }
  // Whether `run` runs (or already did: its Job exists and is adopted); Forbid makes it wait while
  // another run is active, Replace stops the active one.
  bool Launch(BackupRunRequest run) {
    bool exists = std::any_of(jobs_.begin(), jobs_.end(), [&](const ObservedJob& j) { return j.state.name == run.job_name; });
    if (exists) return true;
    if (!active_.empty()) {
      if (spec().concurrency_policy != "Replace") {
        waiting_.push_back(run.trigger == kTriggerOnDemand ? "on-demand run" : "run " + run.job_name);
        return false;
      }
      replaced_.insert(replaced_.end(), active_.begin(), active_.end());
      active_.clear();
    }
    active_.push_back(run.job_name);
    to_start_.push_back(std::move(run));
    return true;
  }
  void StartRun(const BackupRunRequest& run) {
    plan_.create_jobs.push_back(BuildBackupJob(policy_, run, observed_.default_image, observed_.workloads));
    plan_.events.push_back({"Normal", "BackupStarted",
                            "Started backup Job " + run.job_name + " (" +
                                (run.trigger == kTriggerOnDemand ? std::string("on demand")
                                                                 : "scheduled for " + FormatRfc3339(*run.scheduled_time)) +
                                ") for " + Join(run.sources),
                            run.job_name});
    for (const auto& source : run.sources) {
      BackupRun entry;
      entry.id = run.job_name;
      entry.job_name = run.job_name;
      entry.source = source;
      entry.trigger = run.trigger;
      entry.scheduled_time = run.scheduled_time;
      entry.start_time = now_;
      entry.result = kResultRunning;
      history_[{run.job_name, source}] = entry;
    }
  }

  // One Event per Job whose runs became final in this plan.
  void AnnounceFinishedRuns() {
    for (const auto& [job, names] : finished_jobs_) {
      bool ok = true;
      std::string message;
      for (const auto& n : names) {
        const BackupRun& run = history_[{job, n}];
        if (run.result != kResultSucceeded) {
          ok = false;
          if (message.empty()) message = run.message;
        }
      }
      if (ok) {
        plan_.events.push_back({"Normal", "BackupSucceeded", "Backup " + job + " of " + Join(names) + " succeeded"});
      } else {
        plan_.events.push_back({"Warning", "BackupFailed",
                                "Backup " + job + " of " + Join(names) + " failed" + (message.empty() ? "" : ": " + message)});
      }
    }
  }

  // status.history: newest first, at most historyLimit entries.
  void BoundHistory() {
    for (auto& [key, run] : history_) runs_.push_back(run);
    std::stable_sort(runs_.begin(), runs_.end(), [](const BackupRun& a, const BackupRun& b) {
      const WallTime ta = SortTime(a), tb = SortTime(b);
      if (ta != tb) return ta > tb;
      if (a.job_name != b.job_name) return a.job_name > b.job_name;
      return a.source < b.source;
    });
    if (runs_.size() > history_limit_) runs_.resize(history_limit_);
    status_.history = runs_;
  }

  // Each source's last good backup and RPO; the policy's worst RPO and its schedule summary.
  void ComputeRpo() {
    std::optional<Duration> worst_rpo;
    for (auto& st : sources_) {
      for (const auto& run : runs_) {
        if (run.source != st.name || run.result != kResultSucceeded) continue;
        if (!st.last_successful_backup || RefTime(RefOf(run)) > RefTime(*st.last_successful_backup)) {
          st.last_successful_backup = RefOf(run);
        }
      }
      const auto target = ParseOptionalDuration(st.target_rpo);
      if (target) any_target_ = true;
      if (!st.last_successful_backup) {
        st.rpo.clear();
        all_have_backup_ = false;
        if (target) breached_.push_back(st.name + " has no successful backup");
        continue;
      }
      WallTime recovery_point = RefTime(*st.last_successful_backup);
      if (st.type == "Database" && status_.wal_archive && status_.wal_archive->last_recoverable_time &&
          *status_.wal_archive->last_recoverable_time > recovery_point) {
        recovery_point = *status_.wal_archive->last_recoverable_time;  // WAL archiving (BaseBackup).
      }
      Duration rpo = now_ - recovery_point;
      if (rpo < Duration::zero()) rpo = Duration::zero();
      rpo = std::chrono::duration_cast<std::chrono::seconds>(rpo);
      st.rpo = FormatDuration(rpo);
      if (!worst_rpo || rpo > *worst_rpo) worst_rpo = rpo;
      if (target && rpo > *target) breached_.push_back(st.name + " RPO " + st.rpo + " exceeds " + st.target_rpo);
      if (target && rpo <= *target) MinInto(requeue_, *target - rpo + std::chrono::seconds(1));
    }
    status_.sources = sources_;
    status_.last_successful_backup.reset();
    status_.last_schedule_time.reset();
    status_.next_schedule_time.reset();
    for (const auto& st : sources_) {
      if (st.last_successful_backup &&
          (!status_.last_successful_backup ||
           RefTime(*st.last_successful_backup) > RefTime(*status_.last_successful_backup))) {
        status_.last_successful_backup = st.last_successful_backup;
      }
      if (st.last_schedule_time && (!status_.last_schedule_time || *st.last_schedule_time > *status_.last_schedule_time))
        status_.last_schedule_time = st.last_schedule_time;
      if (st.next_schedule_time && (!status_.next_schedule_time || *st.next_schedule_time < *status_.next_schedule_time))
        status_.next_schedule_time = st.next_schedule_time;
    }
    if (!status_.last_successful_backup && previous().last_successful_backup) {
      status_.last_successful_backup = previous().last_successful_backup;
    }
    status_.current_rpo = worst_rpo && all_have_backup_ ? FormatDuration(*worst_rpo) : "";
  }

  void SetReadyCondition() {
    if (ready_status_ == ConditionStatus::kTrue) {
      if (spec().suspend) {
        ready_reason_ = "Suspended";
        ready_message_ = "Scheduled backups are suspended (spec.suspend); on-demand backups still run";
      } else {
        ready_reason_ = "Scheduled";
        ready_message_ = status_.next_schedule_time ? "Next backup at " + FormatRfc3339(*status_.next_schedule_time)
                                                    : "No scheduled backup will run again";
        if (!waiting_.empty()) {
          ready_message_ += "; " + Join(waiting_) + " waiting for the running backup (concurrencyPolicy Forbid)";
        }
      }
    }
    const Condition* old_ready = FindCondition(previous().conditions, api::kConditionReady);
    if (ready_status_ == ConditionStatus::kFalse &&
        (!old_ready || old_ready->status != ConditionStatus::kFalse || old_ready->reason != ready_reason_ ||
         old_ready->message != ready_message_)) {
      plan_.events.push_back({"Warning", ready_reason_, ready_message_});
    }
    SetCond(api::kConditionReady, ready_status_, ready_reason_, ready_message_);
  }

  // The newest finished run decides, all its sources together.
  void SetLastBackupCondition() {
    const BackupRun* newest_final = nullptr;
    for (const auto& run : runs_) {
      if (!IsFinal(run)) continue;
      if (!newest_final || (run.completion_time && newest_final->completion_time &&
                            *run.completion_time > *newest_final->completion_time)) {
        newest_final = &run;
      }
    }
    if (!newest_final) {
      SetCond(api::kConditionLastBackupSucceeded, ConditionStatus::kUnknown, "NoBackupYet", "No backup has finished yet");
      return;
    }
    std::string failed_message;
    for (const auto& run : runs_) {
      if (run.job_name != newest_final->job_name || run.result == kResultSucceeded) continue;
      if (failed_message.empty()) failed_message = run.source + ": " + run.message;
    }
    if (failed_message.empty()) {
      SetCond(api::kConditionLastBackupSucceeded, ConditionStatus::kTrue, "BackupSucceeded",
              "Backup " + newest_final->id + " succeeded");
    } else {
      SetCond(api::kConditionLastBackupSucceeded, ConditionStatus::kFalse, "BackupFailed",
              "Backup " + newest_final->id + " failed: " + failed_message);
    }
  }

  void SetRpoCondition() {
    if (!any_target_) {
      SetCond(api::kConditionRPOMet, ConditionStatus::kTrue, "NoObjective", "No targetRPO is set");
    } else if (breached_.empty()) {
      SetCond(api::kConditionRPOMet, ConditionStatus::kTrue, "WithinTarget",
              "Every source's newest good backup is within its targetRPO");
    } else {
      SetCond(api::kConditionRPOMet, ConditionStatus::kFalse, all_have_backup_ ? "TargetExceeded" : "NoSuccessfulBackup",
              Join(breached_, "; "));
    }
  }

  // Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, newest kept.
  void PruneFinishedJobs() {
    std::vector<const ObservedJob*> succeeded, failed;
    for (auto it = jobs_.rbegin(); it != jobs_.rend(); ++it) {
      if (!it->state.finished() || it->state.deleting) continue;
      (it->state.phase == JobPhase::kSucceeded ? succeeded : failed).push_back(&*it);
    }
    auto prune = [&](const std::vector<const ObservedJob*>& list, std::int64_t keep) {
      for (size_t i = static_cast<size_t>(std::max<std::int64_t>(keep, 0)); i < list.size(); ++i) {
        plan_.delete_jobs.push_back(list[i]->state.name);
      }
    };
    prune(succeeded, spec().successful_jobs_history_limit);
    prune(failed, spec().failed_jobs_history_limit);
  }

  const BackupPolicyObserved& observed_;
  const WallTime now_;
  api::BackupPolicy policy_;
  std::string spec_errors_;
  BackupPolicyStatus status_;
  BackupPolicyPlan plan_;
  size_t history_limit_ = 1;
  std::vector<ObservedJob> jobs_;                             // Sorted by creation.
  std::map<HistoryKey, BackupRun> history_;
  std::map<std::string, std::vector<std::string>> finished_jobs_;  // Job → sources that became final now.
  std::vector<std::string> active_;                           // Running Jobs (not being deleted).
  ConditionStatus ready_status_ = ConditionStatus::kTrue;
  std::string ready_reason_, ready_message_;
  bool may_launch_ = true;
  std::vector<api::BackupSourceStatus> sources_;
  std::map<WallTime, std::vector<std::string>> due_;          // Scheduled instant → sources.
  std::vector<PlannedEvent> missed_events_;
  std::optional<Duration> requeue_;
  std::vector<BackupRunRequest> to_start_;
  std::vector<std::string> replaced_, waiting_;
  std::vector<BackupRun> runs_;                               // The bounded history.
  bool any_target_ = false, all_have_backup_ = true;
  std::vector<std::string> breached_;
};

}  // namespace

BackupPolicyPlan Decide(const BackupPolicyObserved& observed, WallTime now) { return BackupDecider(observed, now).Run(); }

}  // namespace lifeboat::controllers::backuppolicy
