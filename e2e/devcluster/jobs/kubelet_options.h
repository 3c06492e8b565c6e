// KubeletOptions: how the local kubelet runs pods on this machine (data dir layout, bubblewrap,
// PATH, what it knows of images, the account database, log bounds, grace periods, restart
// back-off). Plain data.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "e2e/devcluster/jobs/image_paths.h"
#include "e2e/devcluster/jobs/pod_lifecycle.h"
#include "e2e/devcluster/jobs/security_context.h"

namespace lifeboat::devcluster {

// How pods reach the devcluster's API "in cluster" (client-go's InClusterConfig): the
// KUBERNETES_SERVICE_HOST/PORT variables and a service account directory with token, ca.crt and
// namespace at /var/run/secrets/kubernetes.io/serviceaccount (unless the pod sets
// automountServiceAccountToken: false).
struct InClusterApi {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string ca_cert_pem;
  std::string token;
};

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
  std::optional<InClusterApi> in_cluster_api;
  // Where container users and groups are looked up (the image's /etc/passwd and /etc/group);
  // null: the host's (HostUserDatabase), which the sandboxes bind at /etc.
  std::shared_ptr<const UserDatabase> user_database;
};

}  // namespace lifeboat::devcluster
