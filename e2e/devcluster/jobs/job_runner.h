// JobRunner: the workload controllers and the local kubelet of lifeboat-devcluster, running inside
// the server process against its ObjectStore. Start() launches a controller loop (JobController,
// DeploymentController, ReplicaSetController), a kubelet loop (LocalKubelet) and watches on Jobs,
// Deployments, ReplicaSets and Pods that wake both loops on every change; both also resync
// periodically. Stop() stops the loops and kills every process the kubelet
// started (SIGTERM, then SIGKILL after a short grace), so nothing outlives the devcluster; each
// container also carries PR_SET_PDEATHSIG and bwrap --die-with-parent for the case the devcluster
// is killed outright.
//
// Configuration from the environment (see README-jobs.md):
//   LIFEBOAT_DEVCLUSTER_IMAGE_PATH        "image=/dir[:/dir][,user=U[:G]];image2=..." per-image PATH
//                                         prefixes and users (image_paths.h)
//   LIFEBOAT_DEVCLUSTER_BACKOFF_SECONDS   base of the pod-failure and restart back-offs (default 1;
//                                         a real cluster uses 10)
//   PATH                                  the host PATH containers get after their image's dirs
//
// Thread-safety: Start() and Stop() are called by one owner thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "e2e/devcluster/jobs/deployment_controller.h"
#include "e2e/devcluster/jobs/job_controller.h"
#include "e2e/devcluster/jobs/kubelet_options.h"
#include "e2e/devcluster/jobs/local_kubelet.h"
#include "e2e/devcluster/jobs/replica_set_controller.h"
#include "e2e/devcluster/jobs/store_cluster_api.h"
#include "e2e/devcluster/store/object_store.h"
#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat::devcluster {

struct JobRunnerOptions {
  JobDecideOptions job_options;
  KubeletOptions kubelet_options;  // kubelet_options.data_dir is the devcluster's data dir

  // Defaults for `data_dir` plus the environment variables above. InvalidArgument for a malformed
  // LIFEBOAT_DEVCLUSTER_IMAGE_PATH or back-off, FailedPrecondition when bwrap is not installed.
  static StatusOr<JobRunnerOptions> FromEnvironment(const std::filesystem::path& data_dir);
};

class JobRunner {
 public:
  // Options from the environment; a bad environment is reported by Start() on stderr, after
  // which the runner does nothing.
  JobRunner(ObjectStore& store, std::filesystem::path data_dir, const Clock& clock);
  JobRunner(ObjectStore& store, JobRunnerOptions options, const Clock& clock);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Lets pods reach the API in cluster (see InClusterApi); call before Start().
  void SetInClusterApi(InClusterApi api) { options_.kubelet_options.in_cluster_api = std::move(api); }

  void Start();
  void Stop();

  // The configuration problem, if any (Ok when the runner can run).
  const Status& ConfigStatus() const { return config_status_; }

 private:
  void ControllerLoop();
  void KubeletLoop();
  void WatchLoop(const ResourceRef& resource);
  void Notify();

  ObjectStore& store_;
  const Clock& clock_;
  JobRunnerOptions options_;
  Status config_status_;
  StoreClusterApi controller_api_;
  StoreClusterApi deployment_api_;
  StoreClusterApi replica_set_api_;
  StoreClusterApi kubelet_api_;
  std::unique_ptr<JobController> controller_;
  std::unique_ptr<DeploymentController> deployment_controller_;
  std::unique_ptr<ReplicaSetController> replica_set_controller_;
  std::unique_ptr<LocalKubelet> kubelet_;

  std::mutex mutex_;
  std::condition_variable cv_;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  bool started_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace lifeboat::devcluster
