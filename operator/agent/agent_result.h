// AgentResult: the compact JSON result of one agent command, written to the Kubernetes termination
// message file (limit kTerminationMessageLimit bytes) for the operator to parse, and printed as the
// last stdout line. Schema (version 1) documented in docs/agent.md. Pure; thread-compatible.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::agent {

inline constexpr std::size_t kTerminationMessageLimit = 4096;
inline constexpr int kResultSchemaVersion = 1;

struct AgentResult {
  std::string command;       // "backup" | "restore" | "catalog" | "retention" | "check"
  Status status;             // Ok -> "Succeeded"; otherwise "Failed".
  std::string reason;        // CamelCase; defaults to the status code name ("PermissionDenied", ...).
  std::string backup_id;
  std::string start_time;    // RFC 3339.
  std::string end_time;
  double duration_seconds = 0;
  nlohmann::json fields = nlohmann::json::object();  // Command-specific top-level fields.
};

// The JSON document; `reason` "Completed" on success unless set.
nlohmann::json AgentResultJson(const AgentResult& result);

// Serialises the result within `limit` bytes: when too long, drops trailing elements of the longest
// arrays first (setting "truncated": true), then shortens the message. Always valid JSON.
std::string RenderTerminationMessage(const AgentResult& result, std::size_t limit = kTerminationMessageLimit);

// Exit code of the agent process for a result: 0 success, 1 failure of the work, 2 bad input.
int ExitCodeFor(const Status& status);

}  // namespace lifeboat::agent
