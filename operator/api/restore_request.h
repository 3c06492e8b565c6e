// RestoreRequest (lifeboat.dev/v1alpha1): a one-shot restore runbook. The C++ form of
// crds/lifeboat.dev.restorerequests.yaml: the spec as parsed (schema defaults filled in), its
// semantic validation (including `confirm` for Replace), the spec-immutability check the
// operator enforces, and the status (serialize + parse). Plain values; thread-compatible.
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

inline constexpr char kRestoreRequestKind[] = "RestoreRequest";

// Condition types (and kConditionSucceeded from common_status.h).
inline constexpr char kConditionValidated[] = "Validated";
inline constexpr char kConditionBlocked[] = "Blocked";
inline constexpr char kConditionSpecChanged[] = "SpecChanged";

// The runbook's steps, in order: RestoreSteps(spec).
inline constexpr char kStepValidate[] = "Validate";
inline constexpr char kStepQuiesce[] = "Quiesce";
inline constexpr char kStepSafetyBackup[] = "SafetyBackup";
inline constexpr char kStepRestoreDatabase[] = "RestoreDatabase";
inline constexpr char kStepSwapDatabase[] = "SwapDatabase";
inline constexpr char kStepRestoreMedia[] = "RestoreMedia";
inline constexpr char kStepPostRestore[] = "PostRestore";
inline constexpr char kStepVerify[] = "Verify";
inline constexpr char kStepRollBack[] = "RollBack";
inline constexpr char kStepResume[] = "Resume";

// status.phase.
inline constexpr char kPhasePending[] = "Pending";
inline constexpr char kPhaseWaiting[] = "Waiting";
inline constexpr char kPhaseRunning[] = "Running";
inline constexpr char kPhaseSucceeded[] = "Succeeded";
inline constexpr char kPhaseFailed[] = "Failed";

// How a Replace of a database proceeds.
inline constexpr char kStrategySwap[] = "Swap";        // Restore beside the live one, verify, rename in.
inline constexpr char kStrategyInPlace[] = "InPlace";  // Drop, then restore (no room for two copies).

struct RestoreSource {
  std::string policy_name;                // spec.source.policyRef.name
  std::optional<Repository> repository;   // spec.source.repository (inline)
  std::optional<WallTime> before;
};

struct DatabaseTarget {
  PostgresConnection connection;
  std::string database;
  std::string source_database;  // Empty: same as database.
  std::string mode = "NewDatabase";  // NewDatabase | Replace
  std::string confirm;
  std::string backup_id;
  std::int64_t jobs = 2;
  std::string strategy = kStrategySwap;  // With Replace: Swap | InPlace.
  // Non-empty: restore everything owned by this role (no roles created), for servers where the
  // restoring user may not create roles.
  std::string owner;
  // Swap: how long the replaced database is kept (as <database>_before_<request>) for a rollback.
  std::string keep_previous_for = "24h";
  // A failed restore keeps its half-restored database as <database>_failed_<request> (else dropped).
  bool keep_failed = false;
  // Point-in-time recovery instead of a dump: "latest", an RFC 3339 time or "lsn:X/Y"
  // (operator/core/recovery_target.h). The policy's newest base backup before it is recovered in
  // the restore Job's scratch space, its archived WAL replayed up to the target, and
  // SourceDatabase() of the recovered cluster restored like a dump. Exclusive with backup_id.
  std::string recovery_target;
  // With recovery_target: only these tables ("schema.table", or "table" in public). With Replace
  // they are replaced inside the live database in one transaction; the other tables stay as they are.
  std::vector<std::string> tables;

  bool PointInTime() const { return !recovery_target.empty(); }
  // Replace of single tables: neither a Swap nor an InPlace drop of the database.
  bool ReplacesTables() const { return mode == "Replace" && !tables.empty(); }
  bool Swaps() const { return mode == "Replace" && strategy == kStrategySwap && tables.empty(); }
  bool InPlace() const { return mode == "Replace" && strategy == kStrategyInPlace && tables.empty(); }

  const std::string& SourceDatabase() const { return source_database.empty() ? database : source_database; }
};

struct MediaTarget {
  std::string source_name;
  std::string claim_name;
  std::string sub_path;
  std::string mode = "Merge";  // Merge | Replace
  std::string backup_id;
  // Who the Job writing this volume runs as (as for a BackupPolicy's media source), and the owner
  // every restored file is given; with `owner` the Job runs as that user unless securityContext
  // says otherwise, so no privilege is needed to apply it.
  std::optional<SecurityContext> security_context;
  std::optional<WorkloadRef> workload;
  std::optional<FileOwnerSpec> owner;
};

struct Quiesce {
  std::vector<WorkloadRef> workloads;
  std::int64_t timeout_seconds = 300;
};

struct EnvVar {
  std::string name;
  std::optional<std::string> value;
  std::optional<SecretKeyRef> secret_key_ref;
  std::optional<SecretKeyRef> config_map_key_ref;  // name + key of a ConfigMap.
};

struct PostRestoreJob {
  std::string name;
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> args;
  std::vector<EnvVar> env;
  std::vector<std::string> env_from_secrets;
  std::vector<std::string> env_from_config_maps;
  std::string service_account_name;
  std::int64_t active_deadline_seconds = 600;
  std::int64_t backoff_limit = 0;
};

struct RestoreVerify {
  bool row_counts = true;
  bool table_checksums = true;
  bool file_checksums = true;
  std::vector<SqlCheck> sql;
};

struct RestoreRequestSpec {
  RestoreSource source;
  std::optional<DatabaseTarget> database;
  std::vector<MediaTarget> media;
  std::optional<Quiesce> quiesce;
  std::optional<bool> safety_backup_enabled;  // Unset: on when any target is Replace.
  std::vector<PostRestoreJob> post_restore;
  RestoreVerify verify;
  PodSettings pod_settings;

  // Whether a safety backup is taken (explicit setting, else: any target is Replace).
  bool SafetyBackupEnabled() const;
  // The steps of this restore, in order. A Swap restores the database before the quiesce (the
  // application keeps running while the copy is made and verified) and swaps it in after the
  // safety backup; every other restore quiesces first.
  std::vector<std::string> Steps() const;
  // "database/<host>:<port>/<name>" and "media/<claim>[/<subPath>]": what two requests must not
  // restore at once.
  std::vector<std::string> TargetKeys() const;
};

struct QuiescedWorkload {
  std::string kind;
  std::string name;
  std::int64_t replicas = 0;
  friend bool operator==(const QuiescedWorkload&, const QuiescedWorkload&) = default;
};

struct RestoredBackup {
  std::string target;  // database/<name> or media/<claim>
  BackupRef backup;
  friend bool operator==(const RestoredBackup&, const RestoredBackup&) = default;
};

// The database a Swap replaced, kept for a rollback until keepUntil, then dropped.
struct PreviousDatabase {
  std::string name;
  std::optional<WallTime> keep_until;
  std::optional<WallTime> dropped_time;
  std::string message;  // Why it could not be dropped, when it could not.
  friend bool operator==(const PreviousDatabase&, const PreviousDatabase&) = default;
};

// A point-in-time recovery as the restore Job reported it (status.recovery): the target asked for
// and the point actually reached. Times as the agent wrote them (RFC 3339, microseconds).
struct RecoveryStatus {
  std::string target;               // spec.database.recoveryTarget
  std::string reached_time;         // The last replayed commit's time: the point actually reached.
  std::string reached_lsn;          // Where the WAL replay ended.
  std::string base_backup_id;       // The base backup recovered.
  std::string base_backup_time;     // When it became consistent.
  std::string last_recoverable_time;  // How far the archive reached when the restore ran.
  std::int64_t wal_snapshots = 0;   // WAL snapshots fetched from the repository.
  std::vector<std::string> tables;  // Only these tables were restored (empty: the whole database).
  friend bool operator==(const RecoveryStatus&, const RecoveryStatus&) = default;
};

struct RestoreRequestStatus {
  std::optional<std::int64_t> observed_generation;
  std::optional<std::int64_t> started_generation;
  // The spec as the restore started with it (status.startedSpec); the restore follows it to the end.
  std::optional<nlohmann::json> started_spec;
  std::string phase;  // Pending | Waiting | Running | Succeeded | Failed
  std::string current_step;
  std::vector<Condition> conditions;
  std::optional<WallTime> start_time;
  std::optional<WallTime> completion_time;
  std::string duration;
  std::vector<Step> steps;
  std::vector<QuiescedWorkload> quiesced_workloads;
  std::vector<BackupRef> safety_backups;
  std::vector<RestoredBackup> restored_backups;
  std::string backup_age;
  std::vector<CheckResult> checks;
  std::vector<std::string> roles_created;  // Roles the restore created on the target server.
  std::optional<PreviousDatabase> previous_database;
  std::optional<RecoveryStatus> recovery;  // spec.database.recoveryTarget only.

  // Succeeded or Failed: the restore is over.
  bool Final() const { return phase == kPhaseSucceeded || phase == kPhaseFailed; }
  friend bool operator==(const RestoreRequestStatus&, const RestoreRequestStatus&) = default;
};

struct RestoreRequest {
  ObjectMeta metadata;
  RestoreRequestSpec spec;
  RestoreRequestStatus status;
};

RestoreRequest ParseRestoreRequest(const nlohmann::json& object, FieldErrors* errors);
void ValidateRestoreRequestSpec(const RestoreRequestSpec& spec, FieldErrors* errors);
FieldErrors CheckRestoreRequest(const nlohmann::json& object, RestoreRequest* out = nullptr);

// The spec is immutable once the restore has started (status.startedGeneration set): a 1.24
// schema cannot say so without CEL, so the operator enforces it. Returns the message for the
// SpecChanged condition, or "" when the spec is unchanged (or the restore has not started).
std::string SpecChangeAfterStart(const RestoreRequest& request);

nlohmann::json RestoreRequestStatusToJson(const RestoreRequestStatus& status);
RestoreRequestStatus ParseRestoreRequestStatus(const nlohmann::json& status, FieldErrors* errors);

}  // namespace lifeboat::api
