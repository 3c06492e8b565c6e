#include "controllers/common/run_as.h"

#include <algorithm>

#include "controllers/common/resources.h"

namespace lifeboat::controllers {
namespace {

using nlohmann::json;

std::optional<std::int64_t> IdAt(const json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

// The first layer's value of `field`.
template <typename T>
std::optional<T> First(const std::vector<api::SecurityContext>& layers, std::optional<T> api::SecurityContext::*field) {
  for (const api::SecurityContext& layer : layers) {
    if (layer.*field) return layer.*field;
  }
  return std::nullopt;
}

void AddGroup(std::vector<std::int64_t>& groups, std::int64_t group, std::int64_t primary) {
  if (group != primary && std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
}

}  // namespace

std::string WorkloadKey(const api::WorkloadRef& workload) { return WorkloadKey(workload.kind, workload.name); }

std::vector<api::SecurityContext> MediaLayers(const std::optional<api::SecurityContext>& security_context,
                                              const std::optional<api::FileOwnerSpec>& owner,
                                              const std::optional<api::WorkloadRef>& workload,
                                              const WorkloadContexts& workloads) {
  std::vector<api::SecurityContext> layers;
  if (security_context) layers.push_back(*security_context);
  if (owner) layers.push_back(OwnerSecurityContext(*owner));
  if (workload) {
    auto it = workloads.find(WorkloadKey(*workload));
    if (it != workloads.end()) layers.push_back(it->second);
  }
  return layers;
}

std::vector<std::int64_t> MediaGroups(const std::vector<api::SecurityContext>& layers) {
  std::vector<std::int64_t> groups;
  if (auto group = First(layers, &api::SecurityContext::run_as_group)) {
    groups.push_back(*group);
  } else if (auto user = First(layers, &api::SecurityContext::run_as_user)) {
    groups.push_back(*user);
  }
  if (auto fs_group = First(layers, &api::SecurityContext::fs_group)) groups.push_back(*fs_group);
  if (auto more = First(layers, &api::SecurityContext::supplemental_groups)) groups.insert(groups.end(), more->begin(), more->end());
  return groups;
}

api::SecurityContext WorkloadSecurityContext(const json& workload) {
  api::SecurityContext c;
  const json pod = workload.value("spec", json::object()).value("template", json::object()).value("spec", json::object());
  const json pod_context = pod.value("securityContext", json::object());
  json container_context = json::object();
  if (pod.contains("containers") && pod["containers"].is_array() && !pod["containers"].empty() &&
      pod["containers"][0].is_object()) {
    container_context = pod["containers"][0].value("securityContext", json::object());
  }
  c.run_as_user = IdAt(container_context, "runAsUser");
  if (!c.run_as_user) c.run_as_user = IdAt(pod_context, "runAsUser");
  c.run_as_group = IdAt(container_context, "runAsGroup");
  if (!c.run_as_group) c.run_as_group = IdAt(pod_context, "runAsGroup");
  // The application's fsGroup is why its volume's files have that group: the Job joins the group
  // instead of setting fsGroup, which would make the kubelet change the group of every file in the
  // Job's other volumes (the repository, scratch) as well.
  if (pod_context.is_object() && pod_context.contains("supplementalGroups") && pod_context["supplementalGroups"].is_array()) {
    c.supplemental_groups.emplace();
    for (const json& g : pod_context["supplementalGroups"]) {
      if (g.is_number_integer()) c.supplemental_groups->push_back(g.get<std::int64_t>());
    }
  }
  if (auto fs_group = IdAt(pod_context, "fsGroup")) {
    if (!c.supplemental_groups) c.supplemental_groups.emplace();
    c.supplemental_groups->push_back(*fs_group);
  }
  return c;
}

api::SecurityContext OwnerSecurityContext(const api::FileOwnerSpec& owner) {
  api::SecurityContext c;
  c.run_as_user = owner.uid;
  c.run_as_group = owner.gid;
  return c;
}

std::int64_t RepositoryGroup(const api::PodSettings& pod_settings) {
  if (!pod_settings.security_context) return kImageUser;
  const api::SecurityContext& c = *pod_settings.security_context;
  return c.run_as_group.value_or(c.run_as_user.value_or(kImageUser));
}

JobUser ResolveJobUser(const std::vector<api::SecurityContext>& layers, const api::PodSettings& pod_settings,
                       const std::vector<std::int64_t>& extra_groups) {
  std::vector<api::SecurityContext> all = layers;
  if (pod_settings.security_context) all.push_back(*pod_settings.security_context);
  JobUser user;
  user.uid = First(all, &api::SecurityContext::run_as_user).value_or(kImageUser);
  user.gid = First(all, &api::SecurityContext::run_as_group).value_or(user.uid);
  user.fs_group = First(all, &api::SecurityContext::fs_group);
  if (auto groups = First(all, &api::SecurityContext::supplemental_groups)) {
    for (std::int64_t g : *groups) AddGroup(user.supplemental_groups, g, user.gid);
  }
  for (std::int64_t g : extra_groups) AddGroup(user.supplemental_groups, g, user.gid);
  AddGroup(user.supplemental_groups, RepositoryGroup(pod_settings), user.gid);
  for (const api::SecurityContext& layer : all) {
    if (!layer.fs_group_change_policy.empty()) {
      user.fs_group_change_policy = layer.fs_group_change_policy;
      break;
    }
  }
  return user;
}

json PodSecurityContextJson(const JobUser& user) {
  json c{{"runAsUser", user.uid},
         {"runAsGroup", user.gid},
         {"runAsNonRoot", user.uid != 0},
         {"seccompProfile", {{"type", "RuntimeDefault"}}}};
  if (user.fs_group) c["fsGroup"] = *user.fs_group;
  if (!user.fs_group_change_policy.empty()) c["fsGroupChangePolicy"] = user.fs_group_change_policy;
  if (!user.supplemental_groups.empty()) c["supplementalGroups"] = user.supplemental_groups;
  return c;
}

}  // namespace lifeboat::controllers
