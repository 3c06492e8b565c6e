// ReplicaSet pod builder: the Pod the replicaset controller creates from a ReplicaSet's template
// (controller.GetPodFromTemplate): name `<replicaset>-<5 random chars>` with generateName
// `<replicaset>-`, the template's labels, annotations and finalizers, a controller ownerReference
// with blockOwnerDeletion, the template's spec. Pure function; thread-safe; randomness injected.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

// The Pod (apiVersion v1, kind Pod) for `replica_set`, in its namespace, named
// GeneratedName("<replicaset name>-", suffix).
nlohmann::json BuildReplicaSetPod(const nlohmann::json& replica_set, std::string_view suffix);

}  // namespace lifeboat::devcluster
