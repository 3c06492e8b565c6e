// Informer: keeps an ObjectCache of one resource in step with the API server and tells handlers
// what changed. It lists (paginated) and then watches from the list's resourceVersion with
// bookmarks; a watch that ends is resumed from the last resourceVersion seen; a broken connection
// is retried with exponential backoff; an expired resourceVersion (HTTP 410, or the ERROR event with
// code 410 real servers send) leads to a relist whose differences (including deletions missed
// while disconnected) reach the handlers. Resync() replays every cached object to the handlers.
// Handlers run on the informer's thread and must be quick (enqueue a key). Thread-safe.
#pragma once

#include "operator/core/clock.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "operator/kube/api_client.h"
#include "operator/kube/object_cache.h"

namespace lifeboat::kube {

struct InformerEvent {
  enum class Type { kAdded, kUpdated, kDeleted, kResync };
  Type type;
  const nlohmann::json& object;         // As cached (stripped and projected).
  const nlohmann::json* old = nullptr;  // kUpdated only.
};

using InformerHandler = std::function<void(const InformerEvent&)>;

struct InformerOptions {
  std::string ns;              // "" = all namespaces.
  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;
  // Each watch asks the server to end it after a random time in [min, 2*min), as client-go does.
  std::chrono::seconds watch_timeout{300};
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{8000};
  Projection projection;
  // Where time is read (a watch that ends at once is backed off); null: SystemClock.
  const Clock* clock = nullptr;
};

class Informer {
 public:
  Informer(ApiClient& client, ResourceRef resource, InformerOptions options = {});
  ~Informer();  // Stops.

  const ResourceRef& resource() const { return resource_; }
  // Read access for controllers.
  const ObjectCache& cache() const { return cache_; }

  // Handlers must be added before Start().
  void AddHandler(InformerHandler handler);

  void Start();
  // Cancels the watch and joins the thread; returns promptly.
  void Stop();
  // True once the first list has been stored (stays true through relists).
  bool HasSynced() const { return synced_.load(); }
  // Waits for HasSynced() up to `timeout`; false on timeout or Stop().
  bool WaitForSync(std::chrono::milliseconds timeout);
  // Sends every cached object to the handlers as kResync.
  void Resync();

  // Counters for logs, tests and metrics.
  int64_t lists() const { return lists_.load(); }
  int64_t watches() const { return watches_.load(); }
  std::string last_resource_version() const;

 private:
  void Run();
  // Lists everything into the cache; returns the list's resourceVersion.
  StatusOr<std::string> ListAll();
  // Watches from `resource_version` until the stream ends (Ok), breaks (error), or expires
  // (IsExpired). Updates resource_version as events arrive.
  Status WatchFrom(std::string& resource_version);
  void Dispatch(const CacheChange& change);
  // Sleeps for the current backoff (interruptible by Stop) and doubles it.
  void Backoff();

  ApiClient& client_;
  ResourceRef resource_;
  InformerOptions options_;
  ObjectCache cache_;
  std::vector<InformerHandler> handlers_;
  std::mutex dispatch_mutex_;  // Serialises handler calls between the run thread and Resync().

  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::unique_ptr<WatchStream> current_watch_;  // Guarded by mutex_ (cancelled by Stop).
  std::string last_resource_version_;           // Guarded by mutex_.
  std::chrono::milliseconds backoff_;
  std::atomic<bool> synced_{false};
  std::atomic<int64_t> lists_{0};
  std::atomic<int64_t> watches_{0};
};

}  // namespace lifeboat::kube
