#include "e2e/devcluster/jobs/replica_set_pod_builder.h"

#include "e2e/devcluster/jobs/job_pod_builder.h"
#include "e2e/devcluster/jobs/workload_fields.h"

namespace lifeboat::devcluster {

nlohmann::json BuildReplicaSetPod(const nlohmann::json& replica_set, std::string_view suffix) {
  using nlohmann::json;
  using workload::At;
  const std::string name = workload::NameOf(replica_set);
  const json& template_metadata = At(replica_set, {"spec", "template", "metadata"});
  const json& template_spec = At(replica_set, {"spec", "template", "spec"});
  json metadata = {
      {"name", GeneratedName(name + "-", suffix)},
      {"generateName", name + "-"},
      {"namespace", workload::StringAt(replica_set, {"metadata", "namespace"})},
      {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                        {"kind", "ReplicaSet"},
                                        {"name", name},
                                        {"uid", workload::UidOf(replica_set)},
                                        {"controller", true},
                                        {"blockOwnerDeletion", true}}})},
  };
  for (const char* key : {"labels", "annotations"}) {
    const json& value = At(template_metadata, {key});
    if (value.is_object() && !value.empty()) metadata[key] = value;
  }
  const json& finalizers = At(template_metadata, {"finalizers"});
  if (finalizers.is_array() && !finalizers.empty()) metadata["finalizers"] = finalizers;
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", metadata},
          {"spec", template_spec.is_object() ? template_spec : json::object()}};
}

}  // namespace lifeboat::devcluster
