#include "controllers/common/job_state.h"

#include "operator/core/time_format.h"

namespace lifeboat::controllers {

namespace {

std::optional<WallTime> TimeAt(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  auto t = ParseRfc3339(it->get<std::string>());
  if (!t.ok()) return std::nullopt;
  return *t;
}

std::map<std::string, std::string> StringMap(const nlohmann::json& object, const char* key) {
  std::map<std::string, std::string> out;
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return out;
  for (auto e = it->begin(); e != it->end(); ++e) {
    if (e.value().is_string()) out[e.key()] = e.value().get<std::string>();
  }
  return out;
}

}  // namespace

JobState ReadJobState(const nlohmann::json& job) {
  JobState s;
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const auto& meta = job.contains("metadata") && job["metadata"].is_object() ? job["metadata"] : kEmpty;
  const auto& status = job.contains("status") && job["status"].is_object() ? job["status"] : kEmpty;
  s.name = meta.value("name", "");
  s.uid = meta.value("uid", "");
  s.deleting = meta.contains("deletionTimestamp") && !meta["deletionTimestamp"].is_null();
  s.creation_time = TimeAt(meta, "creationTimestamp");
  s.labels = StringMap(meta, "labels");
  s.annotations = StringMap(meta, "annotations");
  s.start_time = TimeAt(status, "startTime");
  s.completion_time = TimeAt(status, "completionTime");
  if (auto conditions = status.find("conditions"); conditions != status.end() && conditions->is_array()) {
    for (const auto& c : *conditions) {
      if (!c.is_object() || c.value("status", "") != "True") continue;
      const std::string type = c.value("type", "");
      if (type == "Complete") {
        s.phase = JobPhase::kSucceeded;
        if (!s.completion_time) s.completion_time = TimeAt(c, "lastTransitionTime");
      } else if (type == "Failed") {
        s.phase = JobPhase::kFailed;
        s.failure_reason = c.value("reason", "");
        s.failure_message = c.value("message", "");
        if (!s.completion_time) s.completion_time = TimeAt(c, "lastTransitionTime");
      }
    }
  }
  return s;
}

}  // namespace lifeboat::controllers
