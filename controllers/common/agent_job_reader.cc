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

}  // namespace lifeboat::controllers
