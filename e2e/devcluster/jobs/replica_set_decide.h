// DecideReplicaSet: the replicaset controller's pure decision (what kube-controller-manager's
// replicaset controller does in one syncReplicaSet, Kubernetes 1.32). Given an apps/v1 ReplicaSet,
// the Pods it controls and the time, it answers how many Pods to create, which to delete (those
// in earlier phases of startup first, as getPodsToDelete ranks them) and when to look again (when a
// ready Pod becomes available after minReadySeconds). ReplicaSetStatusAfter computes the status the
// controller writes after acting, from the same Pods (so, like the real controller's, it trails
// its own creations and deletions by one pass) and the failure of the pass, if any.
//
// Not modelled: adoption and release of Pods by selector (only the controller ownerReference
// counts), the burst limit and slow start of creations, Pod deletion cost and co-location ranks.
//
// Pure functions: no I/O, no clock reads; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/core/clock.h"

namespace lifeboat::devcluster {

struct ReplicaSetPlan {
  // New Pods to create from the template (each "Created pod: NAME").
  int pods_to_create = 0;
  // Pods (names) to delete, most deletable first (each "Deleted pod: NAME").
  std::vector<std::string> pods_to_delete;
  // Decide again after this long (a ready Pod's minReadySeconds run out), if set.
  std::optional<std::chrono::milliseconds> requeue_after;
};

// Why creating or deleting Pods failed in this pass: the ReplicaFailure condition's reason
// ("FailedCreate"/"FailedDelete") and message (the API server's error).
struct ReplicaSetFailure {
  std::string reason;
  std::string message;
};

// `pods` are the Pods controlled by `replica_set` (ownerReference controller=true with its uid),
// in any order, including terminated and terminating ones. A ReplicaSet being deleted gets an empty
// plan.
ReplicaSetPlan DecideReplicaSet(const nlohmann::json& replica_set, const std::vector<nlohmann::json>& pods,
                                WallTime now);

// The status to write after a pass (replicas, fullyLabeledReplicas, readyReplicas,
// availableReplicas, observedGeneration, the ReplicaFailure condition), zero counts left out as the
// API serializes them (except `replicas`, which is always present).
nlohmann::json ReplicaSetStatusAfter(const nlohmann::json& replica_set, const std::vector<nlohmann::json>& pods,
                                     WallTime now, const std::optional<ReplicaSetFailure>& failure);

}  // namespace lifeboat::devcluster
