#include "controllers/common/agent_job.h"

#include <cstdlib>

#include "controllers/common/labels.h"
#include "controllers/common/run_as.h"

namespace lifeboat::controllers {

std::string DefaultAgentImage() {
  const char* image = std::getenv("LIFEBOAT_AGENT_IMAGE");
  if (image != nullptr && *image != '\0') return image;
  return "ghcr.io/lifeboat-dev/lifeboat:0.1.0";
}

nlohmann::json SecretEnv(const std::string& name, const std::string& secret, const std::string& key) {
  return {{"name", name}, {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", key}}}}}};
}

nlohmann::json ValueEnv(const std::string& name, const std::string& value) {
  return {{"name", name}, {"value", value}};
}

nlohmann::json BuildAgentPodTemplate(const AgentJobSpec& spec, const std::string& restart_policy) {
  const api::PodSettings& p = spec.pod_settings;
  nlohmann::json labels = nlohmann::json::object();
  for (const auto& [k, v] : p.labels) labels[k] = v;
  for (const auto& [k, v] : spec.labels) labels[k] = v;
  labels[kManagedByLabel] = kManagedByValue;

  nlohmann::json container = {
      {"name", kAgentContainerName},
      {"image", p.image.empty() ? spec.default_image : p.image},
      {"command", {"lifeboat"}},
      {"args", spec.args},
      {"env", spec.env},
      {"volumeMounts", spec.volume_mounts},
      {"terminationMessagePath", "/dev/termination-log"},
      {"terminationMessagePolicy", "FallbackToLogsOnError"},
      {"securityContext",
       {{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}}}}},
  };
  if (!p.image_pull_policy.empty()) container["imagePullPolicy"] = p.image_pull_policy;
  if (!p.resources.is_null()) container["resources"] = p.resources;

  const JobUser user = ResolveJobUser(spec.run_as_layers, p, spec.extra_groups);
  container["env"].push_back(ValueEnv("LIFEBOAT_REPOSITORY_GROUP", std::to_string(RepositoryGroup(p))));
  nlohmann::json pod_spec = {
      {"restartPolicy", restart_policy},
      {"securityContext", PodSecurityContextJson(user)},
      {"containers", nlohmann::json::array({container})},
      {"volumes", spec.volumes},
  };
  if (!p.service_account_name.empty()) pod_spec["serviceAccountName"] = p.service_account_name;
  if (!p.node_selector.empty()) pod_spec["nodeSelector"] = p.node_selector;
  if (!p.tolerations.is_null()) pod_spec["tolerations"] = p.tolerations;
  if (!p.priority_class_name.empty()) pod_spec["priorityClassName"] = p.priority_class_name;
  if (!p.image_pull_secrets.empty()) {
    nlohmann::json secrets = nlohmann::json::array();
    for (const auto& s : p.image_pull_secrets) secrets.push_back({{"name", s}});
    pod_spec["imagePullSecrets"] = secrets;
  }
  nlohmann::json template_meta = {{"labels", labels}};
  if (!p.annotations.empty()) template_meta["annotations"] = p.annotations;
  return {{"metadata", template_meta}, {"spec", pod_spec}};
}

nlohmann::json OwnedObjectMeta(const AgentJobSpec& spec, const nlohmann::json& labels) {
  nlohmann::json annotations = nlohmann::json::object();
  for (const auto& [k, v] : spec.annotations) annotations[k] = v;
  return {{"name", spec.name},
          {"namespace", spec.ns},
          {"labels", labels},
          {"annotations", annotations},
          {"ownerReferences",
           {{{"apiVersion", spec.owner.api_version},
             {"kind", spec.owner.kind},
             {"name", spec.owner.name},
             {"uid", spec.owner.uid},
             {"controller", true},
             {"blockOwnerDeletion", true}}}}};
}

nlohmann::json BuildAgentJob(const AgentJobSpec& spec) {
  const api::PodSettings& p = spec.pod_settings;
  nlohmann::json pod_template = BuildAgentPodTemplate(spec, "Never");
  nlohmann::json job_spec = {
      {"backoffLimit", p.backoff_limit},
      {"template", pod_template},
  };
  if (p.active_deadline_seconds) job_spec["activeDeadlineSeconds"] = *p.active_deadline_seconds;
  return {
      {"apiVersion", "batch/v1"},
      {"kind", "Job"},
      {"metadata", OwnedObjectMeta(spec, pod_template["metadata"]["labels"])},
      {"spec", job_spec},
  };
}

std::string ChecksJson(const std::vector<api::SqlCheck>& checks) {
  nlohmann::json list = nlohmann::json::array();
  for (const api::SqlCheck& c : checks) {
    nlohmann::json check = {{"name", c.name}, {"sql", c.query}, {"expectText", c.expected}};
    if (!c.database.empty()) check["database"] = c.database;
    list.push_back(check);
  }
  return list.dump();
}

}  // namespace lifeboat::controllers
