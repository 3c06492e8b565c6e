#include "controllers/backuppolicy/backup_decide.h"

#include <algorithm>
#include <map>

#include "controllers/backuppolicy/backup_job.h"
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

}  // namespace

std::set<std::string> ReferencedSecrets(const nlohmann::json& policy) {
  api::FieldErrors errors;
  api::BackupPolicy parsed = api::ParseBackupPolicy(policy, &errors);
  std::set<std::string> names;
  for (const auto& need : RequiredSecretKeys(parsed.spec)) {
    if (!need.secret.empty()) names.insert(need.secret);
  }
  return names;
}

BackupPolicyPlan Decide(const BackupPolicyObserved& observed, WallTime now) {
  BackupPolicyPlan plan;
  api::BackupPolicy policy;
  const api::FieldErrors all_errors = api::CheckBackupPolicy(observed.policy, &policy);
  // A malformed status (ours) must not block backups: only spec and metadata errors count.
  std::string spec_errors;
  for (const auto& e : all_errors.errors()) {
    if (e.field.rfind("status", 0) == 0) continue;
    spec_errors += (spec_errors.empty() ? "" : "; ") + e.ToString();
  }
  const BackupPolicyStatus& previous = policy.status;
  BackupPolicyStatus status = previous;
  const std::int64_t gen = policy.metadata.generation;
  status.observed_generation = gen;
  const api::BackupPolicySpec& spec = policy.spec;

  // --- History from the Jobs (always, whatever else is wrong).
  std::vector<ObservedJob> jobs = observed.jobs;
  std::sort(jobs.begin(), jobs.end(), [](const ObservedJob& a, const ObservedJob& b) {
    return std::tie(a.state.creation_time, a.state.name) < std::tie(b.state.creation_time, b.state.name);
  });
  std::map<std::pair<std::string, std::string>, BackupRun> history;  // (job, source) → run
  for (const auto& run : previous.history) history[{run.job_name.empty() ? run.id : run.job_name, run.source}] = run;
  std::map<std::string, std::vector<std::string>> finished_jobs;  // job → sources that became final now
  std::set<std::string> jobs_seen;
  // When the history is full, a Job older than its oldest entry was already recorded and dropped:
  // re-adding it would count (and announce) its result twice.
  const size_t history_limit = static_cast<size_t>(std::max<std::int64_t>(spec.history_limit, 1));
  std::optional<WallTime> oldest_kept;
  if (previous.history.size() >= history_limit) {
    for (const auto& run : previous.history) {
      if (!oldest_kept || SortTime(run) < *oldest_kept) oldest_kept = SortTime(run);
    }
  }
  for (const auto& job : jobs) {
    jobs_seen.insert(job.state.name);
    for (auto& run : RunsFromJob(job)) {
      auto key = std::make_pair(job.state.name, run.source);
      auto it = history.find(key);
      if (it != history.end() && IsFinal(it->second)) continue;  // Never downgrade a final entry.
      if (it == history.end() && oldest_kept && SortTime(run) < *oldest_kept) continue;
      if (IsFinal(run)) {
        finished_jobs[job.state.name].push_back(run.source);
        std::optional<double> seconds;
        if (run.start_time && run.completion_time) {
          seconds = std::chrono::duration<double>(*run.completion_time - *run.start_time).count();
        }
        plan.finished_runs.push_back({run.source, run.result == kResultSucceeded, seconds, run.size_bytes});
      }
      history[key] = std::move(run);
    }
  }
  for (auto& [key, run] : history) {
    if (run.result == kResultRunning && !jobs_seen.count(key.first) && observed.lost_jobs.count(key.first)) {
      run.result = kResultFailed;
      run.completion_time = now;
      run.message = "The backup Job " + key.first + " was deleted before it finished";
      finished_jobs[key.first].push_back(run.source);
      plan.finished_runs.push_back({run.source, false, std::nullopt, std::nullopt});
    }
  }

  // Active Jobs (running, not being deleted).
  std::vector<std::string> active;
  for (const auto& job : jobs) {
    if (!job.state.finished() && !job.state.deleting) active.push_back(job.state.name);
  }

  // --- Runs to start.
  const auto sources = spec.Sources();
  std::map<std::string, api::BackupSourceStatus> previous_sources;
  for (const auto& s : previous.sources) previous_sources[s.name] = s;
  std::vector<api::BackupSourceStatus> new_sources;
  std::optional<Duration> requeue;

  std::string ready_reason, ready_message;
  ConditionStatus ready_status = ConditionStatus::kTrue;
  bool may_launch = true;
  if (!spec_errors.empty()) {
    ready_status = ConditionStatus::kFalse;
    ready_reason = "InvalidSpec";
    ready_message = spec_errors;
    may_launch = false;
  } else if (std::string reason, problem = SecretProblem(spec, observed, &reason); !problem.empty()) {
    ready_status = ConditionStatus::kFalse;
    ready_reason = reason;
    ready_message = problem;
    may_launch = false;
  }

  const WallTime created = policy.metadata.creation_timestamp ? *policy.metadata.creation_timestamp : now;
  std::map<WallTime, std::vector<std::string>> due;  // scheduled instant → sources
  std::vector<PlannedEvent> missed_events;
  for (const auto& src : sources) {
    api::BackupSourceStatus st;
    if (auto it = previous_sources.find(src.name); it != previous_sources.end()) st = it->second;
    st.name = src.name;
    st.type = src.type;
    st.schedule = src.schedule;
    st.target_rpo = src.target_rpo;
    st.next_schedule_time.reset();
    if (may_launch) {
      auto cron = CronSchedule::Parse(src.schedule, spec.time_zone);
      if (cron.ok()) {
        if (!spec.suspend) {
          const WallTime since = st.last_schedule_time ? *st.last_schedule_time : created;
          const auto missed = cron->MostRecent(since, now);
          if (missed.most_recent) {
            const bool too_late =
                spec.starting_deadline_seconds &&
                now - *missed.most_recent > std::chrono::seconds(*spec.starting_deadline_seconds);
            const int skipped = too_late ? missed.count : missed.count - 1;
            if (skipped > 0) {
              st.missed_runs = st.missed_runs.value_or(0) + skipped;
              missed_events.push_back(
                  {"Warning", "MissedSchedule",
                   "Skipped " + std::to_string(skipped) + " scheduled run(s) of source " + src.name +
                       (too_late ? " missed by more than startingDeadlineSeconds" : " missed while the operator was away") +
                       "; the latest was due at " + FormatRfc3339(*missed.most_recent)});
            }
            if (too_late) {
              st.last_schedule_time = *missed.most_recent;
            } else {
              due[*missed.most_recent].push_back(src.name);
            }
          }
          st.next_schedule_time = cron->Next(now);
          if (st.next_schedule_time) MinInto(requeue, *st.next_schedule_time - now);
        }
      }
    }
    new_sources.push_back(std::move(st));
  }
  auto source_status = [&](const std::string& name) -> api::BackupSourceStatus* {
    for (auto& s : new_sources)
      if (s.name == name) return &s;
    return nullptr;
  };
  auto job_exists = [&](const std::string& name) {
    return std::any_of(jobs.begin(), jobs.end(), [&](const ObservedJob& j) { return j.state.name == name; });
  };

  std::vector<BackupRunRequest> to_start;
  std::vector<std::string> replaced;
  std::vector<std::string> waiting;
  auto launch = [&](BackupRunRequest run) -> bool {
    if (job_exists(run.job_name)) return true;  // Adopt: this run was already started.
    if (!active.empty()) {
      if (spec.concurrency_policy == "Replace") {
        for (const auto& name : active) replaced.push_back(name);
        active.clear();
      } else {
        waiting.push_back(run.trigger == kTriggerOnDemand ? "on-demand run" : "run " + run.job_name);
        return false;
      }
    }
    active.push_back(run.job_name);
    to_start.push_back(std::move(run));
    return true;
  };
  for (auto& [when, names] : due) {
    BackupRunRequest run;
    run.job_name = DeterministicJobName(policy.metadata.name, ScheduledRunPart(when));
    run.trigger = kTriggerScheduled;
    run.scheduled_time = when;
    run.sources = names;
    if (launch(run)) {
      for (const auto& n : names) source_status(n)->last_schedule_time = when;
    }
  }
  auto annotation = policy.metadata.annotations.find(api::kBackupNowAnnotation);
  if (may_launch && annotation != policy.metadata.annotations.end() && !annotation->second.empty() &&
      annotation->second != previous.last_on_demand_token) {
    BackupRunRequest run;
    run.job_name = DeterministicJobName(policy.metadata.name, OnDemandRunPart(annotation->second));
    run.trigger = kTriggerOnDemand;
    run.on_demand_token = annotation->second;
    for (const auto& s : sources) run.sources.push_back(s.name);
    if (!run.sources.empty() && launch(run)) status.last_on_demand_token = annotation->second;
  }

  for (const auto& name : replaced) {
    plan.delete_jobs.push_back(name);
    for (auto& [key, run] : history) {
      if (key.first != name || IsFinal(run)) continue;
      run.result = kResultFailed;
      run.completion_time = now;
      run.message = "Replaced by a newer run (concurrencyPolicy Replace)";
      finished_jobs[name].push_back(run.source);
      plan.finished_runs.push_back({run.source, false, std::nullopt, std::nullopt});
    }
  }
  for (const auto& run : to_start) {
    plan.create_jobs.push_back(BuildBackupJob(policy, run, observed.default_image));
    plan.events.push_back({"Normal", "BackupStarted",
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
      entry.start_time = now;
      entry.result = kResultRunning;
      history[{run.job_name, source}] = entry;
    }
  }
  for (auto& e : missed_events) plan.events.push_back(std::move(e));

  // Events for runs that finished (one per Job).
  for (const auto& [job, names] : finished_jobs) {
    bool ok = true;
    std::string message;
    for (const auto& n : names) {
      const BackupRun& run = history[{job, n}];
      if (run.result != kResultSucceeded) {
        ok = false;
        if (message.empty()) message = run.message;
      }
    }
    if (ok) {
      plan.events.push_back({"Normal", "BackupSucceeded", "Backup " + job + " of " + Join(names) + " succeeded"});
    } else {
      plan.events.push_back({"Warning", "BackupFailed",
                             "Backup " + job + " of " + Join(names) + " failed" + (message.empty() ? "" : ": " + message)});
    }
  }

  // --- History list: newest first, bounded.
  std::vector<BackupRun> runs;
  for (auto& [key, run] : history) runs.push_back(run);
  std::stable_sort(runs.begin(), runs.end(), [](const BackupRun& a, const BackupRun& b) {
    const WallTime ta = SortTime(a), tb = SortTime(b);
    if (ta != tb) return ta > tb;
    if (a.job_name != b.job_name) return a.job_name > b.job_name;
    return a.source < b.source;
  });
  if (runs.size() > history_limit) runs.resize(history_limit);
  status.history = runs;

  // --- Last successes, RPO.
  std::optional<Duration> worst_rpo;
  bool all_have_backup = true;
  std::vector<std::string> breached;
  bool any_target = false;
  for (auto& st : new_sources) {
    for (const auto& run : runs) {
      if (run.source != st.name || run.result != kResultSucceeded) continue;
      if (!st.last_successful_backup || RefTime(RefOf(run)) > RefTime(*st.last_successful_backup)) {
        st.last_successful_backup = RefOf(run);
      }
    }
    const auto target = ParseOptionalDuration(st.target_rpo);
    if (target) any_target = true;
    if (!st.last_successful_backup) {
      st.rpo.clear();
      all_have_backup = false;
      if (target) breached.push_back(st.name + " has no successful backup");
      continue;
    }
    Duration rpo = now - RefTime(*st.last_successful_backup);
    if (rpo < Duration::zero()) rpo = Duration::zero();
    rpo = std::chrono::duration_cast<std::chrono::seconds>(rpo);
    st.rpo = FormatDuration(rpo);
    if (!worst_rpo || rpo > *worst_rpo) worst_rpo = rpo;
    if (target) {
      if (rpo > *target) {
        breached.push_back(st.name + " RPO " + st.rpo + " exceeds " + st.target_rpo);
      } else {
        MinInto(requeue, *target - rpo + std::chrono::seconds(1));
      }
    }
  }
  status.sources = new_sources;
  status.last_successful_backup.reset();
  for (const auto& st : new_sources) {
    if (st.last_successful_backup &&
        (!status.last_successful_backup ||
         RefTime(*st.last_successful_backup) > RefTime(*status.last_successful_backup))) {
      status.last_successful_backup = st.last_successful_backup;
    }
  }
  if (!status.last_successful_backup && previous.last_successful_backup) {
    status.last_successful_backup = previous.last_successful_backup;
  }
  status.current_rpo = worst_rpo && all_have_backup ? FormatDuration(*worst_rpo) : "";
  status.last_schedule_time.reset();
  status.next_schedule_time.reset();
  for (const auto& st : new_sources) {
    if (st.last_schedule_time && (!status.last_schedule_time || *st.last_schedule_time > *status.last_schedule_time))
      status.last_schedule_time = st.last_schedule_time;
    if (st.next_schedule_time && (!status.next_schedule_time || *st.next_schedule_time < *status.next_schedule_time))
      status.next_schedule_time = st.next_schedule_time;
  }

  // --- Conditions.
  if (ready_status == ConditionStatus::kTrue) {
    if (spec.suspend) {
      ready_reason = "Suspended";
      ready_message = "Scheduled backups are suspended (spec.suspend); on-demand backups still run";
    } else {
      ready_reason = "Scheduled";
      ready_message = status.next_schedule_time ? "Next backup at " + FormatRfc3339(*status.next_schedule_time)
                                                : "No scheduled backup will run again";
      if (!waiting.empty()) {
        ready_message += "; " + Join(waiting) + " waiting for the running backup (concurrencyPolicy Forbid)";
      }
    }
  }
  const Condition* old_ready = FindCondition(previous.conditions, api::kConditionReady);
  if (ready_status == ConditionStatus::kFalse &&
      (!old_ready || old_ready->status != ConditionStatus::kFalse || old_ready->reason != ready_reason ||
       old_ready->message != ready_message)) {
    plan.events.push_back({"Warning", ready_reason, ready_message});
  }
  SetCondition(status.conditions, Make(api::kConditionReady, ready_status, ready_reason, ready_message, gen), now);

  const BackupRun* newest_final = nullptr;
  for (const auto& run : runs) {
    if (!IsFinal(run)) continue;
    if (!newest_final || (run.completion_time && newest_final->completion_time &&
                          *run.completion_time > *newest_final->completion_time)) {
      newest_final = &run;
    }
  }
  if (!newest_final) {
    SetCondition(status.conditions,
                 Make(api::kConditionLastBackupSucceeded, ConditionStatus::kUnknown, "NoBackupYet",
                      "No backup has finished yet", gen),
                 now);
  } else {
    // The whole run (all its sources) decides.
    std::string failed_message;
    bool ok = true;
    for (const auto& run : runs) {
      if (run.job_name != newest_final->job_name || run.result == kResultSucceeded) continue;
      ok = false;
      if (failed_message.empty()) failed_message = run.source + ": " + run.message;
    }
    if (ok) {
      SetCondition(status.conditions,
                   Make(api::kConditionLastBackupSucceeded, ConditionStatus::kTrue, "BackupSucceeded",
                        "Backup " + newest_final->id + " succeeded", gen),
                   now);
    } else {
      SetCondition(status.conditions,
                   Make(api::kConditionLastBackupSucceeded, ConditionStatus::kFalse, "BackupFailed",
                        "Backup " + newest_final->id + " failed: " + failed_message, gen),
                   now);
    }
  }
  if (!any_target) {
    SetCondition(status.conditions,
                 Make(api::kConditionRPOMet, ConditionStatus::kTrue, "NoObjective", "No targetRPO is set", gen), now);
  } else if (breached.empty()) {
    SetCondition(status.conditions,
                 Make(api::kConditionRPOMet, ConditionStatus::kTrue, "WithinTarget",
                      "Every source's newest good backup is within its targetRPO", gen),
                 now);
  } else {
    SetCondition(status.conditions,
                 Make(api::kConditionRPOMet, ConditionStatus::kFalse,
                      all_have_backup ? "TargetExceeded" : "NoSuccessfulBackup", Join(breached, "; "), gen),
                 now);
  }

  // --- Finished Jobs beyond the history limits (only those whose result is recorded).
  std::vector<const ObservedJob*> succeeded, failed;
  for (auto it = jobs.rbegin(); it != jobs.rend(); ++it) {  // Newest first.
    if (!it->state.finished() || it->state.deleting) continue;
    (it->state.phase == JobPhase::kSucceeded ? succeeded : failed).push_back(&*it);
  }
  auto prune = [&](const std::vector<const ObservedJob*>& list, std::int64_t keep) {
    for (size_t i = static_cast<size_t>(std::max<std::int64_t>(keep, 0)); i < list.size(); ++i) {
      plan.delete_jobs.push_back(list[i]->state.name);
    }
  };
  prune(succeeded, spec.successful_jobs_history_limit);
  prune(failed, spec.failed_jobs_history_limit);

  if (requeue && *requeue > kMaxRequeue) requeue = kMaxRequeue;
  if (!requeue) requeue = kMaxRequeue;
  plan.requeue_after = requeue;
  plan.status = std::move(status);
  plan.status_changed = !(plan.status == previous);
  return plan;
}

}  // namespace lifeboat::controllers::backuppolicy
