// AgentJobReader: what every controller's shell observes through the API client: a finished agent
// Job's result (lists the Job's Pods, label job-name=<job>, and reads the agent's termination
// message from them: AgentResultFromPods), a Job as an ObservedJob, the key names of the
// Secrets a spec references and the users of the workloads it names. Thread-safe (the client is).
#pragma once

#include <string>

#include <map>
#include <set>
#include <vector>

#include "controllers/common/agent_run_result.h"
#include "controllers/common/observed_job.h"
#include "controllers/common/run_as.h"
#include "operator/kube/api_client.h"

namespace lifeboat::controllers {

// The result of Job `job` in `ns`, or why there is none (including a failed Pod list).
PodsAgentResult ReadAgentJobResult(kube::ApiClient& client, const std::string& ns, const std::string& job);

// Job `job` (as read) with, when it has finished and `read_result`, its agent's result.
ObservedJob ObserveJob(kube::ApiClient& client, const std::string& ns, const nlohmann::json& job, bool read_result = true);

// Secret name → the keys its data holds, for each of `names` that exists in `ns`; a name missing
// from the map was not found. Any error but NotFound is returned.
using SecretKeys = std::map<std::string, std::set<std::string>>;
StatusOr<SecretKeys> ReadSecretKeys(kube::ApiClient& client, const std::string& ns, const std::set<std::string>& names);

// The pod securityContext of each workload in `workloads` that exists in `ns` (run_as.h); a workload
// missing from the map was not found. Any error but NotFound is returned.
StatusOr<WorkloadContexts> ReadWorkloadContexts(kube::ApiClient& client, const std::string& ns,
                                                const std::vector<api::WorkloadRef>& workloads);

}  // namespace lifeboat::controllers
