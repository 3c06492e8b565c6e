#include "e2e/devcluster/jobs/sandbox_command.h"

#include <set>

namespace lifeboat::devcluster {

std::string PodHostname(const nlohmann::json& pod) {
  constexpr size_t kHostnameMaxLength = 63;
  const nlohmann::json spec = pod.value("spec", nlohmann::json::object());
  std::string hostname = spec.value("hostname", "");
  if (hostname.empty()) hostname = pod.value("metadata", nlohmann::json::object()).value("name", "");
  if (hostname.size() <= kHostnameMaxLength) return hostname;
  hostname.resize(kHostnameMaxLength);
  const size_t keep = hostname.find_last_not_of("-.");
  hostname.resize(keep == std::string::npos ? 0 : keep + 1);
  return hostname;
}

std::vector<std::string> BuildSandboxCommand(const std::string& bwrap_path, const SandboxSpec& spec) {
  std::vector<std::string> args = {bwrap_path, "--die-with-parent", "--unshare-pid", "--unshare-uts"};
  if (!spec.hostname.empty()) {
    args.insert(args.end(), {"--hostname", spec.hostname});
  }
  args.insert(args.end(), {"--tmpfs", "/"});
  for (const RootEntry& entry : spec.root_entries) {
    if (entry.name == "proc" || entry.name == "dev" || entry.name == "tmp" || entry.name.empty()) continue;
    const std::string path = "/" + entry.name;
    if (entry.symlink_target) {
      args.insert(args.end(), {"--symlink", *entry.symlink_target, path});
    } else {
      args.insert(args.end(), {"--bind", path, path});
    }
  }
  args.insert(args.end(), {"--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/dev/shm", "--perms",
                           "1777", "--tmpfs", "/tmp"});
  for (const std::string& dir : spec.private_dirs) {
    args.insert(args.end(), {"--perms", "0755", "--tmpfs", dir});
  }
  // bwrap would create a missing parent of a bind target with mode 0700, which only root can
  // pass; `--dir` creates it 0755, as container runtimes create mount points (existing
  // directories are left as they are).
  std::set<std::string> parents_done = {"/"};
  auto add_parents = [&](const std::string& target) {
    for (size_t slash = target.find('/', 1); slash != std::string::npos; slash = target.find('/', slash + 1)) {
      const std::string parent = target.substr(0, slash);
      if (parents_done.insert(parent).second) args.insert(args.end(), {"--dir", parent});
    }
  };
  for (const std::string& dir : spec.read_only_dirs) {
    add_parents(dir);
    args.insert(args.end(), {"--ro-bind", dir, dir});
  }
  for (const HostMount& mount : spec.mounts) {
    add_parents(mount.target);
    args.insert(args.end(), {mount.read_only ? "--ro-bind" : "--bind", mount.source, mount.target});
  }
  if (!spec.working_dir.empty()) {
    args.insert(args.end(), {"--dir", spec.working_dir, "--chdir", spec.working_dir});
  }
  args.push_back("--");
  args.insert(args.end(), spec.argv.begin(), spec.argv.end());
  return args;
}

}  // namespace lifeboat::devcluster
