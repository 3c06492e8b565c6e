#include "controllers/common/agent_run_result.h"

#include <algorithm>

#include "operator/agent/backup_result.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers {

namespace {

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<WallTime> Time(const nlohmann::json& j, const char* key) {
  const std::string text = Str(j, key);
  if (text.empty()) return std::nullopt;
  auto t = ParseRfc3339(text);
  if (!t.ok()) return std::nullopt;
  return *t;
}

}  // namespace

StatusOr<AgentRunResult> ParseAgentRunResult(const std::string& termination_message) {
  nlohmann::json j = nlohmann::json::parse(termination_message, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidArgumentError("the termination message is not a JSON object");
  }
  if (j.value("schemaVersion", 0) != 1) {
    return InvalidArgumentError("the termination message is not an agent result of schema version 1");
  }
  AgentRunResult r;
  r.command = Str(j, "command");
  const std::string result = Str(j, "result");
  if (result != "Succeeded" && result != "Failed") {
    return InvalidArgumentError("the agent result has no result Succeeded or Failed");
  }
  r.succeeded = result == "Succeeded";
  r.reason = Str(j, "reason");
  r.message = Str(j, "message");
  r.backup_id = Str(j, "backupId");
  r.start_time = Time(j, "startTime");
  r.end_time = Time(j, "endTime");
  if (auto it = j.find("durationSeconds"); it != j.end() && it->is_number()) r.duration_seconds = it->get<double>();
  // What a backup reports (also a safety backup of a restore): the agent's own BackupResult.
  const agent::BackupResult backup = agent::ParseBackupResult(j);
  r.size_bytes = backup.size_bytes;
  r.manifest_snapshot_id = backup.manifest_snapshot_id;
  for (const auto& d : backup.databases) r.databases.push_back({d.source, d.snapshot_id, d.size_bytes});
  for (const auto& m : backup.media) r.media.push_back({m.source, m.snapshot_id, m.bytes});
  if (backup.retention) {
    r.retention_error = backup.retention->error;
    if (backup.retention->error.empty()) r.retention_removed = static_cast<int>(backup.retention->removed.size());
  }
  if (backup.check) r.check_ok = backup.check->ok;
  r.raw = std::move(j);
  return r;
}

namespace {

// The container's terminated state (current, else last), when it has one.
const nlohmann::json* TerminatedState(const nlohmann::json& pod, const std::string& container) {
  const auto status = pod.find("status");
  if (status == pod.end() || !status->is_object()) return nullptr;
  const auto statuses = status->find("containerStatuses");
  if (statuses == status->end() || !statuses->is_array()) return nullptr;
  for (const auto& cs : *statuses) {
    if (!cs.is_object() || cs.value("name", "") != container) continue;
    for (const char* which : {"state", "lastState"}) {
      auto state = cs.find(which);
      if (state == cs.end() || !state->is_object()) continue;
      auto terminated = state->find("terminated");
      if (terminated != state->end() && terminated->is_object()) return &*terminated;
    }
  }
  return nullptr;
}

// Why a container that left no result ended: "exit code 137, reason OOMKilled (...)".
std::string HowItEnded(const nlohmann::json& terminated) {
  std::string out;
  if (auto code = terminated.find("exitCode"); code != terminated.end() && code->is_number_integer()) {
    int exit_code = code->get<int>();
    out = "exit code " + std::to_string(exit_code);
    if (exit_code == 137) out += " (SIGKILL)";
    if (exit_code == 143) out += " (SIGTERM)";
  }
  std::string reason = terminated.value("reason", "");
  if (!reason.empty()) out += (out.empty() ? "" : ", ") + std::string("reason ") + reason;
  if (reason == "OOMKilled") out += " (out of memory: raise podSettings.resources.limits.memory)";
  return out;
}

}  // namespace

std::optional<std::string> TerminationMessage(const nlohmann::json& pod, const std::string& container) {
  const nlohmann::json* terminated = TerminatedState(pod, container);
  if (terminated == nullptr) return std::nullopt;
  return terminated->value("message", "");
}

PodsAgentResult AgentResultFromPods(std::vector<nlohmann::json> pods, const std::string& container) {
  std::sort(pods.begin(), pods.end(), [](const nlohmann::json& a, const nlohmann::json& b) {
    return a["metadata"].value("creationTimestamp", "") > b["metadata"].value("creationTimestamp", "");
  });
  for (const nlohmann::json& pod : pods) {
    std::optional<std::string> message = TerminationMessage(pod, container);
    if (!message) continue;
    std::string how = HowItEnded(*TerminatedState(pod, container));
    std::string ended = "the agent container ended without a result" + (how.empty() ? "" : " (" + how + ")");
    if (message->empty()) return {std::nullopt, ended};
    StatusOr<AgentRunResult> parsed = ParseAgentRunResult(*message);
    if (parsed.ok()) return {*parsed, ""};
    // With FallbackToLogsOnError the message is the end of the log: show its last line.
    std::string text = *message;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    std::size_t newline = text.rfind('\n');
    std::string last = newline == std::string::npos ? text : text.substr(newline + 1);
    if (last.size() > 300) last = "..." + last.substr(last.size() - 300);
    return {std::nullopt, ended + "; last output: " + last};
  }
  return {std::nullopt, pods.empty() ? "the Job has no Pod" : "no Pod of the Job has a terminated agent container"};
}

}  // namespace lifeboat::controllers
