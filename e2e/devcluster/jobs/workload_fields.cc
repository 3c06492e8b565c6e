#include "e2e/devcluster/jobs/workload_fields.h"

#include <cstdlib>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster::workload {

using nlohmann::json;

const json& At(const json& object, std::initializer_list<const char*> path) {
  static const json kNull;
  const json* at = &object;
  for (const char* key : path) {
    if (!at->is_object()) return kNull;
    auto it = at->find(key);
    if (it == at->end()) return kNull;
    at = &*it;
  }
  return *at;
}

int64_t IntAt(const json& object, std::initializer_list<const char*> path, int64_t fallback) {
  const json& value = At(object, path);
  return value.is_number_integer() ? value.get<int64_t>() : fallback;
}

std::string StringAt(const json& object, std::initializer_list<const char*> path) {
  const json& value = At(object, path);
  return value.is_string() ? value.get<std::string>() : "";
}

std::optional<WallTime> TimeAt(const json& object, std::initializer_list<const char*> path) {
  const json& value = At(object, path);
  if (!value.is_string()) return std::nullopt;
  auto parsed = ParseRfc3339(value.get<std::string>());
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

std::string NameOf(const json& object) { return StringAt(object, {"metadata", "name"}); }
std::string UidOf(const json& object) { return StringAt(object, {"metadata", "uid"}); }
bool IsDeleting(const json& object) { return !At(object, {"metadata", "deletionTimestamp"}).is_null(); }

std::string ControllerUidOf(const json& object, const std::string& kind) {
  const json& refs = At(object, {"metadata", "ownerReferences"});
  if (!refs.is_array()) return "";
  for (const json& ref : refs) {
    if (ref.is_object() && ref.value("controller", false) && ref.value("kind", "") == kind) return ref.value("uid", "");
  }
  return "";
}

const json* FindCondition(const json& status, const std::string& type) {
  const json& conditions = At(status, {"conditions"});
  if (!conditions.is_array()) return nullptr;
  for (const json& c : conditions) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

bool PodActive(const json& pod) {
  const std::string phase = StringAt(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed" && !IsDeleting(pod);
}

bool PodReady(const json& pod) {
  const json* ready = FindCondition(At(pod, {"status"}), "Ready");
  return ready && ready->value("status", "") == "True";
}

std::optional<WallTime> PodAvailableAt(const json& pod, int64_t min_ready_seconds) {
  if (!PodReady(pod)) return std::nullopt;
  if (min_ready_seconds <= 0) return WallTime{};
  auto since = TimeAt(*FindCondition(At(pod, {"status"}), "Ready"), {"lastTransitionTime"});
  if (!since) return std::nullopt;  // a zero transition time never counts as available
  return *since + std::chrono::seconds(min_ready_seconds);
}

bool PodAvailable(const json& pod, int64_t min_ready_seconds, WallTime now) {
  if (!PodReady(pod)) return false;
  if (min_ready_seconds <= 0) return true;
  auto at = PodAvailableAt(pod, min_ready_seconds);
  return at && *at < now;
}

int64_t ScaledValue(const json& int_or_percent, int64_t total, bool round_up) {
  if (int_or_percent.is_number_integer()) return int_or_percent.get<int64_t>();
  if (!int_or_percent.is_string()) return 0;
  const std::string text = int_or_percent.get<std::string>();
  if (text.empty() || text.back() != '%') return 0;
  char* end = nullptr;
  const long long percent = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() + text.size() - 1) return 0;
  const int64_t product = static_cast<int64_t>(percent) * total;
  return round_up ? (product + 99) / 100 : product / 100;
}

}  // namespace lifeboat::devcluster::workload
