// DRDrill (lifeboat.dev/v1alpha1): a scheduled (or one-shot) restore rehearsal of a
// BackupPolicy's newest backups into scratch space, with checks and RTO/RPO objectives. The C++
// form of crds/lifeboat.dev.drdrills.yaml: spec parse + validation, status serialize + parse.
// Plain values; thread-compatible.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/api/common_spec.h"
#include "operator/api/common_status.h"
#include "operator/api/field_errors.h"
#include "operator/api/object_meta.h"

namespace lifeboat::api {

inline constexpr char kDRDrillKind[] = "DRDrill";
inline constexpr char kConditionLastDrillSucceeded[] = "LastDrillSucceeded";
inline constexpr char kConditionObjectivesMet[] = "ObjectivesMet";

struct DrillChecks {
  bool row_counts = true;
  bool table_checksums = true;
  bool amcheck = true;
  bool heap = false;  // verify_heapam on every table.
  bool file_checksums = true;
  std::vector<SqlCheck> sql;
};

struct DRDrillSpec {
  std::string schedule;  // Empty: one run when the DRDrill is created.
  std::string time_zone = "UTC";
  bool suspend = false;
  std::optional<std::int64_t> starting_deadline_seconds;
  std::string policy_name;
  std::vector<std::string> sources;  // Empty: all of the policy's sources.
  // "latest": rehearse a point-in-time recovery of the policy's base backups and archived WAL (a
  // policy with method BaseBackup) to the newest archived point instead of restoring dumps; the
  // measured RPO is then the drill's start minus the last replayed commit. Empty: dumps.
  std::string recovery_target;
  std::string postgres_size_limit = "10Gi";
  std::string media_size_limit = "10Gi";
  std::string media_storage_class_name;
  DrillChecks checks;
  std::string objective_rto;  // Duration text; empty if unset.
  std::string objective_rpo;
  std::int64_t history_limit = 10;
  PodSettings pod_settings;
};

// The run's report in the repository (`lifeboat agent reports` verifies their chain).
struct DrillReportRef {
  std::string snapshot_id;
  std::string sha256;
  friend bool operator==(const DrillReportRef&, const DrillReportRef&) = default;
};

// A run that rehearsed a point-in-time recovery: how far the archived WAL brought it.
struct DrillRunRecovery {
  std::string target;          // spec.recoveryTarget
  std::string reached_time;    // The last replayed commit (RFC 3339, microseconds): the RPO is measured to it.
  std::string base_backup_id;
  friend bool operator==(const DrillRunRecovery&, const DrillRunRecovery&) = default;
};

struct DrillRun {
  std::string id;
  std::string trigger;  // Scheduled | OnDemand | Created
  std::optional<WallTime> start_time;
  std::optional<WallTime> completion_time;
  std::string result;  // Running | Succeeded | Failed
  std::string job_name;
  std::vector<BackupRef> backups;
  std::string measured_rto;
  std::string measured_rpo;
  std::optional<bool> objectives_met;
  std::optional<std::int64_t> checks_passed;
  std::optional<std::int64_t> checks_failed;
  std::string message;
  std::optional<DrillReportRef> report;
  std::vector<CheckResult> checks;  // Only in lastRun; history entries keep the counts.
  std::optional<DrillRunRecovery> recovery;
  friend bool operator==(const DrillRun&, const DrillRun&) = default;
};

struct DRDrillStatus {
  std::optional<std::int64_t> observed_generation;
  std::vector<Condition> conditions;
  std::optional<WallTime> last_schedule_time;
  std::optional<WallTime> next_schedule_time;
  std::optional<std::int64_t> missed_runs;
  std::string last_on_demand_token;
  std::optional<DrillRun> last_run;
  std::vector<DrillRun> history;  // Newest first, without per-check detail.
  friend bool operator==(const DRDrillStatus&, const DRDrillStatus&) = default;
};

struct DRDrill {
  ObjectMeta metadata;
  DRDrillSpec spec;
  DRDrillStatus status;
};

DRDrill ParseDRDrill(const nlohmann::json& object, FieldErrors* errors);
void ValidateDRDrillSpec(const DRDrillSpec& spec, FieldErrors* errors);
FieldErrors CheckDRDrill(const nlohmann::json& object, DRDrill* out = nullptr);

nlohmann::json DRDrillStatusToJson(const DRDrillStatus& status);
DRDrillStatus ParseDRDrillStatus(const nlohmann::json& status, FieldErrors* errors);

}  // namespace lifeboat::api
