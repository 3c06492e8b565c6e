// DeploymentController: the I/O shell around DecideDeployment. One Sync() observes every apps/v1
// Deployment, the ReplicaSets it controls and their Pods straight from the API, decides, and
// applies the plan in the real controller's order: the new ReplicaSet (AlreadyExists with another
// template is a hash collision: status.collisionCount goes up and the next pass uses a new name),
// the Deployment's revision annotation, ReplicaSet updates (each size change recorded as a
// ScalingReplicaSet Event), deletions beyond revisionHistoryLimit, and the status through /status
// when it changed. A failed write ends the Deployment's pass; the next pass observes again.
// Events carry source.component deployment-controller.
//
// Thread-compatible: Sync() is called by one thread (JobRunner's controller loop).
#pragma once

#include <chrono>
#include <optional>

#include "e2e/devcluster/jobs/cluster_api.h"
#include "e2e/devcluster/jobs/deployment_decide.h"
#include "e2e/devcluster/jobs/event_recorder.h"
#include "operator/core/clock.h"

namespace lifeboat::devcluster {

class DeploymentController {
 public:
  DeploymentController(ClusterApi& api, const Clock& clock);

  // One pass over every Deployment. Returns when to sync again at the latest (a progress
  // deadline, a retry), or nullopt when only a change needs another pass.
  std::optional<std::chrono::milliseconds> Sync();

 private:
  // Applies one Deployment's plan; returns a requeue.
  std::optional<std::chrono::milliseconds> SyncDeployment(const nlohmann::json& deployment,
                                                          const std::vector<nlohmann::json>& replica_sets,
                                                          const std::vector<nlohmann::json>& pods);

  ClusterApi& api_;
  const Clock& clock_;
  EventRecorder events_;
};

}  // namespace lifeboat::devcluster
