// DecideJob: the job controller's pure decision (what kube-controller-manager's job controller does
// in one syncJob), for batch/v1 Jobs with completionMode NonIndexed. Given a Job, the Pods it owns
// and the time, it answers a JobPlan: pods to create/delete, pods whose tracking finalizer can be
// removed, Events to emit, the Job status to write (only when it changed), whether a finished Job's
// ttlSecondsAfterFinished has passed, and when to look again.
//
// Pod accounting follows the real controller's finalizer-based tracking: pods are created with the
// `batch.kubernetes.io/job-tracking` finalizer; a terminated pod is first recorded in
// status.uncountedTerminatedPods, then its finalizer is removed, then (next decision) it is moved
// into status.succeeded/failed. So a pod is counted exactly once, even if it is deleted, and a crash
// between any two actions loses nothing.
//
// Pure function: no I/O, no clock reads; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/core/clock.h"

namespace lifeboat::devcluster {

inline constexpr const char* kJobTrackingFinalizer = "batch.kubernetes.io/job-tracking";

// An Event the controller emits about the Job ("Normal"/"Warning", CamelCase reason, message).
struct JobEvent {
  std::string type;
  std::string reason;
  std::string message;
  friend bool operator==(const JobEvent&, const JobEvent&) = default;
};

struct JobPlan {
  // The status to write through the status subresource, when it differs from the current one.
  std::optional<nlohmann::json> status;
  // Pods (names) whose job-tracking finalizer should be removed; applied after `status`.
  std::vector<std::string> pods_to_release;
  // Pods (names) to delete (deadline exceeded, backoff limit reached, suspended, too many active).
  std::vector<std::string> pods_to_delete;
  // How many new pods to create from the template (each gets an "Created pod: NAME" Event).
  int pods_to_create = 0;
  std::vector<JobEvent> events;
  // ttlSecondsAfterFinished has passed: delete the Job (propagationPolicy Background).
  bool delete_job = false;
  // Decide again after this long (deadline, pod-failure backoff, TTL), if set.
  std::optional<std::chrono::milliseconds> requeue_after;
};

struct JobDecideOptions {
  // Delay before replacing a failed pod: base * 2^(failures-1), capped (the real controller uses
  // 10 s and 6 min; the devcluster defaults to shorter delays so tests stay fast).
  std::chrono::milliseconds pod_failure_backoff_base{1000};
  std::chrono::milliseconds pod_failure_backoff_max{std::chrono::minutes(6)};
};

// `pods` are the Pods controlled by `job` (ownerReference controller=true with the Job's uid), in
// any order, including terminated and terminating ones.
JobPlan DecideJob(const nlohmann::json& job, const std::vector<nlohmann::json>& pods, WallTime now,
                  const JobDecideOptions& options = {});

// True when the Job has a Complete or Failed condition with status True.
bool JobFinished(const nlohmann::json& job);

}  // namespace lifeboat::devcluster
