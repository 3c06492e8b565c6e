#include "e2e/devcluster/jobs/security_context.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

std::optional<int64_t> IntField(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_integer()) return std::nullopt;
  return object[key].get<int64_t>();
}

}  // namespace

RunAs EffectiveRunAs(const nlohmann::json& pod, const nlohmann::json& container) {
  const json spec = pod.value("spec", json::object());
  const json pod_context = spec.value("securityContext", json::object());
  const json container_context = container.value("securityContext", json::object());
  RunAs run_as;
  run_as.user = IntField(container_context, "runAsUser");
  if (!run_as.user) run_as.user = IntField(pod_context, "runAsUser");
  run_as.group = IntField(container_context, "runAsGroup");
  if (!run_as.group) run_as.group = IntField(pod_context, "runAsGroup");
  run_as.fs_group = IntField(pod_context, "fsGroup");
  if (pod_context.is_object() && pod_context.contains("supplementalGroups") &&
      pod_context["supplementalGroups"].is_array()) {
    for (const json& g : pod_context["supplementalGroups"]) {
      if (g.is_number_integer()) run_as.supplemental_groups.push_back(g.get<int64_t>());
    }
  }
  return run_as;
}

std::vector<std::string> DropPrivilegesPrefix(const RunAs& run_as, const std::string& setpriv_path) {
  if (!run_as.NonRoot()) return {};
  const int64_t user = run_as.user.value_or(0);
  const int64_t group = run_as.group.value_or(user);
  std::vector<std::string> prefix = {setpriv_path, "--reuid=" + std::to_string(user),
                                     "--regid=" + std::to_string(group)};
  std::vector<int64_t> groups;
  if (run_as.fs_group) groups.push_back(*run_as.fs_group);
  groups.insert(groups.end(), run_as.supplemental_groups.begin(), run_as.supplemental_groups.end());
  if (groups.empty()) {
    prefix.push_back("--clear-groups");
  } else {
    std::string list;
    for (size_t i = 0; i < groups.size(); ++i) list += (i ? "," : "") + std::to_string(groups[i]);
    prefix.push_back("--groups=" + list);
  }
  prefix.push_back("--");
  return prefix;
}

}  // namespace lifeboat::devcluster
