#include "operator/agent/drill_result.h"

#include <algorithm>

#include "operator/agent/result_fields.h"

namespace lifeboat::agent {

using nlohmann::json;

void AddDrillCheck(DrillResult& result, DrillCheck check) {
  ++result.checks_total;
  if (!check.passed) ++result.checks_failed;
  if (result.checks.size() >= kMaxReportedChecks) {
    // A failure replaces the last passed check shown; a pass is only counted.
    auto passed = std::find_if(result.checks.rbegin(), result.checks.rend(), [](const DrillCheck& c) { return c.passed; });
    if (check.passed || passed == result.checks.rend()) return;
    result.checks.erase(std::next(passed).base());
  }
  auto first_passed = std::find_if(result.checks.begin(), result.checks.end(), [](const DrillCheck& c) { return c.passed; });
  result.checks.insert(check.passed ? result.checks.end() : first_passed, std::move(check));
}

json DrillRecoveryToJson(const DrillRecovery& r) {
  return {{"target", r.target},         {"baseBackupId", r.base_backup_id}, {"reachedTime", r.reached_time},
          {"reachedLsn", r.reached_lsn}, {"archiveUntil", r.archive_until},  {"walSnapshots", r.wal_snapshots},
          {"replaySeconds", r.replay_seconds}};
}

json DrillResultToJson(const DrillResult& r) {
  json sources = json::array(), checks = json::array();
  for (const DrillSource& s : r.sources) {
    sources.push_back({{"target", s.target}, {"backupId", s.backup_id}, {"backupTime", s.backup_time}});
  }
  for (const DrillCheck& c : r.checks) {
    checks.push_back({{"name", c.name}, {"type", c.type}, {"expected", c.expected}, {"actual", c.actual},
                      {"passed", c.passed}, {"message", c.message}});
  }
  json j{{"policy", r.policy},
         {"repository", r.repository},
         {"serverVersion", r.server_version},
         {"sources", sources},
         {"checks", checks},
         {"checksTotal", r.checks_total},
         {"checksFailed", r.checks_failed},
         {"rtoSeconds", r.rto_seconds},
         {"fetchSeconds", r.fetch_seconds},
         {"restoreSeconds", r.restore_seconds},
         {"verifySeconds", r.verify_seconds}};
  if (r.rpo_seconds) j["rpoSeconds"] = *r.rpo_seconds;
  if (r.recovery) j["recovery"] = DrillRecoveryToJson(*r.recovery);
  if (!r.report_snapshot_id.empty()) {
    j["report"] = {{"snapshotId", r.report_snapshot_id}, {"sha256", r.report_sha256},
                   {"previousSha256", r.previous_report_sha256}};
  }
  return j;
}

DrillResult ParseDrillResult(const json& j) {
  DrillResult r;
  if (!j.is_object()) return r;
  r.policy = fields::String(j, "policy");
  r.repository = fields::String(j, "repository");
  r.server_version = fields::String(j, "serverVersion");
  for (const json& s : fields::Objects(j, "sources")) {
    r.sources.push_back({fields::String(s, "target"), fields::String(s, "backupId"), fields::String(s, "backupTime")});
  }
  for (const json& c : fields::Objects(j, "checks")) {
    r.checks.push_back({fields::String(c, "name"), fields::String(c, "type"), fields::String(c, "expected"),
                        fields::String(c, "actual"), fields::Flag(c, "passed"), fields::String(c, "message")});
  }
  r.checks_total = fields::Integer(j, "checksTotal").value_or(0);
  r.checks_failed = fields::Integer(j, "checksFailed").value_or(0);
  auto number = [&](const char* key) { return fields::Number(j, key); };
  r.rto_seconds = number("rtoSeconds").value_or(0);
  r.fetch_seconds = number("fetchSeconds").value_or(0);
  r.restore_seconds = number("restoreSeconds").value_or(0);
  r.verify_seconds = number("verifySeconds").value_or(0);
  r.rpo_seconds = number("rpoSeconds");
  if (j.contains("recovery") && j["recovery"].is_object()) {
    const json& x = j["recovery"];
    r.recovery = DrillRecovery{fields::String(x, "target"),       fields::String(x, "baseBackupId"),
                               fields::String(x, "reachedTime"),  fields::String(x, "reachedLsn"),
                               fields::String(x, "archiveUntil"), fields::Integer(x, "walSnapshots").value_or(0),
                               fields::Number(x, "replaySeconds").value_or(0)};
  }
  if (j.contains("report") && j["report"].is_object()) {
    const json& report = j["report"];
    r.report_snapshot_id = fields::String(report, "snapshotId");
    r.report_sha256 = fields::String(report, "sha256");
    r.previous_report_sha256 = fields::String(report, "previousSha256");
  }
  return r;
}

}  // namespace lifeboat::agent
