#include "operator/kube/event_recorder.h"

#include <algorithm>
#include <cstdio>

#include "operator/core/time_format.h"
#include "operator/logging/log.h"

namespace lifeboat::kube {
namespace {

std::string Meta(const nlohmann::json& object, const char* field) {
  if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object()) return "";
  const auto& metadata = object["metadata"];
  auto it = metadata.find(field);
  return it != metadata.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string Str(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

EventWrite EventAggregator::Plan(const nlohmann::json& object, const std::string& type, const std::string& reason,
                                 const std::string& message, WallTime now) const {
  const std::string ns = Meta(object, "namespace").empty() ? "default" : Meta(object, "namespace");
  EventWrite write;
  write.ns = ns;
  write.cache_key = Str(object, "apiVersion") + "\x1f" + Str(object, "kind") + "\x1f" + Meta(object, "namespace") +
                    "\x1f" + Meta(object, "name") + "\x1f" + Meta(object, "uid") + "\x1f" + type + "\x1f" + reason +
                    "\x1f" + message;
  if (auto it = seen_.find(write.cache_key); it != seen_.end()) {
    write.create = false;
    write.ns = it->second.ns;
    write.name = it->second.name;
    write.patch = {{"count", it->second.count + 1}, {"lastTimestamp", FormatRfc3339(now)}};
    return write;
  }
  char suffix[32];
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(nanos));
  write.name = Meta(object, "name") + suffix;
  nlohmann::json involved = {{"apiVersion", Str(object, "apiVersion")},
                             {"kind", Str(object, "kind")},
                             {"name", Meta(object, "name")}};
  if (!Meta(object, "namespace").empty()) involved["namespace"] = Meta(object, "namespace");
  if (!Meta(object, "uid").empty()) involved["uid"] = Meta(object, "uid");
  if (!Meta(object, "resourceVersion").empty()) involved["resourceVersion"] = Meta(object, "resourceVersion");
  std::string timestamp = FormatRfc3339(now);
  write.event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"name", write.name}, {"namespace", ns}}},
      {"involvedObject", involved},
      {"type", type},
      {"reason", reason},
      // The API server rejects messages over 1 KiB... bound it as client-go does.
      {"message", message.size() > 1024 ? message.substr(0, 1021) + "..." : message},
      {"count", 1},
      {"firstTimestamp", timestamp},
      {"lastTimestamp", timestamp},
      {"eventTime", nullptr},
      {"source", {{"component", component_}}},
      {"reportingComponent", component_},
      {"reportingInstance", instance_},
  };
  return write;
}

void EventAggregator::Committed(const EventWrite& write, WallTime now) {
  auto it = seen_.find(write.cache_key);
  if (it == seen_.end()) {
    if (seen_.size() >= capacity_ && !order_.empty()) {
      seen_.erase(order_.front());
      order_.pop_front();
    }
    seen_[write.cache_key] = Seen{write.ns, write.name, 1, now};
    order_.push_back(write.cache_key);
    return;
  }
  it->second.count += 1;
  order_.remove(write.cache_key);
  order_.push_back(write.cache_key);
}

void EventAggregator::Forget(const std::string& cache_key) {
  seen_.erase(cache_key);
  order_.remove(cache_key);
}

ApiEventRecorder::ApiEventRecorder(ApiClient& client, const Clock& clock, std::string component, std::string instance)
    : client_(client), clock_(clock), aggregator_(std::move(component), std::move(instance)) {}

void ApiEventRecorder::Record(const nlohmann::json& object, const std::string& type, const std::string& reason,
                              const std::string& message) {
  std::lock_guard lock(mutex_);
  WallTime now = clock_.Now();
  EventWrite write = aggregator_.Plan(object, type, reason, message, now);
  const ResourceRef events = EventResource();
  if (!write.create) {
    auto patched = client_.Patch(events, write.ns, write.name, PatchType::kMerge, write.patch);
    if (patched.ok()) {
      aggregator_.Committed(write, now);
      return;
    }
    if (patched.status().code() != StatusCode::kNotFound) {
      log::Warn("Could not update event", {{"event", write.ns + "/" + write.name}, {"reason", reason},
                                           {"error", patched.status()}});
      return;
    }
    aggregator_.Forget(write.cache_key);
    write = aggregator_.Plan(object, type, reason, message, now);
  }
  auto created = client_.Create(events, write.ns, write.event);
  if (created.ok()) {
    aggregator_.Committed(write, now);
  } else {
    log::Warn("Could not create event", {{"event", write.ns + "/" + write.name}, {"reason", reason},
                                         {"error", created.status()}});
  }
}

}  // namespace lifeboat::kube
