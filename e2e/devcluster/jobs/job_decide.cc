#include "e2e/devcluster/jobs/job_decide.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <set>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr const char* kBackoffLimitMessage = "Job has reached the specified backoff limit";
constexpr const char* kDeadlineMessage = "Job was active longer than specified deadline";
constexpr const char* kCompletionsReachedMessage = "Reached expected number of succeeded pods";

int64_t IntOr(const json& object, const char* key, int64_t fallback) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  return it->get<int64_t>();
}

std::optional<WallTime> TimeAt(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  auto parsed = ParseRfc3339(it->get<std::string>());
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

const json& Field(const json& object, const char* key) {
  static const json kEmpty = json::object();
  if (!object.is_object()) return kEmpty;
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? kEmpty : *it;
}

bool HasFinalizer(const json& pod) {
  const json& finalizers = Field(Field(pod, "metadata"), "finalizers");
  if (!finalizers.is_array()) return false;
  return std::find(finalizers.begin(), finalizers.end(), kJobTrackingFinalizer) != finalizers.end();
}

std::string Phase(const json& pod) {
  const json& phase = Field(Field(pod, "status"), "phase");
  return phase.is_string() ? phase.get<std::string>() : "";
}

bool Deleting(const json& pod) { return Field(pod, "metadata").contains("deletionTimestamp"); }

std::string Uid(const json& object) { return Field(object, "metadata").value("uid", ""); }
std::string Name(const json& object) { return Field(object, "metadata").value("name", ""); }

bool ConditionTrue(const json& status, std::string_view type) {
  const json& conditions = Field(status, "conditions");
  if (!conditions.is_array()) return false;
  for (const json& c : conditions) {
    if (c.value("type", "") == type && c.value("status", "") == "True") return true;
  }
  return false;
}

const json* FindCondition(const json& status, std::string_view type) {
  const json& conditions = Field(status, "conditions");
  if (!conditions.is_array()) return nullptr;
  for (const json& c : conditions) {
    if (c.value("type", "") == type) return &c;
  }
  return nullptr;
}

// Sets (or adds) a condition; the transition time only moves when the status changes.
void SetCondition(json& status, const std::string& type, const std::string& value, const std::string& reason,
                  const std::string& message, WallTime now) {
  if (!status["conditions"].is_array()) status["conditions"] = json::array();
  for (json& c : status["conditions"]) {
    if (c.value("type", "") != type) continue;
    if (c.value("status", "") != value) {
      c["lastTransitionTime"] = FormatRfc3339(now);
      c["lastProbeTime"] = FormatRfc3339(now);
    }
    c["status"] = value;
    c["reason"] = reason;
    c["message"] = message;
    return;
  }
  status["conditions"].push_back({{"type", type},
                                  {"status", value},
                                  {"reason", reason},
                                  {"message", message},
                                  {"lastProbeTime", FormatRfc3339(now)},
                                  {"lastTransitionTime", FormatRfc3339(now)}});
}

bool PodReady(const json& pod) {
  const json& conditions = Field(Field(pod, "status"), "conditions");
  if (!conditions.is_array()) return false;
  for (const json& c : conditions) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

int64_t RestartCount(const json& pod) {
  int64_t total = 0;
  for (const char* key : {"initContainerStatuses", "containerStatuses"}) {
    const json& statuses = Field(Field(pod, "status"), key);
    if (!statuses.is_array()) continue;
    for (const json& s : statuses) total += IntOr(s, "restartCount", 0);
  }
  return total;
}

// When a failed pod failed: the latest container finishedAt, else its deletion time.
std::optional<WallTime> FailureTime(const json& pod) {
  std::optional<WallTime> latest;
  for (const char* key : {"initContainerStatuses", "containerStatuses"}) {
    const json& statuses = Field(Field(pod, "status"), key);
    if (!statuses.is_array()) continue;
    for (const json& s : statuses) {
      auto finished = TimeAt(Field(Field(s, "state"), "terminated"), "finishedAt");
      if (finished && (!latest || *finished > *latest)) latest = finished;
    }
  }
  if (!latest) latest = TimeAt(Field(pod, "metadata"), "deletionTimestamp");
  return latest;
}

std::vector<std::string> UidList(const json& uncounted, const char* key) {
  std::vector<std::string> uids;
  const json& list = Field(uncounted, key);
  if (list.is_array()) {
    for (const json& u : list) {
      if (u.is_string()) uids.push_back(u.get<std::string>());
    }
  }
  return uids;
}

void MinRequeue(JobPlan& plan, milliseconds after) {
  after = std::max(after, milliseconds(1));
  if (!plan.requeue_after || after < *plan.requeue_after) plan.requeue_after = after;
}

milliseconds Until(WallTime deadline, WallTime now) {
  return std::chrono::duration_cast<milliseconds>(deadline - now);
}

}  // namespace

bool JobFinished(const nlohmann::json& job) {
  const json& status = Field(job, "status");
  return ConditionTrue(status, "Complete") || ConditionTrue(status, "Failed");
}

JobPlan DecideJob(const nlohmann::json& job, const std::vector<nlohmann::json>& pods, WallTime now,
                  const JobDecideOptions& options) {
  JobPlan plan;
  const json& spec = Field(job, "spec");
  const json& current_status = Field(job, "status");

  // A Job being deleted only lets go of its pods; the garbage collector deletes them.
  if (Field(job, "metadata").contains("deletionTimestamp")) {
    for (const json& pod : pods) {
      if (HasFinalizer(pod)) plan.pods_to_release.push_back(Name(pod));
    }
    return plan;
  }

  json status = current_status.is_object() ? current_status : json::object();
  const bool finished = JobFinished(job);

  // ---- Pod accounting (uncountedTerminatedPods -> succeeded/failed).
  std::map<std::string, const json*> pods_by_uid;
  for (const json& pod : pods) pods_by_uid[Uid(pod)] = &pod;
  int64_t succeeded = IntOr(status, "succeeded", 0);
  int64_t failed = IntOr(status, "failed", 0);
  std::vector<std::string> uncounted_succeeded;
  std::vector<std::string> uncounted_failed;
  std::set<std::string> uncounted_all;
  const json& uncounted = Field(status, "uncountedTerminatedPods");
  for (const auto& [key, counter, kept] :
       {std::tuple{"succeeded", &succeeded, &uncounted_succeeded}, std::tuple{"failed", &failed, &uncounted_failed}}) {
    for (const std::string& uid : UidList(uncounted, key)) {
      auto it = pods_by_uid.find(uid);
      if (it == pods_by_uid.end() || !HasFinalizer(*it->second)) {
        ++*counter;  // The finalizer is gone: the pod is counted now.
      } else {
        kept->push_back(uid);
        uncounted_all.insert(uid);
      }
    }
  }

  std::vector<const json*> active;
  int64_t terminating = 0;
  int64_t ready = 0;
  int64_t active_restarts = 0;
  std::optional<WallTime> last_failure;
  for (const json& pod : pods) {
    const std::string phase = Phase(pod);
    const std::string uid = Uid(pod);
    const bool terminal = phase == "Succeeded" || phase == "Failed";
    if (phase == "Failed") {
      auto at = FailureTime(pod);
      if (at && (!last_failure || *at > *last_failure)) last_failure = at;
    }
    if (terminal) {
      if (!HasFinalizer(pod)) continue;  // Already counted.
      if (!uncounted_all.count(uid)) {
        (phase == "Succeeded" ? uncounted_succeeded : uncounted_failed).push_back(uid);
        uncounted_all.insert(uid);
      }
      plan.pods_to_release.push_back(Name(pod));
      continue;
    }
    if (Deleting(pod)) {
      ++terminating;
      continue;
    }
    active.push_back(&pod);
    if (PodReady(pod)) ++ready;
    active_restarts += RestartCount(pod);
  }
  const int64_t succeeded_total = succeeded + static_cast<int64_t>(uncounted_succeeded.size());
  const int64_t failed_total = failed + static_cast<int64_t>(uncounted_failed.size());

  auto delete_active = [&] {
    for (const json* pod : active) plan.pods_to_delete.push_back(Name(*pod));
    terminating += static_cast<int64_t>(active.size());
    active.clear();
    ready = 0;
  };

  const bool suspended = spec.value("suspend", false);
  const int64_t parallelism = std::max<int64_t>(0, IntOr(spec, "parallelism", 1));
  const bool has_completions = spec.contains("completions") && spec["completions"].is_number_integer();
  const int64_t completions = IntOr(spec, "completions", 1);
  const int64_t backoff_limit = IntOr(spec, "backoffLimit", 6);

  if (finished) {
    delete_active();
  } else if (ConditionTrue(status, "FailureTarget")) {
    delete_active();
  } else if (ConditionTrue(status, "SuccessCriteriaMet")) {
    delete_active();
  } else {
    // ---- Success, failure, suspension.
    const bool complete = has_completions ? succeeded_total >= completions
                                          : succeeded_total > 0 && active.empty();
    std::optional<WallTime> start = TimeAt(status, "startTime");
    const auto deadline_seconds = IntOr(spec, "activeDeadlineSeconds", -1);
    if (complete) {
      SetCondition(status, "SuccessCriteriaMet", "True", "CompletionsReached", kCompletionsReachedMessage, now);
      delete_active();
    } else if (failed_total + active_restarts > backoff_limit) {
      SetCondition(status, "FailureTarget", "True", "BackoffLimitExceeded", kBackoffLimitMessage, now);
      delete_active();
    } else if (!suspended && deadline_seconds >= 0 && start &&
               now >= *start + std::chrono::seconds(deadline_seconds)) {
      SetCondition(status, "FailureTarget", "True", "DeadlineExceeded", kDeadlineMessage, now);
      delete_active();
    } else if (suspended) {
      if (!ConditionTrue(status, "Suspended")) {
        SetCondition(status, "Suspended", "True", "JobSuspended", "Job suspended", now);
        plan.events.push_back({"Normal", "Suspended", "Job suspended"});
      }
      delete_active();
    } else {
      if (ConditionTrue(status, "Suspended")) {
        SetCondition(status, "Suspended", "False", "JobResumed", "Job resumed", now);
        plan.events.push_back({"Normal", "Resumed", "Job resumed"});
        status["startTime"] = FormatRfc3339(now);
        start = now;
      } else if (!start) {
        status["startTime"] = FormatRfc3339(now);
        start = now;
      }
      if (deadline_seconds >= 0) {
        MinRequeue(plan, Until(*start + std::chrono::seconds(deadline_seconds), now));
      }
      // ---- How many pods should run.
      int64_t want = parallelism;
      if (has_completions) {
        want = std::min(want, std::max<int64_t>(0, completions - succeeded_total));
      } else if (succeeded_total > 0) {
        want = 0;  // Work-queue Job: once one pod succeeded, no new pods start.
      }
      const int64_t current = static_cast<int64_t>(active.size());
      if (want > current) {
        milliseconds delay{0};
        if (failed_total > 0 && last_failure) {
          delay = options.pod_failure_backoff_base;
          for (int64_t i = 1; i < failed_total && delay < options.pod_failure_backoff_max; ++i) delay *= 2;
          delay = std::min(delay, options.pod_failure_backoff_max);
        }
        if (last_failure && now < *last_failure + delay) {
          MinRequeue(plan, Until(*last_failure + delay, now));
        } else {
          plan.pods_to_create = static_cast<int>(want - current);
        }
      } else if (want < current) {
        std::vector<const json*> excess(active.begin(), active.end());
        // Delete the youngest (and not ready ones first), as the real controller prefers.
        std::stable_sort(excess.begin(), excess.end(), [](const json* a, const json* b) {
          if (PodReady(*a) != PodReady(*b)) return !PodReady(*a);
          return Field(*a, "metadata").value("creationTimestamp", "") >
                 Field(*b, "metadata").value("creationTimestamp", "");
        });
        excess.resize(static_cast<size_t>(current - want));
        for (const json* pod : excess) {
          plan.pods_to_delete.push_back(Name(*pod));
          active.erase(std::find(active.begin(), active.end(), pod));
          ++terminating;
        }
      }
    }
  }

  // ---- Terminal conditions once no pod is running any more.
  const bool quiet = active.empty() && terminating == 0 && plan.pods_to_create == 0;
  if (quiet && !finished && ConditionTrue(status, "FailureTarget")) {
    const json* target = FindCondition(status, "FailureTarget");
    const std::string reason = target->value("reason", "");
    const std::string message = target->value("message", "");
    SetCondition(status, "Failed", "True", reason, message, now);
    plan.events.push_back({"Warning", reason, message});
  }
  if (quiet && !finished && ConditionTrue(status, "SuccessCriteriaMet")) {
    SetCondition(status, "Complete", "True", "CompletionsReached", kCompletionsReachedMessage, now);
    status["completionTime"] = FormatRfc3339(now);
    plan.events.push_back({"Normal", "Completed", "Job completed"});
  }

  // ---- Status as the real controller writes it.
  const int64_t active_count = static_cast<int64_t>(active.size()) + plan.pods_to_create;
  if (active_count > 0) status["active"] = active_count; else status.erase("active");
  if (succeeded > 0) status["succeeded"] = succeeded; else status.erase("succeeded");
  if (failed > 0) status["failed"] = failed; else status.erase("failed");
  status["ready"] = ready;
  status["terminating"] = terminating;
  json uncounted_out = json::object();
  if (!uncounted_succeeded.empty()) uncounted_out["succeeded"] = uncounted_succeeded;
  if (!uncounted_failed.empty()) uncounted_out["failed"] = uncounted_failed;
  status["uncountedTerminatedPods"] = uncounted_out;
  if (status != current_status) plan.status = status;

  // ---- ttlSecondsAfterFinished.
  const bool now_finished = ConditionTrue(status, "Complete") || ConditionTrue(status, "Failed");
  const auto ttl = IntOr(spec, "ttlSecondsAfterFinished", -1);
  if (now_finished && ttl >= 0) {
    std::optional<WallTime> finished_at = TimeAt(status, "completionTime");
    if (!finished_at) {
      for (const char* type : {"Complete", "Failed"}) {
        const json* c = FindCondition(status, type);
        if (c && c->value("status", "") == "True") finished_at = TimeAt(*c, "lastTransitionTime");
      }
    }
    if (!finished_at) finished_at = now;
    const WallTime expires = *finished_at + std::chrono::seconds(ttl);
    if (now >= expires) {
      plan.delete_job = true;
    } else {
      MinRequeue(plan, Until(expires, now));
    }
  }
  return plan;
}

}  // namespace lifeboat::devcluster
