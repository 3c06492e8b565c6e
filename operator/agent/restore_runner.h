// RestoreRunner: the body of `lifeboat agent restore`. Finds the backup's manifest in the
// repository, creates the roles the backup's objects need that the target server lacks (from the
// backup's globals: role_plan.h) or restores everything owned by one given role, restores one
// database (streamed into `pg_restore`, post-data with `pg_restore -j`; directory-format dumps are
// restored as a directory) where DecideTargetDatabase says (a staging database for NewDatabase and
// a Swap Replace, the target itself for an InPlace Replace), verifies row counts and checksums
// against the manifest and runs the user's SQL checks; a verified NewDatabase then takes the
// target's name. A failed restore drops the staging database it created (or keeps it under a given
// name). Then restores one media source into a target path (Merge or Replace).
// Not thread-safe; one run at a time.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/agent/backup_runner.h"
#include "operator/agent/restore_decision.h"
#include "operator/agent/restore_result.h"
#include "operator/agent/verification.h"

namespace lifeboat::agent {

struct RestoreRequest {
  std::string backup_id;
  PgConnectionConfig pg;
  std::string maintenance_database = "postgres";  // Where CREATE/DROP DATABASE run.
  std::string database_source;     // Which database of the backup; empty: the only one.
  std::string target_database;     // Empty: no database restore.
  DatabaseRestoreMode mode = DatabaseRestoreMode::kNewDatabase;
  ReplaceStrategy strategy = ReplaceStrategy::kSwap;  // With Replace.
  bool safety_backup_done = false;
  // Where NewDatabase and a Swap Replace restore before the rename; empty: StagingDatabaseName().
  std::string staging_database;
  // "<namespace>/<name>" of the RestoreRequest: marks the databases this restore made.
  std::string request_marker = "manual";
  // Create the roles the backup needs that the target lacks (from the globals).
  bool create_roles = true;
  // Non-empty: restore everything owned by this role instead (pg_restore --no-owner
  // --no-privileges --role); no role is created.
  std::string owner;
  // Non-empty: a failed restore keeps its staging database under this name instead of dropping it.
  std::string keep_failed_as;
  int jobs = 2;
  std::string media_source;        // Which media source; empty with media_target: the only one.
  std::string media_target;        // Empty: no media restore.
  MediaRestoreMode media_mode = MediaRestoreMode::kMerge;
  // Set: every restored file and folder is given this owner (the runbook's `chown -R`); unset: the
  // owner recorded in the backup, where the Job's user may give it.
  std::optional<MediaFileOwner> media_owner;
  bool verify = true;
  bool table_checksums = true;  // With verify: also compare the manifest's table checksums (where it has them).
  std::vector<SqlCheck> checks;
  std::string work_dir = "/tmp";
  // Point-in-time recovery only (RunFromServer): restore only these tables ("schema.table", or
  // "table" in public). With Replace they are replaced inside the existing target database in one
  // transaction (pg_restore --clean --single-transaction); the other tables stay as they are.
  std::vector<std::string> tables;
};

// The staging database of a restore into `target` when none is given ("<target>_restoring",
// shortened with a hash to PostgreSQL's 63 bytes).
std::string StagingDatabaseName(const std::string& target);

struct RestoreOutcome {
  Status status;
  std::string reason;              // BackupNotFound, TargetExists, RestoreFailed, VerificationFailed, ...
  std::string backup_time;         // The restored backup's start time (for RPO).
  std::string policy;
  DatabaseRestoreReport database;  // What was restored and verified (when a database was the target).
  MediaRestoreReport media;        // ... and for media.
  std::vector<SqlCheckReport> checks;
  std::vector<std::string> mismatches;                  // Human-readable, first ones.
};

Status ValidateRestoreRequest(const RestoreRequest& request);

class RestoreRunner {
 public:
  RestoreRunner(ResticClient& restic, PgConnector& pg, ProcessRunner& runner, const Clock& clock, LogSink log)
      : restic_(restic), pg_(pg), runner_(runner), clock_(clock), log_(std::move(log)) {}

  RestoreOutcome Run(const RestoreRequest& request);

  // Produces a database's custom-format dump on stdout (pg_dump from a recovered server).
  using DumpProducer = std::function<ProcessSpec(const DatabaseBackup& db)>;
  // The same restore, guards and verification from a live source instead of the repository: a
  // recovered server's database (point_in_time_recovery.h), described by `manifest` (its tables
  // measured there), its dump produced by `producer`. Databases only.
  RestoreOutcome RunFromServer(const RestoreRequest& request, const Manifest& manifest, DumpProducer producer);

 private:
  RestoreOutcome RunWith(const RestoreRequest& request, const Manifest& manifest);
  Status RestoreDatabase(const RestoreRequest& request, const Manifest& manifest, RestoreOutcome* outcome);
  Status ReplaceTables(const RestoreRequest& request, const DatabaseBackup& db, RestoreOutcome* outcome);
  Status PrepareRoles(PgSession& admin, const RestoreRequest& request, const Manifest& manifest,
                      const DatabaseBackup& db, RestoreOutcome* outcome, std::string* database_owner);
  Status PrepareDatabase(PgSession& admin, const RestoreRequest& request, const Manifest& manifest,
                         const std::string& owner, const std::string& into, RestoreOutcome* outcome);
  Status LoadDump(const RestoreRequest& request, const Manifest& manifest, const DatabaseBackup& db,
                  const std::string& into, RestoreOutcome* outcome);
  Status VerifyDatabase(const RestoreRequest& request, const DatabaseBackup& db, const std::string& into,
                        RestoreOutcome* outcome);
  void DiscardStaging(PgSession& admin, const RestoreRequest& request, const std::string& staging, RestoreOutcome* outcome);
  Status PrepareMediaTarget(const RestoreRequest& request, RestoreOutcome* outcome);
  Status RestoreMedia(const RestoreRequest& request, const Manifest& manifest, RestoreOutcome* outcome);
  std::vector<std::string> PgArgs(const PgConnectionConfig& pg) const;

  ResticClient& restic_;
  PgConnector& pg_;
  ProcessRunner& runner_;
  const Clock& clock_;
  LogSink log_;
  DumpProducer producer_;  // Set: dumps come from it, not from the repository.
};

// Reads a backup's manifest from the repository with one restic call (NotFound when there is no
// such backup; the newest manifest when a retried run left two).
StatusOr<Manifest> LoadManifest(ResticClient& restic, const std::string& backup_id);

}  // namespace lifeboat::agent
