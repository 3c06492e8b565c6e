// BackupPolicy (lifeboat.dev/v1alpha1): scheduled PostgreSQL and media backups into a restic
// repository. This header is the C++ form of the CRD in crds/lifeboat.dev.backuppolicies.yaml:
// the spec as parsed (schema defaults filled in), its semantic validation, and the status the
// controller writes (serialize + parse for a lossless round trip). Plain values;
// thread-compatible.
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

inline constexpr char kBackupPolicyKind[] = "BackupPolicy";
// The name of the database source in status and history (media sources use their own names).
inline constexpr char kDatabaseSourceName[] = "database";

// method BaseBackup: how the WAL streamer (docs/wal-archiving.md) runs.
struct WalArchiving {
  std::string upload_interval = "60s";  // The segment being written is uploaded at least this often.
  std::string slot_name;                // Empty: WalSlotName() of the policy.
  std::string buffer_size = "1Gi";      // The streamer's buffer volume (emptyDir sizeLimit).
  friend bool operator==(const WalArchiving&, const WalArchiving&) = default;
};

struct DatabaseSource {
  // Dump: pg_dump of each database (+ globals). BaseBackup: physical base backups of the whole
  // cluster on the schedule plus continuous WAL archiving (point-in-time recovery).
  std::string method = "Dump";
  WalArchiving wal_archiving;  // BaseBackup only.
  PostgresConnection connection;
  std::vector<std::string> databases;
  std::string format = "Custom";  // Custom | Directory
  std::int64_t jobs = 1;
  bool globals = true;
  bool table_checksums = false;
  std::string schedule;    // Empty: spec.schedule.
  std::string target_rpo;  // Empty: spec.targetRPO.
};

struct MediaSource {
  std::string name;
  std::string claim_name;
  std::string sub_path;
  std::vector<std::string> exclude;
  std::string schedule;    // Empty: spec.schedule.
  std::string target_rpo;  // Empty: spec.targetRPO.
  // Who the Job reading this volume runs as: these fields first, then the workload's pod
  // securityContext, then spec.podSettings.securityContext (controllers/common/run_as.h).
  std::optional<SecurityContext> security_context;
  std::optional<WorkloadRef> workload;  // The Deployment or StatefulSet that owns the volume.
};

struct Retention {
  std::optional<std::int64_t> keep_last, keep_hourly, keep_daily, keep_weekly, keep_monthly, keep_yearly;
  std::string keep_within;  // Duration text; empty if unset.
  bool Empty() const {
    return !keep_last && !keep_hourly && !keep_daily && !keep_weekly && !keep_monthly && !keep_yearly &&
           keep_within.empty();
  }
};

struct Verification {
  bool enabled = true;
  std::string read_data_subset = "5%";
};

struct BackupPolicySpec {
  std::string schedule;
  std::string time_zone = "UTC";
  bool suspend = false;
  std::optional<std::int64_t> starting_deadline_seconds;
  std::string concurrency_policy = "Forbid";  // Forbid | Replace
  std::optional<DatabaseSource> database;
  std::vector<MediaSource> media;
  Repository repository;
  std::optional<Retention> retention;
  std::optional<Verification> verification;
  std::string target_rpo;  // Duration text; empty if unset.
  PodSettings pod_settings;
  std::int64_t history_limit = 20;
  std::int64_t successful_jobs_history_limit = 3;
  std::int64_t failed_jobs_history_limit = 3;

  // One entry per source with the schedule and RPO objective in effect for it: the database
  // first (named kDatabaseSourceName), then the media sources in order.
  struct SourceSchedule {
    std::string name;
    std::string type;  // "Database" | "Media"
    std::string schedule;
    std::string target_rpo;  // Empty: no objective.
  };
  std::vector<SourceSchedule> Sources() const;
};

struct BackupRun {
  std::string id;
  std::string source;
  std::string trigger;  // Scheduled | OnDemand
  std::optional<WallTime> scheduled_time;
  std::optional<WallTime> start_time;
  std::optional<WallTime> completion_time;
  std::string result;  // Running | Succeeded | Failed
  std::optional<std::int64_t> size_bytes;
  std::vector<std::string> snapshot_ids;
  std::string job_name;
  std::string message;
  friend bool operator==(const BackupRun&, const BackupRun&) = default;
};

struct BackupSourceStatus {
  std::string name;
  std::string type;  // Database | Media
  std::string schedule;
  std::optional<WallTime> last_schedule_time;
  std::optional<WallTime> next_schedule_time;
  std::optional<std::int64_t> missed_runs;
  std::optional<BackupRef> last_successful_backup;
  std::string rpo;         // Duration text.
  std::string target_rpo;  // Duration text.
  friend bool operator==(const BackupSourceStatus&, const BackupSourceStatus&) = default;
};

// The newest drill run (DRDrill) that proved this policy's backups restorable.
struct LastVerified {
  std::optional<WallTime> time;  // When that run completed.
  std::string drill;             // The DRDrill's name (same namespace).
  std::string run;
  std::string backup_id;         // The backup it restored (the oldest, when sources came from several).
  std::string result;            // Succeeded
  std::optional<bool> objectives_met;
  friend bool operator==(const LastVerified&, const LastVerified&) = default;
};

// method BaseBackup: the WAL streamer as the controller sees it.
struct WalArchiveStatus {
  std::string streamer;  // The Deployment.
  std::string slot;      // The replication slot on the database server.
  std::string state;     // Waiting | Starting | Running | Unavailable
  std::string message;
  // From the streamer's own report (its status ConfigMap; docs/wal-archiving.md "Status"):
  std::optional<WallTime> first_recoverable_time;  // The oldest point a recovery can reach.
  std::optional<WallTime> last_recoverable_time;   // The newest: the database source's recovery point.
  std::string last_segment;                        // The newest WAL file uploaded.
  std::optional<WallTime> last_upload_time;
  std::optional<std::int64_t> lag_bytes;           // WAL the server has flushed that the streamer has not.
  std::string gap;                                 // "<from LSN>-<to LSN>": a hole after the newest base backup.
  std::optional<WallTime> reported_time;           // When the streamer last reported.
  std::string last_error;
  friend bool operator==(const WalArchiveStatus&, const WalArchiveStatus&) = default;
};

struct BackupPolicyStatus {
  std::optional<std::int64_t> observed_generation;
  std::vector<Condition> conditions;
  std::optional<WallTime> last_schedule_time;
  std::optional<WallTime> next_schedule_time;
  std::optional<BackupRef> last_successful_backup;
  std::string current_rpo;  // Duration text.
  std::string last_on_demand_token;
  std::vector<BackupSourceStatus> sources;
  std::vector<BackupRun> history;  // Newest first.
  std::optional<LastVerified> last_verified;
  std::optional<WalArchiveStatus> wal_archive;
  friend bool operator==(const BackupPolicyStatus&, const BackupPolicyStatus&) = default;
};

struct BackupPolicy {
  ObjectMeta metadata;
  BackupPolicySpec spec;
  BackupPolicyStatus status;
};

// Condition types of this kind (and kConditionReady from common_status.h).
inline constexpr char kConditionLastBackupSucceeded[] = "LastBackupSucceeded";
inline constexpr char kConditionRPOMet[] = "RPOMet";
inline constexpr char kConditionWalStreaming[] = "WalStreaming";  // method BaseBackup only.

// Reads a whole BackupPolicy object; type, required and enum errors go to `errors`.
BackupPolicy ParseBackupPolicy(const nlohmann::json& object, FieldErrors* errors);
// The semantic rules: schedules and time zone, durations, sources, cross-field rules.
void ValidateBackupPolicySpec(const BackupPolicySpec& spec, FieldErrors* errors);
// Parse + validate: the errors a controller reports in Ready=False (empty when valid).
FieldErrors CheckBackupPolicy(const nlohmann::json& object, BackupPolicy* out = nullptr);

nlohmann::json BackupPolicyStatusToJson(const BackupPolicyStatus& status);
BackupPolicyStatus ParseBackupPolicyStatus(const nlohmann::json& status, FieldErrors* errors);

}  // namespace lifeboat::api
