// DrillReport: the evidence a drill leaves in the repository, so it survives the cluster. Each run
// stores one JSON report (drill, policy, backups, every check, RTO, RPO, objectives, times, agent
// version) as its own snapshot, tagged with the drill; each report carries the SHA-256 and snapshot
// id of the previous report of the same drill, so the reports form a hash chain. VerifyReportChain
// reads a drill's reports back and names any that was deleted or altered. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/agent/drill_result.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

inline constexpr const char* kDrillReportPath = "/lifeboat/drill-report.json";

// Which drill a report belongs to: its namespace and name, as the tag value "<namespace>.<name>"
// (a namespace has no dots, so the first dot separates them).
struct DrillIdentity {
  std::string ns;
  std::string name;
  std::string TagValue() const { return ns + "." + name; }
};
// "<namespace>/<name>" (as kubectl writes it).
StatusOr<DrillIdentity> ParseDrillIdentity(const std::string& text);

// The link from a report to the one before it.
struct ReportLink {
  std::string snapshot_id;
  std::string sha256;
};

struct DrillReport {
  DrillIdentity drill;
  std::string run;      // The run's id (its Job's name).
  std::string trigger;  // Scheduled | OnDemand | Created | Manual
  std::string result;   // Succeeded | Failed
  std::string reason;
  std::string message;
  std::string start_time;       // RFC 3339
  std::string completion_time;  // RFC 3339
  std::string agent_version;
  std::string rto_objective;  // Duration text, empty when unset.
  std::string rpo_objective;
  DrillResult fields;              // Policy, sources, measurements (its bounded check list is not used).
  std::vector<DrillCheck> checks;  // Every check of the run.
  std::optional<ReportLink> previous;
};

// The bytes stored in the repository (stable: sorted keys, 2-space indent, a final newline). The
// chain hashes exactly these bytes.
std::string SerializeDrillReport(const DrillReport& report);

// A report as read back from the repository, with the snapshot that holds it.
struct StoredReport {
  std::string snapshot_id;  // Full id.
  std::string time;         // The snapshot's time (RFC 3339).
  std::string content;
};

struct ReportSummary {
  std::string snapshot_id;
  std::string time;
  std::string run;
  std::string result;
  std::string reason;
  std::optional<double> rto_seconds;
  std::optional<double> rpo_seconds;
  std::optional<bool> objectives_met;
  std::string sha256;
  std::string previous_sha256;
  std::string problem;  // Empty when this report is where the chain says it should be.
};

struct ReportChain {
  std::vector<ReportSummary> reports;  // Oldest first.
  std::vector<std::string> problems;   // One line each; empty: the chain is intact.
  bool intact() const { return problems.empty(); }
};

// Verifies the chain of one drill's reports (any order; sorted by time here). `expected_newest_sha256`
// (from the drill's status; optional) catches a deleted or altered newest report, which no later
// report links to.
ReportChain VerifyReportChain(std::vector<StoredReport> reports, const std::string& expected_newest_sha256);

nlohmann::json ReportChainToJson(const ReportChain& chain);

}  // namespace lifeboat::agent
