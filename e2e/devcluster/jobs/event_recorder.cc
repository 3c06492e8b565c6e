#include "e2e/devcluster/jobs/event_recorder.h"

#include <cstdio>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster {

void EventRecorder::Record(const nlohmann::json& object, const std::string& type, const std::string& reason,
                           const std::string& message, const std::string& field_path) {
  using nlohmann::json;
  const json metadata = object.value("metadata", json::object());
  const WallTime now = clock_.Now();
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() +
                     static_cast<int64_t>(sequence_.fetch_add(1));
  char suffix[32];
  std::snprintf(suffix, sizeof(suffix), "%llx", static_cast<unsigned long long>(nanos));
  const std::string ns = metadata.value("namespace", "default");
  json involved = {{"apiVersion", object.value("apiVersion", "")},
                   {"kind", object.value("kind", "")},
                   {"name", metadata.value("name", "")},
                   {"namespace", ns},
                   {"uid", metadata.value("uid", "")},
                   {"resourceVersion", metadata.value("resourceVersion", "")}};
  if (!field_path.empty()) involved["fieldPath"] = field_path;
  json source = {{"component", component_}};
  if (!host_.empty()) source["host"] = host_;
  json event = {{"apiVersion", "v1"},
                {"kind", "Event"},
                {"metadata", {{"name", metadata.value("name", "") + "." + suffix}, {"namespace", ns}}},
                {"involvedObject", involved},
                {"reason", reason},
                {"message", message},
                {"type", type},
                {"source", source},
                {"firstTimestamp", FormatRfc3339(now)},
                {"lastTimestamp", FormatRfc3339(now)},
                {"count", 1},
                {"eventTime", nullptr},
                {"reportingComponent", component_},
                {"reportingInstance", host_}};
  (void)api_.Create(kEventsResource, ns, event);
}

}  // namespace lifeboat::devcluster
