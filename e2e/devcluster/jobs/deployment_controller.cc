#include "e2e/devcluster/jobs/deployment_controller.h"

#include <map>

#include "e2e/devcluster/jobs/pod_template_hash.h"
#include "e2e/devcluster/jobs/workload_fields.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kRetrySoon{200};

void MinInto(std::optional<milliseconds>& into, std::optional<milliseconds> value) {
  if (value && (!into || *value < *into)) into = value;
}

}  // namespace

DeploymentController::DeploymentController(ClusterApi& api, const Clock& clock)
    : api_(api), clock_(clock), events_(api, clock, "deployment-controller") {}

std::optional<milliseconds> DeploymentController::Sync() {
  auto deployments = api_.List(kDeploymentsResource, "");
  if (!deployments.ok()) return kRetrySoon;
  if (deployments->empty()) return std::nullopt;
  auto replica_sets = api_.List(kReplicaSetsResource, "");
  auto pods = api_.List(kPodsResource, "");
  if (!replica_sets.ok() || !pods.ok()) return kRetrySoon;
  std::map<std::string, std::vector<json>> rs_by_owner;
  for (const json& rs : *replica_sets) {
    const std::string uid = workload::ControllerUidOf(rs, "Deployment");
    if (!uid.empty()) rs_by_owner[uid].push_back(rs);
  }
  std::map<std::string, std::vector<json>> pods_by_owner;
  for (const json& pod : *pods) {
    const std::string uid = workload::ControllerUidOf(pod, "ReplicaSet");
    if (!uid.empty()) pods_by_owner[uid].push_back(pod);
  }
  std::optional<milliseconds> requeue;
  for (const json& deployment : *deployments) {
    const std::vector<json>& owned = rs_by_owner[workload::UidOf(deployment)];
    std::vector<json> owned_pods;
    for (const json& rs : owned) {
      auto it = pods_by_owner.find(workload::UidOf(rs));
      if (it != pods_by_owner.end()) owned_pods.insert(owned_pods.end(), it->second.begin(), it->second.end());
    }
    MinInto(requeue, SyncDeployment(deployment, owned, owned_pods));
  }
  return requeue;
}

std::optional<milliseconds> DeploymentController::SyncDeployment(const json& deployment,
                                                                  const std::vector<json>& replica_sets,
                                                                  const std::vector<json>& pods) {
  DeploymentPlan plan = DecideDeployment(deployment, replica_sets, pods, clock_.Now());
  std::optional<milliseconds> requeue = plan.requeue_after;
  const std::string ns = workload::StringAt(deployment, {"metadata", "namespace"});
  json current = deployment;

  if (plan.create) {
    const json& rs = plan.create->replica_set;
    auto created = api_.Create(kReplicaSetsResource, ns, rs);
    if (!created.ok()) {
      if (created.status().code() == StatusCode::kAlreadyExists) {
        auto existing = api_.Get(kReplicaSetsResource, ns, workload::NameOf(rs));
        const bool ours = existing.ok() &&
                          workload::ControllerUidOf(*existing, "Deployment") == workload::UidOf(deployment) &&
                          EqualIgnoreHash(workload::At(*existing, {"spec", "template"}),
                                          workload::At(deployment, {"spec", "template"}));
        if (existing.ok() && !ours) {
          // dc.getNewReplicaSet: a hash collision; the next pass hashes with the new count.
          json updated = deployment;
          updated["status"] = StatusAfterCollision(deployment);
          (void)api_.UpdateStatus(kDeploymentsResource, updated);
        }
      } else {
        events_.Record(deployment, "Warning", "FailedCreate",
                       "Failed to create new replica set \"" + workload::NameOf(rs) + "\": " + created.status().message());
      }
      return kRetrySoon;
    }
    if (!plan.create->scaling_message.empty()) {
      events_.Record(deployment, "Normal", "ScalingReplicaSet", plan.create->scaling_message);
    }
  }
  if (plan.annotations) {
    json updated = current;
    updated["metadata"]["annotations"] = *plan.annotations;
    auto written = api_.Update(kDeploymentsResource, updated);
    if (!written.ok()) return kRetrySoon;  // Conflict or gone: observe again.
    current = *written;
  }
  for (const ReplicaSetWrite& write : plan.updates) {
    auto written = api_.Update(kReplicaSetsResource, write.replica_set);
    if (!written.ok()) return kRetrySoon;
    if (!write.scaling_message.empty()) events_.Record(current, "Normal", "ScalingReplicaSet", write.scaling_message);
  }
  for (const std::string& name : plan.deletes) {
    Status deleted = api_.Delete(kReplicaSetsResource, ns, name);
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) MinInto(requeue, kRetrySoon);
  }
  if (plan.status) {
    json updated = current;
    updated["status"] = *plan.status;
    if (!api_.UpdateStatus(kDeploymentsResource, updated).ok()) MinInto(requeue, kRetrySoon);
  }
  return requeue;
}

}  // namespace lifeboat::devcluster
