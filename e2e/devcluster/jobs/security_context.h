// Security context: the user a container runs as, from the pod's and the container's
// securityContext (the container's runAsUser/runAsGroup win; fsGroup and supplementalGroups come
// from the pod), and the command prefix that drops root to it inside the sandbox
// (`setpriv --reuid U --regid G --groups ... --`, util-linux). Other securityContext fields are not
// applied. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

struct RunAs {
  std::optional<int64_t> user;
  std::optional<int64_t> group;
  std::optional<int64_t> fs_group;
  std::vector<int64_t> supplemental_groups;
  // Whether the process drops root at all.
  bool NonRoot() const { return (user && *user != 0) || (group && *group != 0); }
};

RunAs EffectiveRunAs(const nlohmann::json& pod, const nlohmann::json& container);

// [setpriv, --reuid=U, --regid=G, --groups=..|--clear-groups, --] for a non-root RunAs; empty otherwise.
// The group defaults to the user's id when only runAsUser is set (as container runtimes use gid 0
// only when the image says so; here there is no image, so the user's own id is the safer choice).
std::vector<std::string> DropPrivilegesPrefix(const RunAs& run_as, const std::string& setpriv_path);

}  // namespace lifeboat::devcluster
