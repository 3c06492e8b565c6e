// ApiClient: JSON resource operations against the Kubernetes API for any group/version/resource,
// namespaced or cluster-scoped: get, list (one page or all pages), create, update, merge/JSON/
// strategic-merge patch, delete (propagation policy, preconditions), the status subresource, and
// watch. Failures are Status codes that say what to do next (api_error.h). Objects stay JSON.
// Implementations: HttpApiClient (http_api_client.h); FakeApiClient in tests. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/core/status.h"
#include "operator/kube/resource.h"
#include "operator/kube/watch_event.h"

namespace lifeboat::kube {

using Json = nlohmann::json;

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;             // Page size; 0 = server default (everything).
  std::string continue_token;
  std::string resource_version;  // "" = most recent (quorum read).
};

struct ListPage {
  std::vector<Json> items;
  std::string resource_version;  // Of the list, to start a watch from.
  std::string continue_token;    // Empty on the last page.
};

struct ListResult {
  std::vector<Json> items;
  std::string resource_version;
};

struct WatchOptions {
  std::string resource_version;  // Start after this version ("" = from now, with synthetic ADDEDs).
  std::string label_selector;
  std::string field_selector;
  bool allow_bookmarks = true;
  int timeout_seconds = 0;  // Server-side end of the watch; 0 = server default.
};

enum class PatchType { kMerge, kJson, kStrategicMerge };
// "application/merge-patch+json", ...
const char* PatchContentType(PatchType type);

struct DeleteOptions {
  std::string propagation_policy;  // "", "Background", "Foreground", "Orphan".
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::optional<int64_t> grace_period_seconds;

  Json ToJson() const;  // The DeleteOptions body.
};

class ApiClient {
 public:
  virtual ~ApiClient() = default;

  // GET one object (or its subresource, e.g. "status").
  virtual StatusOr<Json> Get(const ResourceRef& resource, std::string_view ns, std::string_view name,
                             std::string_view subresource = "") = 0;
  // One page of a list. `ns` empty lists across namespaces.
  virtual StatusOr<ListPage> ListOnePage(const ResourceRef& resource, std::string_view ns,
                                         const ListOptions& options) = 0;
  // POST: the object's metadata.name (or generateName) names it; `ns` overrides metadata.namespace.
  virtual StatusOr<Json> Create(const ResourceRef& resource, std::string_view ns, const Json& object) = 0;
  // PUT the object (optimistic concurrency through metadata.resourceVersion); subresource "status"
  // writes only status.
  virtual StatusOr<Json> Update(const ResourceRef& resource, std::string_view ns, const Json& object,
                                std::string_view subresource = "") = 0;
  virtual StatusOr<Json> Patch(const ResourceRef& resource, std::string_view ns, std::string_view name,
                               PatchType type, const Json& patch, std::string_view subresource = "") = 0;
  // DELETE. NotFound when the object is already gone.
  virtual Status Delete(const ResourceRef& resource, std::string_view ns, std::string_view name,
                        const DeleteOptions& options = {}) = 0;
  // Opens a watch. HTTP errors are returned here; a too-old resourceVersion surfaces either here
  // (HTTP 410) or as an ERROR event with code 410 (what real servers send): both satisfy IsExpired.
  virtual StatusOr<std::unique_ptr<WatchStream>> Watch(const ResourceRef& resource, std::string_view ns,
                                                       const WatchOptions& options) = 0;

  // Lists every page (following continue tokens). A continue token that expires mid-way restarts the
  // list once from the beginning.
  StatusOr<ListResult> List(const ResourceRef& resource, std::string_view ns, ListOptions options = {});
  StatusOr<Json> UpdateStatus(const ResourceRef& resource, std::string_view ns, const Json& object) {
    return Update(resource, ns, object, "status");
  }
  StatusOr<Json> PatchStatus(const ResourceRef& resource, std::string_view ns, std::string_view name,
                             PatchType type, const Json& patch) {
    return Patch(resource, ns, name, type, patch, "status");
  }
};

// Reads metadata fields of an object ("" when absent).
std::string ObjectName(const Json& object);
std::string ObjectNamespace(const Json& object);
std::string ObjectUid(const Json& object);
std::string ObjectResourceVersion(const Json& object);
ObjectKey KeyOf(const Json& object);

}  // namespace lifeboat::kube
