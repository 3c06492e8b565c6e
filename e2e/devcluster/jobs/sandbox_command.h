// Sandbox command: the bubblewrap (`bwrap`) command line that runs one container process in a
// private mount, PID and UTS namespace while sharing the host's network (so pods reach 127.0.0.1
// services) and the host's files: a tmpfs root with every top-level host directory bound back
// (symlinks such as /bin -> usr/bin recreated), a private /proc and /dev, a private /tmp and
// /dev/shm that every user may write (mode 1777, as an image's /tmp and the runtime's /dev/shm
// are), the pod's volumes bound at their mountPaths, the working directory, and --die-with-parent
// so that killing the supervising bwrap (or the devcluster) ends the container's whole PID
// namespace. Missing parents of bind targets are created 0755 (a container runtime's mount
// points), not 0700 as bwrap would make them. The hostname is the pod's, as the kubelet makes it
// (PodHostname).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "e2e/devcluster/jobs/volume_plan.h"

namespace lifeboat::devcluster {

// One entry of the host's root directory.
struct RootEntry {
  std::string name;                           // "etc", "bin", ...
  std::optional<std::string> symlink_target;  // "usr/bin" when /bin is a symlink
};

struct SandboxSpec {
  std::vector<RootEntry> root_entries;
  // Mounts whose targets have already been resolved against host symlinks (see
  // ResolveMountTarget in container_process.h), parents first.
  std::vector<HostMount> mounts;
  // Directories that get a private, empty tmpfs (mode 0755) before anything is bound in them,
  // so that the host's content and modes there do not show (e.g. /run/secrets, where the kubelet
  // mounts the service account token).
  std::vector<std::string> private_dirs;
  // Directories bound read-only at the same path (e.g. per-image binary directories under /tmp).
  std::vector<std::string> read_only_dirs;
  std::string working_dir;  // "" keeps "/"
  std::string hostname;     // PodHostname(pod)
  std::vector<std::string> argv;
};

// The hostname of a pod's containers (and their HOSTNAME variable), as the kubelet makes it:
// spec.hostname, else the pod name; longer than 63 characters, it is cut to 63 and trailing '-'
// and '.' are removed (a pod name may be a 253-character DNS subdomain; a hostname may not).
std::string PodHostname(const nlohmann::json& pod);

// ["/usr/bin/bwrap", ...options..., "--", argv...].
std::vector<std::string> BuildSandboxCommand(const std::string& bwrap_path, const SandboxSpec& spec);

}  // namespace lifeboat::devcluster
