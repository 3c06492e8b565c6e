// AgentJob: builds the batch/v1 Job that runs one `lifeboat agent ...` command for a Lifeboat
// resource: owned by that resource (controller reference, so garbage collection removes it and
// changes enqueue the owner), labelled app.kubernetes.io/managed-by=lifeboat, one container named
// "agent" whose JSON result lands in its termination message, restartPolicy Never, the user it runs
// as (run_as.h, within the restricted Pod Security profile) and the user's pod settings (image,
// resources, nodeSelector, tolerations, service account, ...). Built-in
// objects stay JSON (docs/architecture.md). Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "operator/api/common_spec.h"

namespace lifeboat::controllers {

// The image agent Jobs use when podSettings.image is empty: $LIFEBOAT_AGENT_IMAGE, else the
// operator's own release image.
std::string DefaultAgentImage();

struct OwnerRef {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
};

struct AgentJobSpec {
  std::string name;
  std::string ns;
  OwnerRef owner;
  std::map<std::string, std::string> labels;       // Added to the Job and its Pod template.
  std::map<std::string, std::string> annotations;  // On the Job.
  api::PodSettings pod_settings;
  std::string default_image;
  std::vector<std::string> args;  // After the program: {"agent", "backup", ...}.
  nlohmann::json env = nlohmann::json::array();            // []EnvVar
  nlohmann::json volumes = nlohmann::json::array();        // []Volume
  nlohmann::json volume_mounts = nlohmann::json::array();  // []VolumeMount of the agent container
  // Who the Job runs as, above pod_settings (run_as.h): a media entry's securityContext, owner,
  // workload; and groups it needs besides (other media sources' groups).
  std::vector<api::SecurityContext> run_as_layers;
  std::vector<std::int64_t> extra_groups;
};

nlohmann::json BuildAgentJob(const AgentJobSpec& spec);

// The Pod template of an agent Job (labels, the agent container, the user, the pod settings), also
// used by long-running agents (a Deployment's template, restartPolicy Always).
nlohmann::json BuildAgentPodTemplate(const AgentJobSpec& spec, const std::string& restart_policy);
// The metadata of an object the resource owns: name, namespace, `labels`, spec.annotations and the
// controller owner reference.
nlohmann::json OwnedObjectMeta(const AgentJobSpec& spec, const nlohmann::json& labels);

// An EnvVar from a Secret key (the value never appears in the Job).
nlohmann::json SecretEnv(const std::string& name, const std::string& secret, const std::string& key);
nlohmann::json ValueEnv(const std::string& name, const std::string& value);

// The agent's --checks-json value for the user's SQL checks (`expected` is compared as the text
// `psql -At` prints): what `agent verify` and `agent drill` run.
std::string ChecksJson(const std::vector<api::SqlCheck>& checks);

}  // namespace lifeboat::controllers
