// LocalKubelet: runs every Pod of the devcluster on this machine, one PodWorker per Pod that is not
// terminal yet. Sync() observes all Pods (level-based: call it on any pod change and now and then)
// and starts, updates or stops workers; Stop() stops every worker and its processes. The data-dir
// layout (volumes/, logs/, pods/) is described in README-jobs.md.
//
// Thread-safety: Sync() and Stop() may be called from any thread (they serialize).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "e2e/devcluster/jobs/cluster_api.h"
#include "e2e/devcluster/jobs/event_recorder.h"
#include "e2e/devcluster/jobs/kubelet_options.h"
#include "e2e/devcluster/jobs/pod_worker.h"
#include "operator/core/clock.h"

namespace lifeboat::devcluster {

class LocalKubelet {
 public:
  LocalKubelet(ClusterApi& api, const Clock& clock, KubeletOptions options);
  ~LocalKubelet();  // Stop()
  LocalKubelet(const LocalKubelet&) = delete;
  LocalKubelet& operator=(const LocalKubelet&) = delete;

  // Returns false when the pods could not be listed (retry later).
  bool Sync();
  // Stops every worker (containers get KubeletOptions::shutdown_grace) and waits for them.
  void Stop();
  // Pods with a worker (running or about to).
  size_t ActivePods() const;

 private:
  ClusterApi& api_;
  const Clock& clock_;
  const KubeletOptions options_;
  EventRecorder events_;
  const std::vector<RootEntry> root_entries_;
  mutable std::mutex mutex_;
  bool stopped_ = false;
  std::map<std::string, std::unique_ptr<PodWorker>> workers_;  // by pod uid
  // Pods that finished (uid -> logs dir), to remove their logs once they are deleted.
  std::map<std::string, std::filesystem::path> finished_;
};

}  // namespace lifeboat::devcluster
