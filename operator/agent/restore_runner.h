// RestoreRunner: the body of `lifeboat agent restore`. Finds the backup's manifest in the
// repository, restores one database (restic dump of the custom-format file to local disk, then
// parallel `pg_restore -j`; directory-format dumps are restored as a directory) into a target
// prepared per DecideTargetDatabase, optionally replays the globals, restores one media source into
// a target path (Merge or Replace), then verifies row counts and checksums against the manifest and
// runs the user's SQL checks. Not thread-safe; one run at a time.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/agent/backup_runner.h"
#include "operator/agent/restore_decision.h"
#include "operator/agent/verification.h"

namespace lifeboat::agent {

struct RestoreRequest {
  std::string backup_id;
  PgConnectionConfig pg;
  std::string maintenance_database = "postgres";  // Where CREATE/DROP DATABASE run.
  std::string database_source;     // Which database of the backup; empty: the only one.
  std::string target_database;     // Empty: no database restore.
  DatabaseRestoreMode mode = DatabaseRestoreMode::kNewDatabase;
  bool safety_backup_done = false;
  bool globals = false;
  bool no_owner = false;
  int jobs = 2;
  std::string media_source;        // Which media source; empty with media_target: the only one.
  std::string media_target;        // Empty: no media restore.
  MediaRestoreMode media_mode = MediaRestoreMode::kMerge;
  bool verify = true;
  std::vector<SqlCheck> checks;
  std::string work_dir = "/tmp";
};

struct RestoreOutcome {
  Status status;
  std::string reason;              // BackupNotFound, TargetExists, RestoreFailed, VerificationFailed, ...
  std::string backup_time;         // The restored backup's start time (for RPO).
  std::string policy;
  nlohmann::json database = nlohmann::json::object();   // What was restored and verified.
  nlohmann::json media = nlohmann::json::object();
  nlohmann::json checks = nlohmann::json::array();
  std::vector<std::string> mismatches;                  // Human-readable, first ones.
};

Status ValidateRestoreRequest(const RestoreRequest& request);

class RestoreRunner {
 public:
  RestoreRunner(ResticClient& restic, PgConnector& pg, ProcessRunner& runner, const Clock& clock, LogSink log)
      : restic_(restic), pg_(pg), runner_(runner), clock_(clock), log_(std::move(log)) {}

  RestoreOutcome Run(const RestoreRequest& request);

 private:
  Status RestoreDatabase(const RestoreRequest& request, const Manifest& manifest, RestoreOutcome* outcome);
  Status RestoreMedia(const RestoreRequest& request, const Manifest& manifest, RestoreOutcome* outcome);
  std::vector<std::string> PgArgs(const PgConnectionConfig& pg) const;

  ResticClient& restic_;
  PgConnector& pg_;
  ProcessRunner& runner_;
  const Clock& clock_;
  LogSink log_;
};

// Reads a backup's manifest from the repository with one restic call (NotFound when there is no
// such backup; the newest manifest when a retried run left two).
StatusOr<Manifest> LoadManifest(ResticClient& restic, const std::string& backup_id);

}  // namespace lifeboat::agent
