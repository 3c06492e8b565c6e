// ResourceRef and ObjectKey: how Lifeboat names a Kubernetes resource type (group, version, plural,
// kind, scope) and one object of it ("namespace/name"), and how both become REST paths.
// Plain values; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "operator/core/status.h"

namespace lifeboat::kube {

struct ResourceRef {
  std::string group;     // "" for the core group.
  std::string version;   // "v1", "v1alpha1".
  std::string resource;  // Plural, lower case: "configmaps", "leases".
  std::string kind;      // "ConfigMap", "Lease": used to match ownerReferences.
  bool namespaced = true;

  // "v1" or "lifeboat.dev/v1alpha1": the apiVersion objects of this resource carry.
  std::string ApiVersion() const;
  // "configmaps" or "leases.coordination.k8s.io": unique, for logs and metric labels.
  std::string GroupResource() const;
  // "/api/v1" or "/apis/{group}/{version}".
  std::string GroupVersionPath() const;
  // Collection path: ".../namespaces/{ns}/{resource}" (namespaced, ns non-empty) or ".../{resource}".
  std::string CollectionPath(std::string_view ns) const;
  // Object path, optionally with a subresource ("status").
  std::string ObjectPath(std::string_view ns, std::string_view name, std::string_view subresource = "") const;

  friend bool operator==(const ResourceRef&, const ResourceRef&) = default;
  friend auto operator<=>(const ResourceRef&, const ResourceRef&) = default;
};

// The namespace/name of one object; namespace is empty for cluster-scoped objects.
struct ObjectKey {
  std::string ns;
  std::string name;

  // "ns/name", or "name" when cluster-scoped: the work-queue key format.
  std::string ToString() const;
  // Inverse of ToString(): "a/b" → {a, b}; "b" → {"", b}. Rejects empty names and extra slashes.
  static StatusOr<ObjectKey> Parse(std::string_view key);

  friend bool operator==(const ObjectKey&, const ObjectKey&) = default;
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};

// Percent-encodes a query parameter value (RFC 3986 unreserved characters pass through).
std::string UrlEncode(std::string_view value);

// Well-known built-in resources used by the runtime itself.
ResourceRef LeaseResource();
ResourceRef EventResource();

}  // namespace lifeboat::kube
