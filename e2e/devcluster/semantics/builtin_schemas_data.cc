// The built-in schema definitions, in the notation described in builtin_schemas_internal.h.
// Field sets follow Kubernetes 1.32 (k8s.io/api); strategic-merge metadata follows the Go struct
// tags (patchStrategy / patchMergeKey).
#include "e2e/devcluster/semantics/builtin_schemas_internal.h"

namespace lifeboat::devcluster::internal {
namespace {

// ----------------------------------------------------------------------------- meta/v1
constexpr std::string_view kMeta = R"(
ObjectMeta:
  name: string
  generateName: string
  namespace: string
  selfLink: string
  uid: string
  resourceVersion: string
  generation: int64
  creationTimestamp: time
  deletionTimestamp: time
  deletionGracePeriodSeconds: int64
  labels: map[string]
  annotations: map[string]
  ownerReferences: []OwnerReference merge=uid
  finalizers: []string set
  managedFields: []ManagedFieldsEntry

OwnerReference:
  apiVersion: string required
  kind: string required
  name: string required
  uid: string required
  controller: boolean
  blockOwnerDeletion: boolean

ManagedFieldsEntry:
  manager: string
  operation: string
  apiVersion: string
  time: time
  fieldsType: string
  fieldsV1: object
  subresource: string

LabelSelector:
  matchLabels: map[string]
  matchExpressions: []LabelSelectorRequirement

LabelSelectorRequirement:
  key: string required
  operator: string required
  values: []string

Condition:
  type: string required
  status: string required
  observedGeneration: int64
  lastTransitionTime: time required
  reason: string required
  message: string required
)";

}  // namespace

std::string_view BuiltinSchemaText() {
  static const std::string text = std::string(kMeta);
  return text;
}

}  // namespace lifeboat::devcluster::internal
