// JobController: the I/O shell around DecideJob. One Sync() observes every batch/v1 Job and the
// Pods it controls (ownerReference controller=true with the Job's uid) straight from the API,
// decides, and applies the plan in a crash-safe order: status (through /status, only when
// changed), release of tracking finalizers, pod deletions, pod creations (`<job>-<5 chars>`, a new
// suffix on AlreadyExists), Events, and the ttlSecondsAfterFinished deletion of the Job. Pods that
// still carry the tracking finalizer but whose Job is gone are released too.
//
// Thread-compatible: Sync() is called by one thread (JobRunner's controller loop).
#pragma once

#include <chrono>
#include <optional>
#include <random>

#include "e2e/devcluster/jobs/cluster_api.h"
#include "e2e/devcluster/jobs/event_recorder.h"
#include "e2e/devcluster/jobs/job_decide.h"
#include "operator/core/clock.h"

namespace lifeboat::devcluster {

class JobController {
 public:
  JobController(ClusterApi& api, const Clock& clock, JobDecideOptions options = {}, uint64_t seed = std::random_device{}());

  // One pass over every Job. Returns when to sync again at the latest (a requeue of some Job), or
  // nullopt when only a change needs another pass. Errors of single Jobs are retried soon.
  std::optional<std::chrono::milliseconds> Sync();

 private:
  // Applies one Job's plan; returns a requeue.
  std::optional<std::chrono::milliseconds> SyncJob(const nlohmann::json& job, const std::vector<nlohmann::json>& pods);
  void ReleasePod(const nlohmann::json& pod);

  ClusterApi& api_;
  const Clock& clock_;
  const JobDecideOptions options_;
  EventRecorder events_;
  std::mt19937_64 random_;
};

}  // namespace lifeboat::devcluster
