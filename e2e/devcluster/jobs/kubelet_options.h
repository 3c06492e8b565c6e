// KubeletOptions: how the local kubelet runs pods on this machine (data dir layout, bubblewrap,
// PATH and per-image directories, log bounds, grace periods, restart back-off). Plain data.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "e2e/devcluster/jobs/image_paths.h"
#include "e2e/devcluster/jobs/pod_lifecycle.h"

namespace lifeboat::devcluster {

struct KubeletOptions {
  std::filesystem::path data_dir;  // volumes/, logs/, pods/ live here
  std::string node_name = "lifeboat-devcluster";
  std::string bwrap_path = "/usr/bin/bwrap";
  // PATH of container processes (after the image's directories); the devcluster's own PATH.
  std::string host_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  ImagePathMap image_paths;
  uint64_t log_max_bytes = 10 * 1024 * 1024;
  // Upper bound on a pod's terminationGracePeriodSeconds when it is deleted.
  std::chrono::milliseconds max_termination_grace{std::chrono::seconds(30)};
  // Grace period for containers when the devcluster itself stops.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(2)};
  PodStepOptions step_options;
};

}  // namespace lifeboat::devcluster
