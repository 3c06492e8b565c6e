// Kind strategies: the per-kind rules a real kube-apiserver's registry applies when objects are
// created and updated (what `PrepareForCreate`, defaulting, `Validate` and the controllers that
// own status do for the built-in kinds), written as pure functions over JSON objects. Only the
// behaviour clients and our operator can observe is modelled:
//   - status reset on create (Deployment, ReplicaSet, StatefulSet, Job, Pod, Service, PVC, Namespace, CRD and
//     custom resources with the status subresource) and the initial status those kinds get;
//   - defaults of Namespace, Secret (stringData), Service, Pod, Job, Deployment, ReplicaSet, StatefulSet, PVC,
//     CRD (names, conversion);
//   - metadata validation (names, generateName, labels, annotations, ownerReferences) and the
//     kind-specific validation clients meet (Pod/Job/Deployment/ReplicaSet/StatefulSet required fields,
//     restartPolicy values, selector vs template labels);
//   - which kinds keep metadata.generation and what bumps it;
//   - the status a StatefulSet controller writes when pods are "ready" at once (StatefulSets get
//     no Pods; Deployments and ReplicaSets have real controllers in ../jobs/).
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/store/api_error.h"
#include "e2e/devcluster/store/resource_registry.h"
#include "operator/core/clock.h"

namespace lifeboat::devcluster {

// True for the kinds whose objects carry metadata.generation (custom resources, Deployment,
// ReplicaSet, StatefulSet, Job, CustomResourceDefinition).
bool TracksGeneration(const ResourceInfo& info);

// True when `updated` differs from `old` in what bumps generation: for custom resources anything
// outside metadata (and outside status when the status subresource is on); for built-ins the spec.
bool GenerationChanged(const ResourceInfo& info, const nlohmann::json& old, const nlohmann::json& updated);

// Replaces the status of a new object as the real registry does on create (and gives the kinds
// that have one their initial status). Needs metadata.uid and metadata.name to be set.
void PrepareStatusForCreate(const ResourceInfo& info, nlohmann::json& object);

// Applies the built-in defaults of the kind (idempotent; on create and on every update).
// Needs metadata.uid for Job selectors and Service cluster IPs.
void ApplyKindDefaults(const ResourceInfo& info, nlohmann::json& object);

// Validates metadata (name or generateName, name format per kind, labels, annotations,
// ownerReferences, finalizers); `name` is already resolved (generateName applied).
std::vector<ApiCause> ValidateObjectMeta(const ResourceInfo& info, const nlohmann::json& object);

// Kind-specific validation of a built-in object (empty for custom resources; their schema is
// validated separately). `old` is the previous state on update (null on create), for immutable fields.
std::vector<ApiCause> ValidateKind(const ResourceInfo& info, const nlohmann::json& object, const nlohmann::json& old);

// True for the kinds whose DELETE answers the deleted object rather than a Status (custom
// resources, Pod, Namespace, CustomResourceDefinition, ...).
bool DeleteReturnsObject(const ResourceInfo& info);

// The status the owning controller converges a StatefulSet to, with every requested replica ready
// at once (zero values left out as the real controller serializes them). std::nullopt for other
// kinds (Deployments and ReplicaSets are run by the job runner's controllers).
std::optional<nlohmann::json> ControllerStatus(const ResourceInfo& info, const nlohmann::json& object, WallTime now);

// "a=b,c=d" for a LabelSelector JSON ({"matchLabels":..,"matchExpressions":..}), as Scale's
// status.selector and `kubectl get -o wide` print it.
std::string LabelSelectorString(const nlohmann::json& selector);

}  // namespace lifeboat::devcluster
