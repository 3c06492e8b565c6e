// DrillResult: what `lifeboat agent drill` reports (agent_result.h holds the envelope), read back by
// the DRDrill controller: which backup each source was restored from, every check with expected,
// actual and passed (bounded: failed checks first, then the others up to kMaxReportedChecks, with the
// totals), and the measured RTO (split into fetch, restore and verify) and RPO. JSON names are those
// of docs/agent.md; reading is tolerant (result_fields.h). Plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lifeboat::agent {

inline constexpr std::size_t kMaxReportedChecks = 40;

struct DrillCheck {
  std::string name;   // "shop tables", "public.orders_pkey", "uploads files", a SQL check's name
  std::string type;   // Restore | RowCount | TableChecksum | Amcheck | SQL | FileChecksum
  std::string expected;
  std::string actual;
  bool passed = false;
  std::string message;
};

struct DrillSource {
  std::string target;  // "database:shop" | "media:uploads"
  std::string backup_id;
  std::string backup_time;  // The backup's start (its consistent point): the RPO.
};

struct DrillResult {
  std::string policy;
  std::string repository;
  std::string server_version;  // Of the scratch server.
  std::vector<DrillSource> sources;
  std::vector<DrillCheck> checks;
  std::int64_t checks_total = 0;
  std::int64_t checks_failed = 0;
  double rto_seconds = 0;  // Job start → data restored and checked.
  double fetch_seconds = 0;
  double restore_seconds = 0;
  double verify_seconds = 0;
  std::optional<double> rpo_seconds;  // Drill start − the oldest restored backup's start.
  std::string report_snapshot_id;      // The report stored in the repository (drill_report.h).
  std::string report_sha256;
  std::string previous_report_sha256;  // Empty for a drill's first report.
};

// Adds a check, keeping failed ones first and at most kMaxReportedChecks in the list.
void AddDrillCheck(DrillResult& result, DrillCheck check);

nlohmann::json DrillResultToJson(const DrillResult& result);
DrillResult ParseDrillResult(const nlohmann::json& result);

}  // namespace lifeboat::agent
