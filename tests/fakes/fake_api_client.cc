#include "tests/fakes/fake_api_client.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace lifeboat::testing {

using kube::WatchEvent;
using kube::WatchEventType;

struct FakeApiClient::Channel {
  std::string group_resource;
  std::string ns;
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<WatchEvent> events;
  bool ended = false;
  Status error;
  bool cancelled = false;
};

namespace {

class FakeWatchStream final : public kube::WatchStream {
 public:
  explicit FakeWatchStream(std::shared_ptr<FakeApiClient::Channel> channel) : channel_(std::move(channel)) {}
  ~FakeWatchStream() override { Cancel(); }

  StatusOr<std::optional<WatchEvent>> Next() override {
    std::unique_lock lock(channel_->mutex);
    channel_->ready.wait(lock, [&] {
      return channel_->cancelled || !channel_->events.empty() || channel_->ended || !channel_->error.ok();
    });
    if (channel_->cancelled) return CancelledError("watch cancelled");
    if (!channel_->events.empty()) {
      WatchEvent event = std::move(channel_->events.front());
      channel_->events.pop_front();
      return std::optional<WatchEvent>(std::move(event));
    }
    if (!channel_->error.ok()) return channel_->error;
    return std::optional<WatchEvent>();
  }

  void Cancel() override {
    std::lock_guard lock(channel_->mutex);
    channel_->cancelled = true;
    channel_->ready.notify_all();
  }

 private:
  std::shared_ptr<FakeApiClient::Channel> channel_;
};

std::string Key(std::string_view ns, std::string_view name) {
  return ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
}

}  // namespace

Status FakeApiClient::ApiError(int code, const std::string& reason, const std::string& message) {
  nlohmann::json status = {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                           {"message", message}, {"reason", reason}, {"code", code}};
  return kube::StatusFromHttp(code, status.dump());
}

void FakeApiClient::CompactHistory() {
  std::lock_guard lock(mutex_);
  compacted_before_ = rv_;
  history_.clear();
}

void FakeApiClient::BreakWatches(Status error) {
  std::lock_guard lock(mutex_);
  for (auto& channel : channels_) {
    std::lock_guard channel_lock(channel->mutex);
    channel->error = error;
    channel->ready.notify_all();
  }
  channels_.clear();
  changed_.notify_all();
}

void FakeApiClient::EndWatches() {
  std::lock_guard lock(mutex_);
  for (auto& channel : channels_) {
    std::lock_guard channel_lock(channel->mutex);
    channel->ended = true;
    channel->ready.notify_all();
  }
  channels_.clear();
  changed_.notify_all();
}

void FakeApiClient::FailNext(const std::string& verb, Status status) {
  std::lock_guard lock(mutex_);
  failures_.emplace(verb, std::move(status));
}

void FakeApiClient::SetExpireWithHttp410(bool value) {
  std::lock_guard lock(mutex_);
  expire_with_http_410_ = value;
}

int64_t FakeApiClient::CurrentResourceVersion() const {
  std::lock_guard lock(mutex_);
  return rv_;
}

int FakeApiClient::Calls(const std::string& verb) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(verb);
  return it == calls_.end() ? 0 : it->second;
}

size_t FakeApiClient::OpenWatches() const {
  std::lock_guard lock(mutex_);
  size_t open = 0;
  for (const auto& channel : channels_) {
    std::lock_guard channel_lock(channel->mutex);
    if (!channel->cancelled) ++open;
  }
  return open;
}

bool FakeApiClient::WaitForOpenWatches(size_t count, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (OpenWatches() >= count) return true;
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::milliseconds(5));
  }
  return OpenWatches() >= count;
}

Status FakeApiClient::TakeFailure(const std::string& verb) {
  std::lock_guard lock(mutex_);
  calls_[verb]++;
  auto it = failures_.find(verb);
  if (it == failures_.end()) return Status::Ok();
  Status status = it->second;
  failures_.erase(it);
  return status;
}

void FakeApiClient::PublishLocked(const kube::ResourceRef& resource, const std::string& ns, WatchEventType type,
                                  const Json& object) {
  WatchEvent event{type, object};
  history_.push_back(HistoryEntry{resource.GroupResource(), ns, rv_, event});
  for (auto& channel : channels_) {
    if (channel->group_resource != resource.GroupResource()) continue;
    if (!channel->ns.empty() && channel->ns != ns) continue;
    std::lock_guard channel_lock(channel->mutex);
    channel->events.push_back(event);
    channel->ready.notify_all();
  }
}

StatusOr<nlohmann::json> FakeApiClient::Get(const kube::ResourceRef& resource, std::string_view ns,
                                            std::string_view name, std::string_view) {
  LIFEBOAT_RETURN_IF_ERROR(TakeFailure("get"));
  std::lock_guard lock(mutex_);
  auto& objects = objects_[resource.GroupResource()];
  auto it = objects.find(Key(resource.namespaced ? ns : "", name));
  if (it == objects.end()) {
    return ApiError(404, "NotFound", resource.GroupResource() + " \"" + std::string(name) + "\" not found");
  }
  return it->second;
}

StatusOr<kube::ListPage> FakeApiClient::ListOnePage(const kube::ResourceRef& resource, std::string_view ns,
                                                    const kube::ListOptions& options) {
  LIFEBOAT_RETURN_IF_ERROR(TakeFailure("list"));
  std::lock_guard lock(mutex_);
  kube::ListPage page;
  page.resource_version = std::to_string(rv_);
  auto& objects = objects_[resource.GroupResource()];
  size_t start = 0;
  if (!options.continue_token.empty()) {
    auto colon = options.continue_token.find(':');
    int64_t token_rv = std::stoll(options.continue_token.substr(0, colon));
    if (token_rv < compacted_before_) {
      return ApiError(410, "Expired", "The provided continue parameter is too old to display a consistent list result.");
    }
    start = std::stoul(options.continue_token.substr(colon + 1));
    page.resource_version = std::to_string(token_rv);
  }
  size_t index = 0;
  for (const auto& [key, object] : objects) {
    if (!ns.empty() && kube::ObjectNamespace(object) != ns) continue;
    if (index++ < start) continue;
    if (options.limit > 0 && page.items.size() == static_cast<size_t>(options.limit)) {
      page.continue_token = page.resource_version + ":" + std::to_string(index - 1);
      break;
    }
    page.items.push_back(object);
  }
  return page;
}

StatusOr<nlohmann::json> FakeApiClient::Store(const kube::ResourceRef& resource, Json object, const std::string& type) {
  // Caller holds mutex_.
  ++rv_;
  object["metadata"]["resourceVersion"] = std::to_string(rv_);
  std::string ns = resource.namespaced ? kube::ObjectNamespace(object) : "";
  objects_[resource.GroupResource()][Key(ns, kube::ObjectName(object))] = object;
  PublishLocked(resource, ns, type == "ADDED" ? WatchEventType::kAdded : WatchEventType::kModified, object);
  return object;
}

StatusOr<nlohmann::json> FakeApiClient::Create(const kube::ResourceRef& resource, std::string_view ns,
                                               const Json& object) {
  LIFEBOAT_RETURN_IF_ERROR(TakeFailure("create"));
  std::lock_guard lock(mutex_);
  Json copy = object;
  std::string target_ns = resource.namespaced ? (ns.empty() ? kube::ObjectNamespace(object) : std::string(ns)) : "";
  if (resource.namespaced && target_ns.empty()) return ApiError(400, "BadRequest", "namespace required");
  std::string name = kube::ObjectName(copy);
  if (name.empty()) {
    std::string prefix = copy["metadata"].value("generateName", "");
    if (prefix.empty()) return ApiError(422, "Invalid", "metadata.name: Required value: name or generateName is required");
    name = prefix + std::to_string(uid_counter_ + 1);
    copy["metadata"]["name"] = name;
  }
  auto& objects = objects_[resource.GroupResource()];
  if (objects.count(Key(target_ns, name)) > 0) {
    return ApiError(409, "AlreadyExists", resource.GroupResource() + " \"" + name + "\" already exists");
  }
  if (resource.namespaced) copy["metadata"]["namespace"] = target_ns;
  char uid[64];
  std::snprintf(uid, sizeof uid, "00000000-0000-4000-8000-%012lld", static_cast<long long>(++uid_counter_));
  copy["metadata"]["uid"] = uid;
  copy["metadata"]["creationTimestamp"] = "2026-11-22T00:00:00Z";
  copy["metadata"]["generation"] = 1;
  if (!copy.contains("apiVersion")) copy["apiVersion"] = resource.ApiVersion();
  if (!copy.contains("kind")) copy["kind"] = resource.kind;
  return Store(resource, std::move(copy), "ADDED");
}

StatusOr<nlohmann::json> FakeApiClient::Update(const kube::ResourceRef& resource, std::string_view ns,
                                               const Json& object, std::string_view subresource) {
  LIFEBOAT_RETURN_IF_ERROR(TakeFailure("update"));
  std::lock_guard lock(mutex_);
  std::string target_ns = resource.namespaced ? (ns.empty() ? kube::ObjectNamespace(object) : std::string(ns)) : "";
  std::string name = kube::ObjectName(object);
  auto& objects = objects_[resource.GroupResource()];
  auto it = objects.find(Key(target_ns, name));
  if (it == objects.end()) {
    return ApiError(404, "NotFound", resource.GroupResource() + " \"" + name + "\" not found");
  }
  std::string rv = kube::ObjectResourceVersion(object);
  if (!rv.empty() && rv != kube::ObjectResourceVersion(it->second)) {
    return ApiError(409, "Conflict", "Operation cannot be fulfilled on " + resource.GroupResource() + " \"" + name +
                                         "\": the object has been modified; please apply your changes to the latest "
                                         "version and try again");
  }
  Json updated = it->second;
  if (subresource == "status") {
    if (object.contains("status")) updated["status"] = object["status"];
  } else {
    Json status = updated.contains("status") ? updated["status"] : Json();
    Json metadata = updated["metadata"];
    updated = object;
    for (const char* kept : {"uid", "creationTimestamp", "generation", "namespace"}) {
      if (metadata.contains(kept)) updated["metadata"][kept] = metadata[kept];
    }
    if (status.is_null()) updated.erase("status");
    else updated["status"] = status;
    if (it->second.contains("spec") && updated.value("spec", Json()) != it->second["spec"]) {
      updated["metadata"]["generation"] = metadata.value("generation", 1) + 1;
    }
  }
  return Store(resource, std::move(updated), "MODIFIED");
}

StatusOr<nlohmann::json> FakeApiClient::Patch(const kube::ResourceRef& resource, std::string_view ns,
                                              std::string_view name, kube::PatchType type, const Json& patch,
                                              std::string_view subresource) {
  LIFEBOAT_RETURN_IF_ERROR(TakeFailure("patch"));
  std::lock_guard lock(mutex_);
  auto& objects = objects_[resource.GroupResource()];
  auto it = objects.find(Key(resource.namespaced ? ns : "", name));
  if (it == objects.end()) {
    return ApiError(404, "NotFound", resource.GroupResource() + " \"" + std::string(name) + "\" not found");
  }
  Json patched = it->second;
  try {
    if (type == kube::PatchType::kJson) {
      patched = patched.patch(patch);
    } else if (type == kube::PatchType::kMerge) {
      patched.merge_patch(patch);
    } else {
      return ApiError(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted "
                                                   "media types include: application/json-patch+json, "
                                                   "application/merge-patch+json");
    }
  } catch (const std::exception& e) {
    return ApiError(422, "Invalid", e.what());
  }
  if (subresource == "status") {
    Json status = patched.contains("status") ? patched["status"] : Json();
    patched = it->second;
    patched["status"] = status;
  } else if (it->second.contains("status")) {
    patched["status"] = it->second["status"];
  }
  if (patched.value("spec", Json()) != it->second.value("spec", Json())) {
    patched["metadata"]["generation"] = it->second["metadata"].value("generation", 1) + 1;
  }
  return Store(resource, std::move(patched), "MODIFIED");
}

Status FakeApiClient::Delete(const kube::ResourceRef& resource, std::string_view ns, std::string_view name,
                             const kube::DeleteOptions& options) {
  LIFEBOAT_RETURN_IF_ERROR(TakeFailure("delete"));
  std::lock_guard lock(mutex_);
  auto& objects = objects_[resource.GroupResource()];
  std::string key = Key(resource.namespaced ? ns : "", name);
  auto it = objects.find(key);
  if (it == objects.end()) {
    return ApiError(404, "NotFound", resource.GroupResource() + " \"" + std::string(name) + "\" not found");
  }
  if (options.precondition_uid && *options.precondition_uid != kube::ObjectUid(it->second)) {
    return ApiError(409, "Conflict", "Precondition failed: UID in precondition: " + *options.precondition_uid +
                                         ", UID in object meta: " + kube::ObjectUid(it->second));
  }
  if (options.precondition_resource_version &&
      *options.precondition_resource_version != kube::ObjectResourceVersion(it->second)) {
    return ApiError(409, "Conflict", "Precondition failed: ResourceVersion in precondition: " +
                                         *options.precondition_resource_version);
  }
  Json object = it->second;
  objects.erase(it);
  ++rv_;
  object["metadata"]["resourceVersion"] = std::to_string(rv_);
  PublishLocked(resource, resource.namespaced ? std::string(ns) : "", WatchEventType::kDeleted, object);
  return Status::Ok();
}

StatusOr<std::unique_ptr<kube::WatchStream>> FakeApiClient::Watch(const kube::ResourceRef& resource,
                                                                  std::string_view ns,
                                                                  const kube::WatchOptions& options) {
  LIFEBOAT_RETURN_IF_ERROR(TakeFailure("watch"));
  std::lock_guard lock(mutex_);
  auto channel = std::make_shared<Channel>();
  channel->group_resource = resource.GroupResource();
  channel->ns = std::string(ns);
  if (options.resource_version.empty()) {
    for (const auto& [key, object] : objects_[resource.GroupResource()]) {
      if (!ns.empty() && kube::ObjectNamespace(object) != ns) continue;
      channel->events.push_back(WatchEvent{WatchEventType::kAdded, object});
    }
  } else {
    int64_t from = std::stoll(options.resource_version);
    if (from < compacted_before_) {
      std::string message = "too old resource version: " + options.resource_version + " (" +
                            std::to_string(compacted_before_) + ")";
      if (expire_with_http_410_) return ApiError(410, "Gone", message);
      // A real API server answers HTTP 200 and one ERROR event.
      channel->events.push_back(WatchEvent{WatchEventType::kError,
                                           {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"},
                                            {"message", message}, {"reason", "Expired"}, {"code", 410}}});
      channel->ended = true;
      return std::unique_ptr<kube::WatchStream>(new FakeWatchStream(channel));
    }
    for (const auto& entry : history_) {
      if (entry.group_resource != channel->group_resource || entry.rv <= from) continue;
      if (!ns.empty() && entry.ns != ns) continue;
      channel->events.push_back(entry.event);
    }
  }
  channels_.push_back(channel);
  changed_.notify_all();
  return std::unique_ptr<kube::WatchStream>(new FakeWatchStream(channel));
}

}  // namespace lifeboat::testing
