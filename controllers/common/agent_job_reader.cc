#include "controllers/common/agent_job_reader.h"

#include "controllers/common/resources.h"
#include "controllers/common/labels.h"

namespace lifeboat::controllers {

PodsAgentResult ReadAgentJobResult(kube::ApiClient& client, const std::string& ns, const std::string& job) {
  kube::ListOptions options;
  options.label_selector = "job-name=" + job;
  auto pods = client.List(PodResource(), ns, options);
  if (!pods.ok()) return {std::nullopt, "could not list the Job's Pods: " + pods.status().message()};
  return AgentResultFromPods(pods->items, kAgentContainerName);
}

ObservedJob ObserveJob(kube::ApiClient& client, const std::string& ns, const nlohmann::json& job, bool read_result) {
  ObservedJob observed{ReadJobState(job), std::nullopt, ""};
  if (read_result && observed.state.finished()) {
    PodsAgentResult read = ReadAgentJobResult(client, ns, observed.state.name);
    observed.result = std::move(read.result);
    observed.result_error = std::move(read.error);
  }
  return observed;
}

StatusOr<SecretKeys> ReadSecretKeys(kube::ApiClient& client, const std::string& ns, const std::set<std::string>& names) {
  SecretKeys found;
  for (const std::string& name : names) {
    auto secret = client.Get(SecretResource(), ns, name);
    if (!secret.ok()) {
      if (secret.status().code() == StatusCode::kNotFound) continue;
      return secret.status().WithContext("reading Secret " + ns + "/" + name);
    }
    std::set<std::string>& keys = found[name];
    for (const char* field : {"data", "stringData"}) {
      auto it = secret->find(field);
      if (it == secret->end() || !it->is_object()) continue;
      for (auto e = it->begin(); e != it->end(); ++e) keys.insert(e.key());
    }
  }
  return found;
}

StatusOr<WorkloadContexts> ReadWorkloadContexts(kube::ApiClient& client, const std::string& ns,
                                                const std::vector<api::WorkloadRef>& workloads) {
  WorkloadContexts found;
  for (const api::WorkloadRef& w : workloads) {
    if (found.count(WorkloadKey(w))) continue;
    auto object = client.Get(WorkloadResource(w.kind), ns, w.name);
    if (!object.ok()) {
      if (object.status().code() == StatusCode::kNotFound) continue;
      return object.status().WithContext("reading " + w.kind + " " + ns + "/" + w.name);
    }
    found[WorkloadKey(w)] = WorkloadSecurityContext(*object);
  }
  return found;
}

}  // namespace lifeboat::controllers
