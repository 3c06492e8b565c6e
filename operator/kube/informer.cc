#include "operator/kube/informer.h"

#include <malloc.h>

#include <random>

#include "operator/kube/api_error.h"
#include "operator/logging/log.h"

namespace lifeboat::kube {

Informer::Informer(ApiClient& client, ResourceRef resource, InformerOptions options)
    : client_(client),
      resource_(std::move(resource)),
      options_(std::move(options)),
      cache_(options_.projection),
      backoff_(options_.initial_backoff) {}

Informer::~Informer() { Stop(); }

void Informer::AddHandler(InformerHandler handler) { handlers_.push_back(std::move(handler)); }

void Informer::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void Informer::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (current_watch_) current_watch_->Cancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, timeout, [this] { return synced_.load() || stopping_; });
  return synced_.load();
}

std::string Informer::last_resource_version() const {
  std::lock_guard lock(mutex_);
  return last_resource_version_;
}

void Informer::Dispatch(const CacheChange& change) {
  InformerEvent::Type type = change.type == CacheChange::Type::kAdded     ? InformerEvent::Type::kAdded
                             : change.type == CacheChange::Type::kUpdated ? InformerEvent::Type::kUpdated
                                                                          : InformerEvent::Type::kDeleted;
  InformerEvent event{type, change.object, change.old ? &*change.old : nullptr};
  std::lock_guard lock(dispatch_mutex_);
  for (const auto& handler : handlers_) handler(event);
}

void Informer::Resync() {
  std::vector<nlohmann::json> objects = cache_.List();
  std::lock_guard lock(dispatch_mutex_);
  for (const auto& object : objects) {
    InformerEvent event{InformerEvent::Type::kResync, object, nullptr};
    for (const auto& handler : handlers_) handler(event);
  }
}

void Informer::Backoff() {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, backoff_, [this] { return stopping_; });
  backoff_ = std::min(backoff_ * 2, options_.max_backoff);
}

StatusOr<std::string> Informer::ListAll() {
  ListOptions list_options;
  list_options.label_selector = options_.label_selector;
  list_options.field_selector = options_.field_selector;
  list_options.limit = options_.page_size;
  // Page by page, each object stripped, projected and packed as it arrives, so a relist of many
  // objects never holds them all as parsed JSON.
  std::vector<ObjectCache::Prepared> prepared;
  std::string resource_version;
  bool restarted = false;
  while (true) {
    auto page = client_.ListOnePage(resource_, options_.ns, list_options);
    if (!page.ok()) {
      if (IsExpired(page.status()) && !list_options.continue_token.empty() && !restarted) {
        restarted = true;  // The continue token expired mid-way: start over once.
        prepared.clear();
        list_options.continue_token.clear();
        continue;
      }
      return page.status();
    }
    for (auto& item : page->items) prepared.push_back(cache_.Prepare(std::move(item)));
    resource_version = page->resource_version;
    if (page->continue_token.empty()) break;
    list_options.continue_token = page->continue_token;
  }
  lists_.fetch_add(1);
  auto changes = cache_.ReplacePrepared(std::move(prepared));
  for (auto& change : changes) {
    std::optional<nlohmann::json> object;
    std::optional<nlohmann::json> old;
    if (change.type == CacheChange::Type::kDeleted) {
      object = ObjectCache::Decode(change.old_packed);
    } else {
      object = cache_.Get(change.key);
      if (!object) continue;
      if (change.type == CacheChange::Type::kUpdated) old = ObjectCache::Decode(change.old_packed);
    }
    Dispatch(CacheChange{change.type, std::move(*object), std::move(old)});
  }
  changes.clear();
  changes.shrink_to_fit();
  // Give the memory of the parsed pages back to the system (glibc keeps freed heap otherwise).
  malloc_trim(0);
  return resource_version;
}

Status Informer::WatchFrom(std::string& resource_version) {
  WatchOptions watch_options;
  watch_options.resource_version = resource_version;
  watch_options.label_selector = options_.label_selector;
  watch_options.field_selector = options_.field_selector;
  watch_options.allow_bookmarks = true;
  static thread_local std::mt19937 random(std::random_device{}());
  int base = static_cast<int>(options_.watch_timeout.count());
  watch_options.timeout_seconds = base + (base > 0 ? static_cast<int>(random() % base) : 0);
  auto stream = client_.Watch(resource_, options_.ns, watch_options);
  if (!stream.ok()) return stream.status();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return CancelledError("informer stopping");
    current_watch_ = std::move(*stream);
  }
  watches_.fetch_add(1);
  const Clock& clock = options_.clock != nullptr ? *options_.clock : SystemClock::Instance();
  SteadyTime opened = clock.SteadyNow();
  WatchStream* watch = current_watch_.get();
  Status result;
  bool received = false;
  while (true) {
    auto next = watch->Next();
    if (!next.ok()) {
      result = next.status();
      break;
    }
    if (!next->has_value()) break;  // The server ended the watch: resume from resource_version.
    WatchEvent& event = **next;
    if (event.type == WatchEventType::kError) {
      result = WatchErrorToStatus(event);
      break;
    }
    received = true;
    std::string rv = ObjectResourceVersion(event.object);
    if (event.type == WatchEventType::kBookmark) {
      if (!rv.empty()) resource_version = rv;
    } else if (event.type == WatchEventType::kDeleted) {
      if (auto change = cache_.Remove(KeyOf(event.object))) Dispatch(*change);
      if (!rv.empty()) resource_version = rv;
    } else {
      if (auto change = cache_.Upsert(std::move(event.object))) Dispatch(*change);
      if (!rv.empty()) resource_version = rv;
    }
    {
      std::lock_guard lock(mutex_);
      last_resource_version_ = resource_version;
    }
    backoff_ = options_.initial_backoff;  // A working watch resets the backoff.
  }
  std::lock_guard lock(mutex_);
  current_watch_.reset();
  if (result.ok() && !received && clock.SteadyNow() - opened < std::chrono::seconds(1)) {
    // Ended without a single event or bookmark: back off a little so a server that closes watches at
    // once is not hammered.
    return UnavailableError("watch ended without events");
  }
  return result;
}

void Informer::Run() {
  std::string resource_version;
  bool need_list = true;
  const std::string name = resource_.GroupResource();
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (need_list) {
      auto listed = ListAll();
      if (!listed.ok()) {
        log::Warn("Listing failed; retrying", {{"resource", name}, {"error", listed.status()},
                                               {"backoffMs", int64_t(backoff_.count())}});
        Backoff();
        continue;
      }
      resource_version = *listed;
      {
        std::lock_guard lock(mutex_);
        last_resource_version_ = resource_version;
      }
      need_list = false;
      backoff_ = options_.initial_backoff;
      if (!synced_.exchange(true)) {
        log::Info("Cache synced", {{"resource", name}, {"objects", uint64_t(cache_.Size())},
                                   {"resourceVersion", resource_version}});
        std::lock_guard lock(mutex_);
        wake_.notify_all();
      } else {
        log::Info("Relisted", {{"resource", name}, {"objects", uint64_t(cache_.Size())},
                               {"resourceVersion", resource_version}});
      }
    }
    Status watched = WatchFrom(resource_version);
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (watched.ok()) continue;  // Normal end (timeoutSeconds): resume at once.
    if (IsExpired(watched)) {
      log::Info("Watch expired; relisting", {{"resource", name}, {"resourceVersion", resource_version}});
      need_list = true;
      continue;
    }
    log::Warn("Watch broken; reconnecting", {{"resource", name}, {"error", watched},
                                             {"resourceVersion", resource_version},
                                             {"backoffMs", int64_t(backoff_.count())}});
    Backoff();
  }
}

}  // namespace lifeboat::kube
