// EventRecorder: writes core/v1 Events about an object as the real components do (name
// `<object>.<hex nanoseconds>`, involvedObject with uid and resourceVersion, source.component,
// firstTimestamp/lastTimestamp, count 1). Best effort: a failed write is dropped (as client-go's
// recorder does). Thread-safe.
#pragma once

#include <atomic>
#include <string>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/jobs/cluster_api.h"
#include "operator/core/clock.h"

namespace lifeboat::devcluster {

class EventRecorder {
 public:
  // `component` e.g. "job-controller", "kubelet"; `host` the node name for kubelet events.
  EventRecorder(ClusterApi& api, const Clock& clock, std::string component, std::string host = "")
      : api_(api), clock_(clock), component_(std::move(component)), host_(std::move(host)) {}

  // `object` is the involved object (apiVersion, kind, metadata); `field_path` e.g.
  // "spec.containers{main}" for container events.
  void Record(const nlohmann::json& object, const std::string& type, const std::string& reason,
              const std::string& message, const std::string& field_path = "");

 private:
  ClusterApi& api_;
  const Clock& clock_;
  const std::string component_;
  const std::string host_;
  std::atomic<uint64_t> sequence_{0};
};

}  // namespace lifeboat::devcluster
