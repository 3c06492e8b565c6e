// DecideDeployment: the deployment controller's pure decision (what kube-controller-manager's
// deployment controller does in one syncDeployment, Kubernetes 1.32). Given an apps/v1
// Deployment, the ReplicaSets it controls, their Pods and the time, it answers a DeploymentPlan:
// the new ReplicaSet to create (`<deployment>-<pod-template-hash>`), the ReplicaSets to update
// (scale, revision and replica annotations), the old ReplicaSets to delete beyond
// revisionHistoryLimit, the Deployment's annotations and status to write (only when they change),
// the ScalingReplicaSet Events, and when to look again (the progress deadline).
//
// Modelled as the real controller does it:
//   - the new ReplicaSet is the oldest one whose template equals the Deployment's (ignoring the
//     pod-template-hash label); revisions (`deployment.kubernetes.io/revision`) count up from the
//     highest old one; `desired-replicas` and `max-replicas` annotations on every scale;
//   - a paused Deployment and a scaling event (spec.replicas changed while a ReplicaSet runs)
//     only scale, without rolling out;
//   - Recreate: old ReplicaSets go to 0 and the new one is created and scaled up only once no old
//     Pod is left (terminated Pods do not count);
//   - RollingUpdate: maxSurge (rounded up) and maxUnavailable (rounded down), default 25%/25%,
//     both 0 meaning maxUnavailable 1; the new ReplicaSet grows within replicas + maxSurge, old
//     ones shrink while availability stays at replicas - maxUnavailable (unhealthy ones first);
//   - status from the ReplicaSets' status; conditions Available (MinimumReplicasAvailable /
//     MinimumReplicasUnavailable), Progressing (NewReplicaSetCreated, FoundNewReplicaSet,
//     ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused,
//     DeploymentResumed) and ReplicaFailure (copied from a ReplicaSet), with the real messages.
// Not modelled: rollback through the deprecated rollbackTo field, adopting or releasing
// ReplicaSets by selector, and the exact proportions of scaling a Deployment in the middle of a
// rolling update (the difference goes to the newest ReplicaSet, or comes from the oldest ones).
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

inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kDesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

// A ReplicaSet to write (create or update), and the ScalingReplicaSet Event message to record on
// the Deployment once the write succeeded ("" when its size does not change).
struct ReplicaSetWrite {
  nlohmann::json replica_set;
  std::string scaling_message;
};

struct DeploymentPlan {
  // The new ReplicaSet, when it does not exist yet (spec.replicas already set).
  std::optional<ReplicaSetWrite> create;
  // Existing ReplicaSets to update (PUT, the observed resourceVersion as precondition), in order.
  std::vector<ReplicaSetWrite> updates;
  // Old ReplicaSets (names) to delete: beyond revisionHistoryLimit and scaled to 0.
  std::vector<std::string> deletes;
  // The Deployment's metadata.annotations, when the revision annotation changes.
  std::optional<nlohmann::json> annotations;
  // The status to write through /status, when it differs from the current one.
  std::optional<nlohmann::json> status;
  // Decide again after this long (the progress deadline), if set.
  std::optional<std::chrono::milliseconds> requeue_after;
};

// `replica_sets` are the ReplicaSets controlled by `deployment` (ownerReference controller=true
// with its uid), `pods` the Pods controlled by any of them; both in any order.
DeploymentPlan DecideDeployment(const nlohmann::json& deployment, const std::vector<nlohmann::json>& replica_sets,
                                const std::vector<nlohmann::json>& pods, WallTime now);

// The Deployment's status after a hash collision: status.collisionCount + 1 (the next new
// ReplicaSet name then differs).
nlohmann::json StatusAfterCollision(const nlohmann::json& deployment);

}  // namespace lifeboat::devcluster
