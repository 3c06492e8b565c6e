// ResourceRegistry: the kinds the devcluster serves, i.e. the built-in kinds (Namespace, Secret,
// ConfigMap, Service, Pod, Event, PersistentVolumeClaim, ServiceAccount in core/v1; Deployment,
// ReplicaSet, StatefulSet in apps/v1; Job in batch/v1; Lease in coordination.k8s.io/v1;
// CustomResourceDefinition in apiextensions.k8s.io/v1) plus one entry per served version of every
// installed CRD. The ObjectStore installs/removes CRD kinds itself when a CRD is created, updated or
// deleted; the http layer reads it for routing, discovery, OpenAPI and Table printing.
// Thread-safe: every method may be called concurrently; lookups return immutable snapshots
// (shared_ptr<const ResourceInfo>) that stay valid after the kind is removed.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/store/api_error.h"

namespace lifeboat::devcluster {

// Where the scale subresource finds its numbers (CRD `subresources.scale`; for Deployment,
// ReplicaSet and StatefulSet the built-in paths). Paths are JSON paths as in a CRD: ".spec.replicas".
struct ScaleSubresource {
  std::string spec_replicas_path = ".spec.replicas";
  std::string status_replicas_path = ".status.replicas";
  std::string label_selector_path;  // ".status.selector" for CRDs that set it; "" if none
};

struct ResourceInfo {
  std::string group;     // "" for core
  std::string version;   // "v1", "v1alpha1"
  std::string kind;      // "Gizmo"
  std::string list_kind; // "GizmoList"
  std::string plural;    // "gizmos" (the resource name in URLs)
  std::string singular;  // "gizmo"
  std::vector<std::string> short_names;  // ["gz"]
  std::vector<std::string> categories;   // ["example"]; built-ins in "all" where the real server has it
  std::vector<std::string> verbs;        // ["create","delete","deletecollection","get","list","patch","update","watch"]
  bool namespaced = true;
  bool has_status = false;                // the status subresource exists
  std::optional<ScaleSubresource> scale;  // the scale subresource exists
  bool custom = false;                    // defined by a CRD (merge/json patch only; 415 for strategic)
  bool storage_version = true;            // this version is the CRD's storage version
  // The structural openAPIV3Schema of this version (CRDs), or the built-in schema from
  // semantics' BuiltinSchema(); null when none is known.
  nlohmann::json schema;
  // additionalPrinterColumns of a CRD version (array, as in the CRD); empty for built-ins (the
  // http layer has its own printers for them).
  nlohmann::json printer_columns = nlohmann::json::array();
  // Kind-specific fieldSelector fields besides metadata.name/metadata.namespace (e.g. Pod:
  // "spec.nodeName", "status.phase"; Event: "involvedObject.name", ...).
  std::vector<std::string> selectable_fields;
  std::string crd_name;  // "gizmos.example.com" for custom kinds, "" otherwise

  std::string ApiVersion() const;     // "v1" or "example.com/v1"
  std::string GroupVersion() const;   // same as ApiVersion()
  std::string GroupResource() const;  // "gizmos.example.com" or "pods" (as in NotFound texts)
  std::string GroupKind() const;      // "Gizmo.example.com" or "Pod" (as in Invalid texts)
  // The storage key of the kind, shared by all versions: "<group>/<plural>" ("/pods" for core).
  std::string StorageKey() const;
};

using ResourceInfoPtr = std::shared_ptr<const ResourceInfo>;

class ResourceRegistry {
 public:
  // Starts with every built-in kind.
  ResourceRegistry();

  // The kind served at /api(s)/<group>/<version>/<plural>; nullptr if none.
  ResourceInfoPtr Find(std::string_view group, std::string_view version, std::string_view plural) const;
  // The kind with this apiVersion group/version and Kind; nullptr if none.
  ResourceInfoPtr FindByKind(std::string_view group, std::string_view version, std::string_view kind) const;
  // Resolves what kubectl may type: plural, singular, short name or kind (case-insensitive),
  // optionally qualified by group ("gizmos.example.com"); nullptr if unknown.
  ResourceInfoPtr Resolve(std::string_view name) const;

  // Every served kind, sorted by group, version, plural.
  std::vector<ResourceInfoPtr> All() const;
  // The kinds of one group/version ("" group for /api/v1).
  std::vector<ResourceInfoPtr> ForGroupVersion(std::string_view group, std::string_view version) const;
  // Groups with their served versions, core ("") first, then built-in groups, then CRD groups;
  // the first version of each is the preferred one.
  struct GroupVersions {
    std::string group;
    std::vector<std::string> versions;
  };
  std::vector<GroupVersions> Groups() const;

  // Bumped on every change (CRD installed/removed), e.g. for discovery caches.
  uint64_t Epoch() const;

  // ---- Used by ObjectStore (and tests) ----
  // Validates a CustomResourceDefinition object the way the real server does before accepting it
  // (metadata.name == "<plural>.<group>", names, scope, exactly one storage version, each served
  // version has a structural schema, ...). Returns the causes for a 422 Invalid answer, empty if valid.
  static std::vector<ApiCause> ValidateCrd(const nlohmann::json& crd);
  // Installs (or replaces) the kinds of a CRD (one per served version). The CRD must be valid.
  void InstallCrd(const nlohmann::json& crd);
  // Removes every kind of the CRD named `crd_name` ("gizmos.example.com").
  void RemoveCrd(std::string_view crd_name);

 private:
  void AddLocked(ResourceInfo info);

  mutable std::shared_mutex mutex_;
  std::vector<ResourceInfoPtr> kinds_;
  uint64_t epoch_ = 1;
};

}  // namespace lifeboat::devcluster
