#include "e2e/devcluster/jobs/local_kubelet.h"

#include <set>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

bool Terminal(const json& pod) {
  const std::string phase = pod.value("status", json::object()).value("phase", "");
  return phase == "Succeeded" || phase == "Failed";
}

}  // namespace

LocalKubelet::LocalKubelet(ClusterApi& api, const Clock& clock, KubeletOptions options)
    : api_(api),
      clock_(clock),
      options_(std::move(options)),
      events_(api, clock, "kubelet", options_.node_name),
      root_entries_(ReadHostRootEntries()) {}

LocalKubelet::~LocalKubelet() { Stop(); }

bool LocalKubelet::Sync() {
  std::lock_guard lock(mutex_);
  if (stopped_) return true;
  auto pods = api_.List(kPodsResource, "");
  if (!pods.ok()) return false;
  std::set<std::string> seen;
  for (json& pod : *pods) {
    const json metadata = pod.value("metadata", json::object());
    const std::string uid = metadata.value("uid", "");
    if (uid.empty()) continue;
    seen.insert(uid);
    auto it = workers_.find(uid);
    if (it != workers_.end()) {
      it->second->Update(pod);
      continue;
    }
    if (Terminal(pod) || finished_.count(uid)) {
      finished_.emplace(uid, options_.data_dir / "logs" / metadata.value("namespace", "default") /
                                 metadata.value("name", ""));
      continue;
    }
    workers_.emplace(uid, std::make_unique<PodWorker>(api_, clock_, options_, events_, root_entries_, pod));
  }
  for (auto it = workers_.begin(); it != workers_.end();) {
    if (!seen.count(it->first)) it->second->PodGone();
    if (it->second->Done()) {
      if (seen.count(it->first)) {
        const json* pod = nullptr;
        for (const json& p : *pods) {
          if (p["metadata"].value("uid", "") == it->first) pod = &p;
        }
        if (pod) {
          finished_.emplace(it->first, options_.data_dir / "logs" / (*pod)["metadata"].value("namespace", "default") /
                                           (*pod)["metadata"].value("name", ""));
        }
      }
      it = workers_.erase(it);  // joins the finished thread
    } else {
      ++it;
    }
  }
  for (auto it = finished_.begin(); it != finished_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    std::error_code ec;
    std::filesystem::remove_all(it->second, ec);
    it = finished_.erase(it);
  }
  return true;
}

void LocalKubelet::Stop() {
  std::map<std::string, std::unique_ptr<PodWorker>> workers;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    workers.swap(workers_);
  }
  for (auto& [uid, worker] : workers) worker->Shutdown();
  workers.clear();  // joins every worker (each terminates its processes)
}

size_t LocalKubelet::ActivePods() const {
  std::lock_guard lock(mutex_);
  return workers_.size();
}

}  // namespace lifeboat::devcluster
