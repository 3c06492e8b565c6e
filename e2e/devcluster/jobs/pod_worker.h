// PodWorker: the local kubelet's worker for one Pod, on its own thread. It prepares the pod's
// volumes (claims must exist; emptyDir, secret and configMap directories under the pod dir; the
// pod's fsGroup applied with SetVolumeOwnership), runs init containers in order and then the
// containers as sandboxed processes (ContainerProcess) as the user the kubelet and the runtime
// would pick (security_context.h; runAsNonRoot refusals wait as CreateContainerConfigError),
// follows DecidePodStep for restarts and deletion, and reports BuildPodStatus through the status
// subresource whenever it changes, with the kubelet's Events (Scheduled, Pulled, Created, Started,
// Killing, Failed, FailedMount, BackOff). It ends once the pod is terminal (processes reaped, pod
// dir removed) or gone (its logs removed too).
//
// Thread-safety: Update/PodGone/Shutdown/Done may be called from any thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/jobs/cluster_api.h"
#include "e2e/devcluster/jobs/container_process.h"
#include "e2e/devcluster/jobs/event_recorder.h"
#include "e2e/devcluster/jobs/kubelet_options.h"
#include "e2e/devcluster/jobs/pod_lifecycle.h"
#include "e2e/devcluster/jobs/volume_plan.h"

namespace lifeboat::devcluster {

class PodWorker {
 public:
  PodWorker(ClusterApi& api, const Clock& clock, const KubeletOptions& options, EventRecorder& events,
            const std::vector<RootEntry>& root_entries, nlohmann::json pod);
  ~PodWorker();  // Shutdown() and join.
  PodWorker(const PodWorker&) = delete;
  PodWorker& operator=(const PodWorker&) = delete;

  // A newer version of the pod was observed.
  void Update(nlohmann::json pod);
  // The pod no longer exists: stop its containers, remove its files and logs.
  void PodGone();
  // The kubelet stops: stop the containers (short grace), write nothing more.
  void Shutdown();
  // The worker has finished (pod terminal or gone, or shut down).
  bool Done() const;

 private:
  using ProcessPtr = std::unique_ptr<ContainerProcess>;
  void Loop();
  void Wake();
  void Adopt(const nlohmann::json& status);
  void Harvest(bool init, size_t index);
  void StartContainer(bool init, size_t index);
  bool PrepareVolumes();
  void StopAll(std::chrono::milliseconds grace);
  void WriteStatus(const nlohmann::json& status);
  const nlohmann::json& ContainerSpec(bool init, size_t index) const;
  std::optional<nlohmann::json> LookupObject(std::string_view kind, std::string_view name);
  std::string ReadTerminationMessage(const nlohmann::json& container, int exit_code, const std::filesystem::path& log);
  std::filesystem::path LogPath(const std::string& container) const;

  ClusterApi& api_;
  const Clock& clock_;
  const KubeletOptions& options_;
  EventRecorder& events_;
  const std::vector<RootEntry>& root_entries_;
  PodPaths paths_;
  std::string namespace_;
  std::string name_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  nlohmann::json pod_;  // latest observed (guarded by mutex_)
  bool gone_ = false;
  bool shutdown_ = false;
  bool wake_ = false;
  bool done_ = false;

  // Worker-thread state.
  PodRun run_;
  std::vector<ProcessPtr> init_processes_;
  std::vector<ProcessPtr> processes_;
  nlohmann::json last_status_;
  bool scheduled_event_sent_ = false;
  bool volumes_ready_ = false;
  std::string last_mount_error_;
  std::thread thread_;
};

}  // namespace lifeboat::devcluster
