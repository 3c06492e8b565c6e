// Sandbox command: the bubblewrap (`bwrap`) command line that runs one container process in a
// private mount, PID and UTS namespace while sharing the host's network (so pods reach 127.0.0.1
// services) and the host's files: a tmpfs root with every top-level host directory bound back
// (symlinks such as /bin -> usr/bin recreated), a private /proc, /dev and /tmp, the pod's volumes
// bound at their mountPaths, the working directory, and --die-with-parent so that killing the
// supervising bwrap (or the devcluster) ends the container's whole PID namespace.
// Pure function; thread-safe.
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
  // Directories bound read-only at the same path (e.g. per-image binary directories under /tmp).
  std::vector<std::string> read_only_dirs;
  std::string working_dir;  // "" keeps "/"
  std::string hostname;     // the pod name
  std::vector<std::string> argv;
};

// ["/usr/bin/bwrap", ...options..., "--", argv...].
std::vector<std::string> BuildSandboxCommand(const std::string& bwrap_path, const SandboxSpec& spec);

}  // namespace lifeboat::devcluster
