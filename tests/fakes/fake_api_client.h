// FakeApiClient: an in-memory ApiClient with the API server semantics the runtime depends on: one
// global resourceVersion, uid and creationTimestamp on create, AlreadyExists/NotFound/Conflict as a
// real server answers, merge and JSON patches, the status subresource, delete preconditions,
// paginated lists, and watches that replay history from a resourceVersion. Tests can compact the
// history (a watch from before it gets the ERROR event with code 410, or HTTP 410 when
// `expire_with_http_410` is set), break or end open watches, and inject failures. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/kube/api_client.h"
#include "operator/kube/api_error.h"

namespace lifeboat::testing {

class FakeApiClient final : public kube::ApiClient {
 public:
  using Json = nlohmann::json;

  // Test controls.
  void CompactHistory();                                 // Older resourceVersions expire.
  void BreakWatches(Status error = UnavailableError("connection reset by peer"));
  void EndWatches();                                     // As the server's timeoutSeconds does.
  void FailNext(const std::string& verb, Status status);  // verb: get, list, create, update, patch, delete, watch.
  void SetExpireWithHttp410(bool value);
  int64_t CurrentResourceVersion() const;
  int Calls(const std::string& verb) const;
  size_t OpenWatches() const;
  // Waits (real time, bounded) until `count` watches are open; for tests coordinating with informers.
  bool WaitForOpenWatches(size_t count, std::chrono::milliseconds timeout) const;

  StatusOr<Json> Get(const kube::ResourceRef& resource, std::string_view ns, std::string_view name,
                     std::string_view subresource = "") override;
  StatusOr<kube::ListPage> ListOnePage(const kube::ResourceRef& resource, std::string_view ns,
                                       const kube::ListOptions& options) override;
  StatusOr<Json> Create(const kube::ResourceRef& resource, std::string_view ns, const Json& object) override;
  StatusOr<Json> Update(const kube::ResourceRef& resource, std::string_view ns, const Json& object,
                        std::string_view subresource = "") override;
  StatusOr<Json> Patch(const kube::ResourceRef& resource, std::string_view ns, std::string_view name,
                       kube::PatchType type, const Json& patch, std::string_view subresource = "") override;
  Status Delete(const kube::ResourceRef& resource, std::string_view ns, std::string_view name,
                const kube::DeleteOptions& options = {}) override;
  StatusOr<std::unique_ptr<kube::WatchStream>> Watch(const kube::ResourceRef& resource, std::string_view ns,
                                                     const kube::WatchOptions& options) override;

  struct Channel;  // One open watch's queue (defined in the .cc).

 private:
  struct HistoryEntry {
    std::string group_resource;
    std::string ns;
    int64_t rv;
    kube::WatchEvent event;
  };

  Status TakeFailure(const std::string& verb);
  StatusOr<Json> Store(const kube::ResourceRef& resource, Json object, const std::string& type);
  void PublishLocked(const kube::ResourceRef& resource, const std::string& ns, kube::WatchEventType type,
                     const Json& object);
  static Status ApiError(int code, const std::string& reason, const std::string& message);

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  int64_t rv_ = 100;
  int64_t compacted_before_ = 0;
  bool expire_with_http_410_ = false;
  int64_t uid_counter_ = 0;
  // group_resource → key → object.
  std::map<std::string, std::map<std::string, Json>> objects_;
  std::vector<HistoryEntry> history_;
  std::vector<std::shared_ptr<Channel>> channels_;
  std::multimap<std::string, Status> failures_;
  std::map<std::string, int> calls_;
};

}  // namespace lifeboat::testing
