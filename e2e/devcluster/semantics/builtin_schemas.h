// Built-in schemas: structural OpenAPI v3 schemas of the built-in kinds this devcluster serves,
// as in Kubernetes 1.32 (Namespace, Secret, ConfigMap, Service, Pod, Event, PersistentVolumeClaim,
// ServiceAccount in core/v1; Deployment, StatefulSet in apps/v1; Job in batch/v1; Lease in
// coordination.k8s.io/v1; CustomResourceDefinition in apiextensions.k8s.io/v1), with the strategic
// merge metadata (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`). Used for pruning
// and fieldValidation of built-ins, strategic merge patch, and the /openapi documents.
// The definitions live in builtin_schemas_data.cc in a compact, readable notation. Every property
// is `nullable` (Go decodes null into a zero value). Subtrees kept whole rather than described field
// by field (x-kubernetes-preserve-unknown-fields): the rarely used volume sources (cloud disks,
// legacy network filesystems), ManagedFieldsEntry.fieldsV1, PVC status.modifyVolumeStatus,
// container status user/volumeMounts/allocatedResourcesStatus, pod status resourceClaimStatuses,
// CRD spec.conversion, versions[].schema.openAPIV3Schema and subresources.status.
// Built once, lazily and thread-safely; the returned pointers live for the whole program.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

// The fully inlined schema of a top-level kind (group "" for core), or nullptr if unknown.
const nlohmann::json* BuiltinSchema(std::string_view group, std::string_view version, std::string_view kind);

// The fully inlined schema of a named definition ("ObjectMeta", "PodTemplateSpec", "Container",
// "Volume", "Deployment", ...), or nullptr if unknown.
const nlohmann::json* BuiltinDefinition(std::string_view name);

// Names of every definition (sorted), and for each top-level kind its group/version.
std::vector<std::string> BuiltinDefinitionNames();
struct BuiltinKind {
  std::string group;
  std::string version;
  std::string kind;
};
const std::vector<BuiltinKind>& BuiltinKinds();

}  // namespace lifeboat::devcluster
