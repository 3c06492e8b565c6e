// ReplicaSetController: the I/O shell around DecideReplicaSet. One Sync() observes every apps/v1
// ReplicaSet and the Pods it controls (ownerReference controller=true with its uid) straight
// from the API, decides, and applies the plan: Pod deletions ("Deleted pod: NAME"), Pod creations
// (`<replicaset>-<5 chars>`, a new suffix on AlreadyExists; "Created pod: NAME", or Warning
// FailedCreate "Error creating: ..." and the ReplicaFailure condition), then the status through
// /status when it changed. Events carry source.component replicaset-controller.
// A ReplicaSet whose Pods are refused (e.g. by Pod Security admission) is retried after 1 s,
// doubling up to 1 min, as the real controller's rate-limited work queue spaces its retries (and
// so its FailedCreate Events).
//
// Thread-compatible: Sync() is called by one thread (JobRunner's controller loop).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "e2e/devcluster/jobs/cluster_api.h"
#include "e2e/devcluster/jobs/event_recorder.h"
#include "e2e/devcluster/jobs/replica_set_decide.h"
#include "operator/core/clock.h"

namespace lifeboat::devcluster {

class ReplicaSetController {
 public:
  ReplicaSetController(ClusterApi& api, const Clock& clock, uint64_t seed = std::random_device{}());

  // One pass over every ReplicaSet. Returns when to sync again at the latest, or nullopt when
  // only a change needs another pass.
  std::optional<std::chrono::milliseconds> Sync();

 private:
  std::optional<std::chrono::milliseconds> SyncReplicaSet(const nlohmann::json& replica_set,
                                                          const std::vector<nlohmann::json>& pods);

  // Retries of failed Pod creations per ReplicaSet uid: consecutive failures and the next try.
  struct CreateBackoff {
    int failures = 0;
    WallTime next_attempt;
  };

  ClusterApi& api_;
  const Clock& clock_;
  EventRecorder events_;
  std::mt19937_64 random_;
  std::map<std::string, CreateBackoff> backoff_;
};

}  // namespace lifeboat::devcluster
