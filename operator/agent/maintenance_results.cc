#include "operator/agent/maintenance_results.h"

#include "operator/agent/result_fields.h"

namespace lifeboat::agent {

using nlohmann::json;

json SqlCheckReportsToJson(const std::vector<SqlCheckReport>& checks) {
  json out = json::array();
  for (const SqlCheckReport& c : checks) {
    out.push_back({{"name", c.name}, {"database", c.database}, {"passed", c.passed}, {"message", c.message}});
  }
  return out;
}

std::vector<SqlCheckReport> ParseSqlCheckReports(const json& checks) {
  std::vector<SqlCheckReport> out;
  if (!checks.is_array()) return out;
  for (const json& c : checks) {
    if (!c.is_object()) continue;
    out.push_back({fields::String(c, "name"), fields::String(c, "database"), fields::Flag(c, "passed"),
                   fields::String(c, "message")});
  }
  return out;
}

json VerifyResultToJson(const VerifyResult& result) {
  return {{"database", result.database}, {"checks", SqlCheckReportsToJson(result.checks)}};
}

VerifyResult ParseVerifyResult(const json& result) {
  VerifyResult r;
  if (!result.is_object()) return r;
  r.database = fields::String(result, "database");
  if (auto it = result.find("checks"); it != result.end() && it->is_array()) {
    r.checks = ParseSqlCheckReports(*it);
    r.checks_reported = true;
  }
  return r;
}

json RetentionResultToJson(const RetentionResult& result) {
  return {{"policy", result.policy},
          {"kept", result.kept},
          {"removed", result.removed},
          {"forgottenDataSnapshots", result.forgotten_data_snapshots}};
}

RetentionResult ParseRetentionResult(const json& result) {
  RetentionResult r;
  if (!result.is_object()) return r;
  r.policy = fields::String(result, "policy");
  r.kept = fields::Strings(result, "kept");
  r.removed = fields::Strings(result, "removed");
  r.forgotten_data_snapshots = fields::Integer(result, "forgottenDataSnapshots").value_or(0);
  return r;
}

json CheckResultToJson(const CheckResult& result) { return {{"readDataSubset", result.read_data_subset}}; }

CheckResult ParseCheckResult(const json& result) {
  CheckResult r;
  if (result.is_object()) r.read_data_subset = fields::String(result, "readDataSubset");
  return r;
}

}  // namespace lifeboat::agent
