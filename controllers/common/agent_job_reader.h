// AgentJobReader: the I/O half of reading a finished agent Job's result: lists the Job's Pods (label
// job-name=<job>) and reads the agent's termination message from them (AgentResultFromPods). Both
// controllers observe their Jobs through it. Thread-safe (the client is).
#pragma once

#include <string>

#include "controllers/common/agent_run_result.h"
#include "operator/kube/api_client.h"

namespace lifeboat::controllers {

// The result of Job `job` in `ns`, or why there is none (including a failed Pod list).
PodsAgentResult ReadAgentJobResult(kube::ApiClient& client, const std::string& ns, const std::string& job);

}  // namespace lifeboat::controllers
