#include "e2e/devcluster/server/discovery.h"

#include <algorithm>

namespace lifeboat::devcluster {
namespace {

std::string GroupVersionText(std::string_view group, std::string_view version) {
  return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
}

nlohmann::json GroupEntry(const ResourceRegistry::GroupVersions& gv) {
  nlohmann::json versions = nlohmann::json::array();
  for (const auto& v : gv.versions) versions.push_back({{"groupVersion", GroupVersionText(gv.group, v)}, {"version", v}});
  nlohmann::json entry = {{"name", gv.group}, {"versions", versions}};
  if (!gv.versions.empty()) entry["preferredVersion"] = versions[0];
  return entry;
}

}  // namespace

nlohmann::json VersionDocument() {
  return {{"major", kServedKubernetesMajor},
          {"minor", kServedKubernetesMinor},
          {"gitVersion", kServedKubernetesGitVersion},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2026-01-01T00:00:00Z"},
          {"goVersion", "go1.23.0"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

nlohmann::json ApiVersionsDocument(std::string_view server_address) {
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs", {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
}

nlohmann::json ApiGroupListDocument(const ResourceRegistry& registry) {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& gv : registry.Groups()) {
    if (gv.group.empty()) continue;
    groups.push_back(GroupEntry(gv));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

std::optional<nlohmann::json> ApiGroupDocument(const ResourceRegistry& registry, std::string_view group) {
  if (group.empty()) return std::nullopt;
  for (const auto& gv : registry.Groups()) {
    if (gv.group != group) continue;
    nlohmann::json doc = GroupEntry(gv);
    doc["kind"] = "APIGroup";
    doc["apiVersion"] = "v1";
    return doc;
  }
  return std::nullopt;
}

std::optional<nlohmann::json> ApiResourceListDocument(const ResourceRegistry& registry, std::string_view group,
                                                      std::string_view version) {
  std::vector<ResourceInfoPtr> kinds = registry.ForGroupVersion(group, version);
  if (kinds.empty()) return std::nullopt;
  nlohmann::json resources = nlohmann::json::array();
  for (const auto& info : kinds) {
    nlohmann::json entry = {{"name", info->plural},
                            {"singularName", info->singular},
                            {"namespaced", info->namespaced},
                            {"kind", info->kind},
                            {"verbs", info->verbs}};
    if (!info->short_names.empty()) entry["shortNames"] = info->short_names;
    if (!info->categories.empty()) entry["categories"] = info->categories;
    resources.push_back(entry);
    if (info->has_status) {
      resources.push_back({{"name", info->plural + "/status"},
                           {"singularName", ""},
                           {"namespaced", info->namespaced},
                           {"kind", info->kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
    if (info->scale.has_value()) {
      resources.push_back({{"name", info->plural + "/scale"},
                           {"singularName", ""},
                           {"namespaced", info->namespaced},
                           {"group", "autoscaling"},
                           {"version", "v1"},
                           {"kind", "Scale"},
                           {"verbs", {"get", "patch", "update"}}});
    }
    if (info->group.empty() && info->plural == "pods") {
      resources.push_back({{"name", "pods/log"},
                           {"singularName", ""},
                           {"namespaced", true},
                           {"kind", "Pod"},
                           {"verbs", {"get"}}});
    }
  }
  std::stable_sort(resources.begin(), resources.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["name"].get<std::string>() < b["name"].get<std::string>();
  });
  return nlohmann::json{{"kind", "APIResourceList"},
                        {"apiVersion", "v1"},
                        {"groupVersion", GroupVersionText(group, version)},
                        {"resources", resources}};
}

}  // namespace lifeboat::devcluster
