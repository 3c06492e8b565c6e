// ApiRoute: what an API server URL path addresses, parsed the way kube-apiserver's RequestInfo
// factory does (core /api/v1/..., /apis/{group}/{version}/..., namespaced and cluster-scoped,
// subresources, the namespace subresources status/finalize, the legacy /watch/ prefix), plus the
// non-resource paths (discovery, health, version, OpenAPI). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace lifeboat::devcluster {

enum class RouteKind {
  kNotFound,          // no such path
  kVersion,           // /version
  kHealth,            // /healthz, /readyz, /livez (and their /... sub-checks)
  kCoreVersions,      // /api            → APIVersions
  kGroupList,         // /apis           → APIGroupList
  kGroup,             // /apis/{g}       → APIGroup
  kResourceList,      // /api/v1, /apis/{g}/{v} → APIResourceList
  kOpenApiV2,         // /openapi/v2
  kOpenApiV3Index,    // /openapi/v3
  kOpenApiV3Document, // /openapi/v3/api/v1, /openapi/v3/apis/{g}/{v}
  kResource,          // a resource collection, object or subresource
};

struct ApiRoute {
  RouteKind kind = RouteKind::kNotFound;
  std::string group;          // "" for core
  std::string version;
  std::string resource;       // plural, for kResource
  std::string namespace_name; // "" when the path has no namespaces/{ns} part
  std::string name;           // "" for a collection
  std::string subresource;    // "status", "scale", "log", ... or ""
  bool legacy_watch = false;  // the path started with .../watch/ (deprecated watch form)
  std::string health_check;   // for kHealth: "healthz", "readyz" or "livez"
};

ApiRoute ParseApiRoute(std::string_view path);

}  // namespace lifeboat::devcluster
