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

// A drill to a recovery target (--recovery-target latest): the policy's base backup and archived
// WAL recovered into the scratch server. reached_time is the last replayed commit: the true RPO is
// the drill's start minus it.
struct DrillRecovery {
  std::string target;          // "latest" (or a time, lsn:X/Y) as asked.
  std::string base_backup_id;
  std::string reached_time;    // RFC 3339, microseconds; empty when no commit was replayed.
  std::string reached_lsn;
  std::string archive_until;   // The last recoverable time the archive knew of.
  std::int64_t wal_snapshots = 0;
  double replay_seconds = 0;
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
  std::optional<double> rpo_seconds;  // Drill start − the oldest restored backup's start (a recovery: its reached time).
  std::optional<DrillRecovery> recovery;
  std::string report_snapshot_id;      // The report stored in the repository (drill_report.h).
  std::string report_sha256;
  std::string previous_report_sha256;  // Empty for a drill's first report.
};

// Adds a check, keeping failed ones first and at most kMaxReportedChecks in the list.
void AddDrillCheck(DrillResult& result, DrillCheck check);

nlohmann::json DrillResultToJson(const DrillResult& result);
nlohmann::json DrillRecoveryToJson(const DrillRecovery& recovery);  // Also the stored report's "recovery".
DrillResult ParseDrillResult(const nlohmann::json& result);

}  // namespace lifeboat::agent
