// WatchEvent and WatchSubscription: one client's view of a watch on the devcluster store. The store
// fans every committed change out to all subscriptions without doing per-watcher work under its
// write lock (a push of a shared pointer); the consumer (an http stream, the job runner) drains its
// subscription with Next(), which applies the namespace/name/label/field filters on the consumer's
// thread and turns changes across a selector boundary into ADDED/DELETED as the real server does.
// Thread-safety: Next() is called by one consumer thread; Cancel() and Closed() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/store/api_error.h"
#include "e2e/devcluster/semantics/field_selector.h"
#include "e2e/devcluster/semantics/label_selector.h"

namespace lifeboat::devcluster {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

// "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR".
const char* WatchEventTypeName(WatchEventType type);

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  // The object as of this event (for DELETED: the last state, with the resourceVersion of the
  // deletion); for BOOKMARK {"apiVersion","kind","metadata":{"resourceVersion"}}; for ERROR a
  // Status object (e.g. 410 Expired).
  std::shared_ptr<const nlohmann::json> object;

  // {"type":"ADDED","object":{...}} on one line (no trailing newline), as the wire carries it.
  std::string ToJsonLine() const;
};

// One committed change as the store publishes it to every subscription (internal to the store and
// its subscriptions; consumers see WatchEvents).
struct StoreChange {
  uint64_t resource_version = 0;
  std::string storage_key;  // ResourceInfo::StorageKey() of the kind
  WatchEventType type = WatchEventType::kAdded;  // kAdded, kModified or kDeleted
  std::shared_ptr<const nlohmann::json> object;      // new state (DELETED: final state)
  std::shared_ptr<const nlohmann::json> old_object;  // previous state for kModified, else null
};

class WatchSubscription {
 public:
  struct Filter {
    std::string storage_key;
    std::string api_version;  // the apiVersion the watcher asked for (CRDs: per version)
    std::string kind;
    std::string namespace_name;  // "" = all namespaces
    std::string name;            // "" = any (set from fieldSelector metadata.name=X or a get-watch)
    std::optional<LabelSelector> label_selector;
    std::optional<FieldSelector> field_selector;
    bool allow_bookmarks = false;
  };

  // Consumers get subscriptions from ObjectStore::Watch.
  // `committed_rv` is the store's latest committed resourceVersion (updated after each change has
  // been published to every subscription), used for bookmarks.
  WatchSubscription(Filter filter, uint64_t start_resource_version, size_t max_queue,
                    std::shared_ptr<const std::atomic<uint64_t>> committed_rv);

  // The next event for this watcher, waiting up to `timeout`; std::nullopt when the timeout passed
  // with nothing to send. After Cancel(), or after the subscription overflowed its queue (a far too
  // slow consumer), the remaining queue is discarded and Next() returns std::nullopt at once;
  // Closed() then tells the consumer to end the stream.
  std::optional<WatchEvent> Next(std::chrono::milliseconds timeout);

  // A BOOKMARK event carrying the resourceVersion up to which this watcher has seen every change
  // (call it when Next() timed out, e.g. at the end of timeoutSeconds); nullopt when bookmarks
  // were not requested.
  std::optional<WatchEvent> Bookmark();

  // Ends the subscription: wakes a blocked Next(); the store drops it on its next publish.
  void Cancel();
  bool Closed() const;

  // ---- Called by ObjectStore ----
  // Queues a synthetic initial ADDED event (list-then-watch from "" or "0").
  void PushInitial(std::shared_ptr<const nlohmann::json> object, uint64_t resource_version);
  // Queues the BOOKMARK that ends the initial events of a sendInitialEvents watch (annotated
  // "k8s.io/initial-events-end": "true").
  void PushInitialEventsEnd(uint64_t resource_version);
  // Queues a committed change (filtered later, on the consumer thread).
  void Publish(const std::shared_ptr<const StoreChange>& change);

 private:
  struct Item {
    std::shared_ptr<const StoreChange> change;   // null for an initial event
    std::shared_ptr<const nlohmann::json> initial;
    uint64_t resource_version = 0;
    bool initial_events_end = false;
  };
  std::optional<WatchEvent> Translate(const Item& item);
  bool Matches(const nlohmann::json& object) const;

  const Filter filter_;
  const size_t max_queue_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
  bool cancelled_ = false;
  bool overflowed_ = false;
  uint64_t delivered_rv_ = 0;  // highest resourceVersion handed out (or known to be irrelevant)
  const std::shared_ptr<const std::atomic<uint64_t>> committed_rv_;
};

using WatchSubscriptionPtr = std::shared_ptr<WatchSubscription>;

}  // namespace lifeboat::devcluster
