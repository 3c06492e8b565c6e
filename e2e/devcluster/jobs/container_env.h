// Container environment: how the local kubelet turns a container's `env` and `envFrom` into the
// process environment, as the real kubelet does: envFrom sources first (in order, with `prefix`),
// then `env` entries (later ones win); `value` with $(VAR) expansion, `valueFrom` secretKeyRef,
// configMapKeyRef and fieldRef (metadata.name/namespace/uid, metadata.labels['k'],
// metadata.annotations['k'], spec.nodeName, spec.serviceAccountName, status.hostIP/podIP),
// `optional` references. A missing Secret/ConfigMap or key fails with the real kubelet's message
// (`secret "x" not found`, `couldn't find key k in Secret ns/x`), which the kubelet reports as
// the container's waiting reason CreateContainerConfigError.
//
// Pure functions (the lookup of Secrets/ConfigMaps is injected); thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

// Returns the object (a Secret or ConfigMap, by `kind` "Secret"/"ConfigMap") named `name` in the
// pod's namespace, or nullopt when it does not exist.
using PodObjectLookup = std::function<std::optional<nlohmann::json>(std::string_view kind, std::string_view name)>;

using EnvList = std::vector<std::pair<std::string, std::string>>;

// The variables a container defines, in order (a name defined twice keeps its last value, at the
// position of its first definition). FailedPrecondition with the kubelet's message when a
// required reference cannot be resolved; InvalidArgument for a malformed entry.
StatusOr<EnvList> ResolveContainerEnv(const nlohmann::json& pod, const nlohmann::json& container,
                                      const PodObjectLookup& lookup);

// Kubernetes' $(VAR) expansion: $(NAME) becomes the value of NAME when `vars` defines it and stays
// as written otherwise; $$ becomes $ (so $$(NAME) stays literal).
std::string ExpandVariables(std::string_view input, const std::map<std::string, std::string>& vars);

// The value of a downward-API fieldPath for `pod` (also used by downwardAPI volumes).
StatusOr<std::string> PodFieldValue(const nlohmann::json& pod, std::string_view field_path);

// The decoded `data` (base64) plus `stringData` of a Secret, or `data` plus decoded `binaryData`
// of a ConfigMap, by key.
StatusOr<std::map<std::string, std::string>> ObjectData(const nlohmann::json& object, std::string_view kind);

// RFC 4648 base64 decoding (padding optional); InvalidArgument on other characters.
StatusOr<std::string> DecodeBase64(std::string_view text);

}  // namespace lifeboat::devcluster
