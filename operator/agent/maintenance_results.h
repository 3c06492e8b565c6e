// The result fields of the agent commands other than backup and restore (agent_result.h holds the
// envelope): `verify` (the user's SQL checks, also part of a restore's result), `retention` and
// `check`. Written by the agent, read by the controllers and the tests through these functions
// only; JSON names are those of docs/agent.md, reading is tolerant (result_fields.h). Plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lifeboat::agent {

// One SQL check as it ran.
struct SqlCheckReport {
  std::string name;
  std::string database;
  bool passed = false;
  std::string message;  // Why it failed ("expected 10, got 9"), or empty.
};

nlohmann::json SqlCheckReportsToJson(const std::vector<SqlCheckReport>& checks);
std::vector<SqlCheckReport> ParseSqlCheckReports(const nlohmann::json& checks);

// `agent verify`.
struct VerifyResult {
  std::string database;
  std::vector<SqlCheckReport> checks;
  bool checks_reported = false;  // Read side: the result carried a "checks" list (the checks ran).
};

nlohmann::json VerifyResultToJson(const VerifyResult& result);
VerifyResult ParseVerifyResult(const nlohmann::json& result);

// `agent retention`.
struct RetentionResult {
  std::string policy;
  std::vector<std::string> kept;     // Backup ids.
  std::vector<std::string> removed;  // Backup ids.
  std::int64_t forgotten_data_snapshots = 0;
};

nlohmann::json RetentionResultToJson(const RetentionResult& result);
RetentionResult ParseRetentionResult(const nlohmann::json& result);

// `agent check`.
struct CheckResult {
  std::string read_data_subset;  // Empty: the structure only.
};

nlohmann::json CheckResultToJson(const CheckResult& result);
CheckResult ParseCheckResult(const nlohmann::json& result);

}  // namespace lifeboat::agent
