// AgentRunResult: what an agent Job reported, read from its Pod's termination message (the compact
// JSON result of `lifeboat agent ...`, schema version 1, see docs/agent.md). Parsing is tolerant of
// fields it does not know and of "truncated" results; a message that is not a schema-1 result is
// an error the controller records as such. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat::controllers {

struct AgentSnapshot {
  std::string source;  // The agent's source name (database name or media source).
  std::string snapshot_id;
  std::optional<std::int64_t> size_bytes;
};

struct AgentRunResult {
  std::string command;  // backup, restore, catalog, retention, check
  bool succeeded = false;
  std::string reason;
  std::string message;
  std::string backup_id;
  std::optional<WallTime> start_time;
  std::optional<WallTime> end_time;
  std::optional<double> duration_seconds;
  std::optional<std::int64_t> size_bytes;
  std::string manifest_snapshot_id;
  std::vector<AgentSnapshot> databases;
  std::vector<AgentSnapshot> media;
  std::string retention_error;   // Retention after the backup failed (the backup itself is good).
  std::optional<int> retention_removed;
  std::optional<bool> check_ok;  // Post-backup repository check, when it ran.
  nlohmann::json raw;            // The whole result (catalog and restore fields live here).
};

// Parses a termination message. InvalidArgument when it is not JSON or not a schema-1 result.
StatusOr<AgentRunResult> ParseAgentRunResult(const std::string& termination_message);

// The termination message of container `container` in a Pod (state.terminated, else
// lastState.terminated); nullopt while it has not terminated.
std::optional<std::string> TerminationMessage(const nlohmann::json& pod, const std::string& container);

// What the Pods of a finished agent Job say: the result in the termination message of `container`
// in the newest Pod where it terminated, or (result unset) why there is none, e.g. no Pod, an empty
// message, or a message that is not a result (FallbackToLogsOnError puts the log's tail there).
struct PodsAgentResult {
  std::optional<AgentRunResult> result;
  std::string error;
};
PodsAgentResult AgentResultFromPods(std::vector<nlohmann::json> pods, const std::string& container);

}  // namespace lifeboat::controllers
