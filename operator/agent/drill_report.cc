#include "operator/agent/drill_report.h"

#include <algorithm>

#include "operator/agent/drill_objectives.h"
#include "operator/agent/result_fields.h"
#include "operator/agent/sha256.h"

namespace lifeboat::agent {

using nlohmann::json;

namespace {

constexpr int kReportFormat = 1;

json ChecksJson(const std::vector<DrillCheck>& checks) {
  json out = json::array();
  for (const DrillCheck& c : checks) {
    out.push_back({{"name", c.name}, {"type", c.type}, {"expected", c.expected}, {"actual", c.actual},
                   {"passed", c.passed}, {"message", c.message}});
  }
  return out;
}

bool SameSnapshot(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  return a.size() <= b.size() ? b.compare(0, a.size(), a) == 0 : a.compare(0, b.size(), b) == 0;
}

std::string Short(const std::string& id) { return id.substr(0, 8); }

ReportSummary Summarise(const StoredReport& stored, const json& report) {
  ReportSummary s;
  s.snapshot_id = stored.snapshot_id;
  s.time = stored.time;
  s.sha256 = Sha256Hex(stored.content);
  s.run = fields::String(report, "run");
  s.result = fields::String(report, "result");
  s.reason = fields::String(report, "reason");
  const json measurements = report.value("measurements", json::object());
  s.rto_seconds = fields::Number(measurements, "rtoSeconds");
  s.rpo_seconds = fields::Number(measurements, "rpoSeconds");
  const json objectives = report.value("objectives", json::object());
  if (objectives.is_object() && objectives.contains("met") && objectives["met"].is_boolean()) {
    s.objectives_met = objectives["met"].get<bool>();
  }
  const json previous = report.value("previousReport", json());
  if (previous.is_object()) s.previous_sha256 = fields::String(previous, "sha256");
  return s;
}

}  // namespace

StatusOr<DrillIdentity> ParseDrillIdentity(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size() || text.find('/', slash + 1) != std::string::npos ||
      text.substr(0, slash).find('.') != std::string::npos) {
    return InvalidArgumentError("a drill is named <namespace>/<name>, got \"" + text + "\"");
  }
  return DrillIdentity{text.substr(0, slash), text.substr(slash + 1)};
}

std::string SerializeDrillReport(const DrillReport& r) {
  json sources = json::array();
  for (const DrillSource& s : r.fields.sources) {
    sources.push_back({{"target", s.target}, {"backupId", s.backup_id}, {"backupTime", s.backup_time}});
  }
  json measurements{{"rtoSeconds", r.fields.rto_seconds},
                    {"fetchSeconds", r.fields.fetch_seconds},
                    {"restoreSeconds", r.fields.restore_seconds},
                    {"verifySeconds", r.fields.verify_seconds}};
  if (r.fields.rpo_seconds) measurements["rpoSeconds"] = *r.fields.rpo_seconds;
  const ObjectivesVerdict verdict =
      JudgeObjectives(r.rto_objective, r.fields.rto_seconds, r.rpo_objective, r.fields.rpo_seconds);
  json objectives{{"rto", r.rto_objective}, {"rpo", r.rpo_objective}};
  objectives["met"] = verdict.met ? json(*verdict.met) : json();
  if (!verdict.missed.empty()) objectives["missed"] = verdict.missed;
  json report{{"kind", "DrillReport"},
              {"format", kReportFormat},
              {"drill", {{"namespace", r.drill.ns}, {"name", r.drill.name}}},
              {"run", r.run},
              {"trigger", r.trigger},
              {"result", r.result},
              {"reason", r.reason},
              {"message", r.message},
              {"startTime", r.start_time},
              {"completionTime", r.completion_time},
              {"agentVersion", r.agent_version},
              {"policy", r.fields.policy},
              {"repository", r.fields.repository},
              {"serverVersion", r.fields.server_version},
              {"sources", sources},
              {"checks", ChecksJson(r.checks)},
              {"checksTotal", r.fields.checks_total},
              {"checksFailed", r.fields.checks_failed},
              {"measurements", measurements},
              {"objectives", objectives}};
  if (r.fields.recovery) report["recovery"] = DrillRecoveryToJson(*r.fields.recovery);
  report["previousReport"] =
      r.previous ? json{{"snapshotId", r.previous->snapshot_id}, {"sha256", r.previous->sha256}} : json();
  return report.dump(2) + "\n";
}

ReportChain VerifyReportChain(std::vector<StoredReport> reports, const std::string& expected_newest_sha256) {
  std::stable_sort(reports.begin(), reports.end(), [](const StoredReport& a, const StoredReport& b) { return a.time < b.time; });
  ReportChain chain;
  auto problem = [&](ReportSummary& s, const std::string& text) {
    s.problem = text;
    chain.problems.push_back("report " + Short(s.snapshot_id) + " (" + s.time + "): " + text);
  };
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const StoredReport& stored = reports[i];
    const json report = json::parse(stored.content, nullptr, /*allow_exceptions=*/false);
    ReportSummary s = Summarise(stored, report.is_object() ? report : json::object());
    if (!report.is_object() || fields::String(report, "kind") != "DrillReport") {
      problem(s, "is not a readable drill report (altered?)");
      chain.reports.push_back(std::move(s));
      continue;
    }
    const json previous = report.value("previousReport", json());
    const std::string previous_id = previous.is_object() ? fields::String(previous, "snapshotId") : "";
    if (i == 0) {
      if (!previous_id.empty()) {
        problem(s, "follows report " + Short(previous_id) + " (sha256 " + s.previous_sha256.substr(0, 12) +
                       "…), which is not in the repository: deleted");
      }
    } else {
      const ReportSummary& before = chain.reports.back();
      if (previous_id.empty()) {
        problem(s, "names no previous report, but report " + Short(before.snapshot_id) + " precedes it");
      } else if (s.previous_sha256 != before.sha256) {
        const bool present = std::any_of(reports.begin(), reports.end(),
                                         [&](const StoredReport& r) { return SameSnapshot(r.snapshot_id, previous_id); });
        problem(s, present ? "follows report " + Short(previous_id) + ", whose content no longer has sha256 " +
                                 s.previous_sha256.substr(0, 12) + "…: altered"
                           : "follows report " + Short(previous_id) + " (sha256 " + s.previous_sha256.substr(0, 12) +
                                 "…), which is not in the repository: deleted or replaced");
      }
    }
    chain.reports.push_back(std::move(s));
  }
  if (!expected_newest_sha256.empty()) {
    if (chain.reports.empty()) {
      chain.problems.push_back("the newest report (sha256 " + expected_newest_sha256.substr(0, 12) +
                               "…) named by the drill's status is not in the repository: deleted");
    } else if (chain.reports.back().sha256 != expected_newest_sha256) {
      chain.problems.push_back("the newest report in the repository (" + Short(chain.reports.back().snapshot_id) +
                               ") is not the one the drill's status names (sha256 " +
                               expected_newest_sha256.substr(0, 12) + "…): deleted or altered");
    }
  }
  return chain;
}

json ReportChainToJson(const ReportChain& chain) {
  json reports = json::array();
  for (const ReportSummary& s : chain.reports) {
    json r{{"snapshotId", s.snapshot_id}, {"time", s.time},   {"run", s.run},
           {"result", s.result},          {"sha256", s.sha256}, {"previousSha256", s.previous_sha256}};
    if (!s.reason.empty()) r["reason"] = s.reason;
    if (s.rto_seconds) r["rtoSeconds"] = *s.rto_seconds;
    if (s.rpo_seconds) r["rpoSeconds"] = *s.rpo_seconds;
    if (s.objectives_met) r["objectivesMet"] = *s.objectives_met;
    if (!s.problem.empty()) r["problem"] = s.problem;
    reports.push_back(std::move(r));
  }
  return json{{"reports", reports}, {"chainIntact", chain.intact()}, {"problems", chain.problems}};
}

}  // namespace lifeboat::agent
