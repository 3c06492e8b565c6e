// EventRecorder: writes core/v1 Events about objects ("Normal"/"Warning", a CamelCase reason, a
// human message), shaped as the real controllers write them (k8s-wire 43: involvedObject, source,
// count, firstTimestamp, lastTimestamp, name "<object>.<hex nanoseconds>"). Repeats of the same
// event (same object, type, reason, message) are aggregated: the existing Event's count goes up
// and its lastTimestamp moves, instead of a new Event per repeat.
//   EventAggregator: the pure part (which Event to create or patch); thread-compatible.
//   ApiEventRecorder: applies it through an ApiClient; failures are logged, never returned,
//     because an Event must not fail a reconcile. Thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "operator/core/clock.h"
#include "operator/kube/api_client.h"

namespace lifeboat::kube {

inline constexpr const char* kEventNormal = "Normal";
inline constexpr const char* kEventWarning = "Warning";

class EventRecorder {
 public:
  virtual ~EventRecorder() = default;
  // `object` is the involved object (apiVersion, kind, metadata name/namespace/uid/resourceVersion).
  virtual void Record(const nlohmann::json& object, const std::string& type, const std::string& reason,
                      const std::string& message) = 0;
};

// A planned write: create `event`, or merge-patch the Event `name` with `patch`.
struct EventWrite {
  bool create = true;
  std::string ns;
  std::string name;
  nlohmann::json event;  // create
  nlohmann::json patch;  // !create
  std::string cache_key;
};

class EventAggregator {
 public:
  EventAggregator(std::string component, std::string instance, size_t capacity = 4096)
      : component_(std::move(component)), instance_(std::move(instance)), capacity_(capacity) {}

  // What to write for this occurrence at `now`.
  EventWrite Plan(const nlohmann::json& object, const std::string& type, const std::string& reason,
                  const std::string& message, WallTime now) const;
  // The write succeeded: remember it so the next repeat patches it.
  void Committed(const EventWrite& write, WallTime now);
  // The Event to patch no longer exists (Events expire): forget it.
  void Forget(const std::string& cache_key);

 private:
  struct Seen {
    std::string ns;
    std::string name;
    int64_t count = 0;
    WallTime first{};
  };
  std::string component_;
  std::string instance_;
  size_t capacity_;
  std::map<std::string, Seen> seen_;
  std::list<std::string> order_;  // Least recently used first.
};

class ApiEventRecorder final : public EventRecorder {
 public:
  ApiEventRecorder(ApiClient& client, const Clock& clock, std::string component, std::string instance);
  void Record(const nlohmann::json& object, const std::string& type, const std::string& reason,
              const std::string& message) override;

 private:
  ApiClient& client_;
  const Clock& clock_;
  std::mutex mutex_;
  EventAggregator aggregator_;
};

}  // namespace lifeboat::kube
