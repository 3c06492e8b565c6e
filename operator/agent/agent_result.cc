#include "operator/agent/agent_result.h"

namespace lifeboat::agent {
namespace {

// The longest array anywhere in `j` (by serialised size), or nullptr.
nlohmann::json* LongestArray(nlohmann::json& j, std::size_t* best_size) {
  nlohmann::json* best = nullptr;
  if (j.is_array() && !j.empty()) {
    *best_size = j.dump().size();
    best = &j;
  }
  if (j.is_structured()) {
    for (auto& child : j) {
      std::size_t size = 0;
      nlohmann::json* candidate = LongestArray(child, &size);
      if (candidate != nullptr && (best == nullptr || size > *best_size)) {
        best = candidate;
        *best_size = size;
      }
    }
  }
  return best;
}

}  // namespace

nlohmann::json AgentResultJson(const AgentResult& result) {
  nlohmann::json j = nlohmann::json::object();
  j["schemaVersion"] = kResultSchemaVersion;
  j["command"] = result.command;
  j["result"] = result.status.ok() ? "Succeeded" : "Failed";
  j["reason"] = !result.reason.empty() ? result.reason
                                       : (result.status.ok() ? "Completed" : StatusCodeName(result.status.code()));
  j["message"] = result.status.ok() ? "" : result.status.message();
  if (!result.backup_id.empty()) j["backupId"] = result.backup_id;
  if (!result.start_time.empty()) j["startTime"] = result.start_time;
  if (!result.end_time.empty()) j["endTime"] = result.end_time;
  j["durationSeconds"] = static_cast<double>(static_cast<long long>(result.duration_seconds * 1000)) / 1000.0;
  for (const auto& [key, value] : result.fields.items()) j[key] = value;
  return j;
}

std::string RenderTerminationMessage(const AgentResult& result, std::size_t limit) {
  nlohmann::json j = AgentResultJson(result);
  std::string text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  while (text.size() > limit) {
    std::size_t size = 0;
    nlohmann::json* longest = LongestArray(j, &size);
    if (longest != nullptr) {
      longest->erase(longest->size() - 1);
      j["truncated"] = true;
    } else {
      std::string message = j["message"].get<std::string>();
      std::size_t excess = text.size() - limit;
      if (message.size() <= excess + 3) {
        // Nothing left to shorten but other fields: keep only the essentials.
        nlohmann::json minimal{{"schemaVersion", kResultSchemaVersion}, {"command", j["command"]}, {"result", j["result"]},
                               {"reason", j["reason"]}, {"truncated", true}};
        if (j.contains("backupId")) minimal["backupId"] = j["backupId"];
        return minimal.dump();
      }
      j["message"] = message.substr(0, message.size() - excess - 3) + "...";
      j["truncated"] = true;
    }
    text = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return text;
}

int ExitCodeFor(const Status& status) {
  if (status.ok()) return 0;
  if (status.code() == StatusCode::kInvalidArgument) return 2;
  return 1;
}

}  // namespace lifeboat::agent
