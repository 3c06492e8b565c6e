#include "e2e/devcluster/jobs/sandbox_command.h"

namespace lifeboat::devcluster {

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
  args.insert(args.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"});
  for (const std::string& dir : spec.read_only_dirs) {
    args.insert(args.end(), {"--ro-bind", dir, dir});
  }
  for (const HostMount& mount : spec.mounts) {
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
