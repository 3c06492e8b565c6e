// BackupRunner: one backup run (the body of `lifeboat agent backup`). For each database: a
// REPEATABLE READ snapshot is exported, `pg_dump --snapshot` streams into `restic backup --stdin`
// (custom format) or writes a directory that restic then backs up (directory format, parallel
// jobs), while row counts (and optional checksums) are measured in the same snapshot; the server's
// globals go into the manifest. Each media source is backed up with restic and scanned. Last, the
// manifest snapshot is written (its restic process is started first so its key derivation overlaps
// the dump). Any failure forgets every snapshot the run wrote and writes no manifest, so nothing of
// a failed run is ever "good". Not thread-safe; one run at a time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "operator/agent/manifest.h"
#include "operator/agent/pg_session.h"
#include "operator/agent/process_runner.h"
#include "operator/agent/restic_client.h"
#include "operator/core/clock.h"

namespace lifeboat::agent {

// level is "info", "warn" or "error"; the sink decides the output format.
using LogSink = std::function<void(const std::string& level, const std::string& message)>;

struct DatabaseSource {
  std::string source;    // Name in the manifest and tags.
  std::string database;
};

struct MediaSource {
  std::string source;
  std::string path;
  std::vector<std::string> excludes;
};

struct BackupRequest {
  std::string backup_id;
  std::string policy;
  std::string run_kind = "on-demand";
  std::vector<std::string> extra_tags;
  PgConnectionConfig pg;
  std::vector<DatabaseSource> databases;
  bool globals = true;
  bool globals_no_role_passwords = false;
  std::string format = "custom";  // "custom" | "directory"
  int compression = 0;             // pg_dump -Z.
  int jobs = 2;                    // pg_dump -j (directory format only).
  bool table_checksums = false;
  std::vector<MediaSource> media;
  bool media_checksums = true;
  std::string work_dir = "/tmp";   // Directory-format dumps and base backups land here before restic reads them.
  // A physical base backup of the whole cluster (base_backup.h), for point-in-time recovery.
  bool base_backup = false;
  std::string base_backup_source = "cluster";
  std::string postgres_root = "/usr/lib/postgresql";  // <major>/bin/pg_verifybackup
  std::string agent_version;
};

struct BackupOutcome {
  Status status;
  std::string reason;                       // On failure: DumpFailed, RepositoryFailed, ...
  Manifest manifest;                        // Filled as far as the run got.
  std::string manifest_snapshot_id;
  std::vector<std::string> forgotten_snapshots;  // Snapshots of a failed run that were removed.
};

// Validates names and options; InvalidArgument naming the flag.
Status ValidateBackupRequest(const BackupRequest& request);

class BackupRunner {
 public:
  BackupRunner(ResticClient& restic, PgConnector& pg, ProcessRunner& runner, const Clock& clock, LogSink log)
      : restic_(restic), pg_(pg), runner_(runner), clock_(clock), log_(std::move(log)) {}

  BackupOutcome Run(const BackupRequest& request);

 private:
  Status BackupDatabase(const BackupRequest& request, const DatabaseSource& source, const SnapshotOptions& options,
                        DatabaseBackup* out, std::vector<std::string>* written, std::string* reason);
  Status DumpCustom(ProcessSpec dump, const SnapshotOptions& options, const DatabaseSource& source, DatabaseBackup* out,
                    std::vector<std::string>* written, std::string* reason);
  Status DumpDirectory(const BackupRequest& request, ProcessSpec dump, const SnapshotOptions& options,
                       const DatabaseSource& source, DatabaseBackup* out, std::vector<std::string>* written,
                       std::string* reason);
  Status BackupMedia(const BackupRequest& request, const MediaSource& source, const SnapshotOptions& options,
                     MediaBackup* out, std::vector<std::string>* written, std::string* reason);
  StatusOr<std::string> DumpGlobals(const BackupRequest& request);
  void AbandonRun(RunningProcess& manifest, const std::vector<std::string>& written, BackupOutcome* outcome);
  Status BackupSources(const BackupRequest& request, const SnapshotOptions& options, Manifest& m,
                       std::vector<std::string>* written, std::string* reason);
  std::vector<std::string> PgArgs(const PgConnectionConfig& pg) const;

  ResticClient& restic_;
  PgConnector& pg_;
  ProcessRunner& runner_;
  const Clock& clock_;
  LogSink log_;
};

}  // namespace lifeboat::agent
