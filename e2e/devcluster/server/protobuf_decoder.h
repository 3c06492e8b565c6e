// Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf), which
// kubectl's typed clients send, e.g. `kubectl create namespace|configmap|secret|serviceaccount`.
// Decodes the `k8s\0` envelope (runtime.Unknown) and the object into the JSON the same object has
// in its JSON form (zero values of non-pointer fields omitted, as Go's omitempty does).
// Supported kinds: Namespace, ConfigMap, Secret, ServiceAccount, Pod (core/v1), Deployment (apps/v1)
// and Job (batch/v1), with full ObjectMeta and the pod-template fields kubectl's generators set
// (`kubectl create deployment|job`); a field outside the model is skipped when Go wrote it as its
// zero value and reported otherwise, as is any other kind, so the caller can answer 415.
// Pure; thread-safe.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

inline constexpr const char* kProtobufContentType = "application/vnd.kubernetes.protobuf";

// InvalidArgument for a malformed body; FailedPrecondition for a kind this decoder does not know.
StatusOr<nlohmann::json> DecodeKubernetesProtobuf(std::string_view body);

}  // namespace lifeboat::devcluster
