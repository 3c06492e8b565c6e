#include "e2e/devcluster/store/watch.h"

#include <algorithm>

namespace lifeboat::devcluster {

const char* WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded: return "ADDED";
    case WatchEventType::kModified: return "MODIFIED";
    case WatchEventType::kDeleted: return "DELETED";
    case WatchEventType::kBookmark: return "BOOKMARK";
    case WatchEventType::kError: return "ERROR";
  }
  return "ERROR";
}

std::string WatchEvent::ToJsonLine() const {
  std::string line = "{\"type\":\"";
  line += WatchEventTypeName(type);
  line += "\",\"object\":";
  line += object ? object->dump() : std::string("null");
  line += "}";
  return line;
}

WatchSubscription::WatchSubscription(Filter filter, uint64_t start_resource_version, size_t max_queue,
                                     std::shared_ptr<const std::atomic<uint64_t>> committed_rv)
    : filter_(std::move(filter)),
      max_queue_(max_queue),
      delivered_rv_(start_resource_version),
      committed_rv_(std::move(committed_rv)) {}

bool WatchSubscription::Matches(const nlohmann::json& object) const {
  const nlohmann::json& metadata = object["metadata"];
  if (!filter_.namespace_name.empty() && metadata.value("namespace", "") != filter_.namespace_name) return false;
  if (!filter_.name.empty() && metadata.value("name", "") != filter_.name) return false;
  if (filter_.label_selector && !filter_.label_selector->Empty()) {
    auto labels = metadata.find("labels");
    if (!filter_.label_selector->Matches(labels == metadata.end() ? nlohmann::json() : *labels)) return false;
  }
  if (filter_.field_selector && !filter_.field_selector->Empty() && !filter_.field_selector->Matches(object))
    return false;
  return true;
}

namespace {

std::shared_ptr<const nlohmann::json> WithApiVersion(const std::shared_ptr<const nlohmann::json>& object,
                                                     const std::string& api_version) {
  if (api_version.empty() || object->value("apiVersion", "") == api_version) return object;
  auto copy = std::make_shared<nlohmann::json>(*object);
  (*copy)["apiVersion"] = api_version;
  return copy;
}

std::shared_ptr<const nlohmann::json> WithResourceVersion(const std::shared_ptr<const nlohmann::json>& object,
                                                          uint64_t rv) {
  auto copy = std::make_shared<nlohmann::json>(*object);
  (*copy)["metadata"]["resourceVersion"] = std::to_string(rv);
  return copy;
}

}  // namespace

std::optional<WatchEvent> WatchSubscription::Translate(const Item& item) {
  if (item.initial_events_end) {
    auto object = std::make_shared<nlohmann::json>(nlohmann::json{
        {"kind", filter_.kind},
        {"apiVersion", filter_.api_version},
        {"metadata",
         {{"resourceVersion", std::to_string(item.resource_version)},
          {"annotations", {{"k8s.io/initial-events-end", "true"}}}}}});
    return WatchEvent{WatchEventType::kBookmark, std::move(object)};
  }
  if (!item.change) {
    if (!Matches(*item.initial)) return std::nullopt;
    return WatchEvent{WatchEventType::kAdded, WithApiVersion(item.initial, filter_.api_version)};
  }
  const StoreChange& change = *item.change;
  switch (change.type) {
    case WatchEventType::kAdded:
    case WatchEventType::kDeleted:
      if (!Matches(*change.object)) return std::nullopt;
      return WatchEvent{change.type, WithApiVersion(change.object, filter_.api_version)};
    case WatchEventType::kModified: {
      bool now = Matches(*change.object);
      bool before = change.old_object && Matches(*change.old_object);
      if (now && before) return WatchEvent{WatchEventType::kModified, WithApiVersion(change.object, filter_.api_version)};
      if (now) return WatchEvent{WatchEventType::kAdded, WithApiVersion(change.object, filter_.api_version)};
      if (before) {
        // The object left the selection: the real watch cache sends DELETED with the previous state
        // stamped with the new resourceVersion.
        return WatchEvent{WatchEventType::kDeleted,
                          WithApiVersion(WithResourceVersion(change.old_object, change.resource_version),
                                         filter_.api_version)};
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::optional<WatchEvent> WatchSubscription::Next(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(mutex_);
  while (true) {
    if (cancelled_ || overflowed_) return std::nullopt;
    if (queue_.empty()) {
      if (!cv_.wait_until(lock, deadline, [&] { return cancelled_ || overflowed_ || !queue_.empty(); }))
        return std::nullopt;
      continue;
    }
    Item item = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::optional<WatchEvent> event = Translate(item);
    lock.lock();
    delivered_rv_ = std::max(delivered_rv_, item.resource_version);
    if (event) return event;
    if (std::chrono::steady_clock::now() >= deadline && queue_.empty()) return std::nullopt;
  }
}

std::optional<WatchEvent> WatchSubscription::Bookmark() {
  if (!filter_.allow_bookmarks) return std::nullopt;
  // Read the committed counter before looking at the queue: every change up to it has already
  // been queued, so an empty queue means the watcher has seen all of them.
  uint64_t committed = committed_rv_ ? committed_rv_->load() : 0;
  uint64_t rv;
  {
    std::lock_guard lock(mutex_);
    rv = queue_.empty() ? std::max(committed, delivered_rv_) : delivered_rv_;
  }
  auto object = std::make_shared<nlohmann::json>(
      nlohmann::json{{"kind", filter_.kind},
                     {"apiVersion", filter_.api_version},
                     {"metadata", {{"resourceVersion", std::to_string(rv)}}}});
  return WatchEvent{WatchEventType::kBookmark, std::move(object)};
}

void WatchSubscription::Cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    queue_.clear();
  }
  cv_.notify_all();
}

bool WatchSubscription::Closed() const {
  std::lock_guard lock(mutex_);
  return cancelled_ || overflowed_;
}

void WatchSubscription::PushInitial(std::shared_ptr<const nlohmann::json> object, uint64_t resource_version) {
  {
    std::lock_guard lock(mutex_);
    if (cancelled_ || overflowed_) return;
    queue_.push_back(Item{nullptr, std::move(object), resource_version, false});
  }
  cv_.notify_one();
}

void WatchSubscription::PushInitialEventsEnd(uint64_t resource_version) {
  {
    std::lock_guard lock(mutex_);
    if (cancelled_ || overflowed_) return;
    queue_.push_back(Item{nullptr, nullptr, resource_version, true});
  }
  cv_.notify_one();
}

void WatchSubscription::Publish(const std::shared_ptr<const StoreChange>& change) {
  {
    std::lock_guard lock(mutex_);
    if (cancelled_ || overflowed_) return;
    if (queue_.size() >= max_queue_) {
      overflowed_ = true;
      queue_.clear();
    } else {
      queue_.push_back(Item{change, nullptr, change->resource_version, false});
    }
  }
  cv_.notify_one();
}

}  // namespace lifeboat::devcluster
