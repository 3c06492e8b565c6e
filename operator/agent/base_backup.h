// BaseBackup: one physical base backup of a database cluster into the repository, over the
// replication protocol only (the server's configuration and files are never touched):
// `pg_basebackup` writes a plain-format copy (with the WAL needed to make it consistent) into
// scratch space, `pg_verifybackup` checks every file against the backup's own manifest, and
// restic stores the folder — file by file, so the relation files that did not change since the
// last base backup deduplicate. The snapshot's tags carry the WAL range and the time it became
// consistent (wal_archive.h), so a recovery plan needs no manifest download.
// Scratch space must hold the whole cluster once. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/agent/backup_runner.h"
#include "operator/agent/manifest.h"
#include "operator/agent/process_runner.h"
#include "operator/agent/restic_client.h"
#include "operator/core/clock.h"

namespace lifeboat::agent {

struct BaseBackupRequest {
  std::string source = "cluster";
  PgConnectionConfig pg;
  std::string work_dir = "/tmp";
  std::string postgres_root = "/usr/lib/postgresql";  // <major>/bin/pg_verifybackup
  std::string backup_id;
};

// What backup_label says about where the backup starts.
struct BackupLabel {
  std::uint64_t start_lsn = 0;
  std::uint32_t timeline = 0;
};
StatusOr<BackupLabel> ParseBackupLabel(const std::string& text);
// The end of the WAL a backup needs: the last "End-LSN" of backup_manifest's "WAL-Ranges".
StatusOr<std::uint64_t> BackupManifestEndLsn(const std::string& manifest_json);
// pg_control begins with the system identifier (a 64-bit integer in the machine's byte order).
StatusOr<std::string> SystemIdentifierFromControlFile(const std::string& pg_control_bytes);

class BaseBackupTaker {
 public:
  BaseBackupTaker(ResticClient& restic, ProcessRunner& runner, const Clock& clock, LogSink log)
      : restic_(restic), runner_(runner), clock_(clock), log_(std::move(log)) {}

  // `tags`: the run's tags for the data snapshot (the WAL tags are added). On failure `reason` says
  // which step (BaseBackupFailed, BaseBackupVerificationFailed, RepositoryFailed) and the scratch
  // copy is removed; the snapshot id (if one was written) is in out->snapshot_id.
  Status Take(const BaseBackupRequest& request, SnapshotOptions options, BaseBackupRecord* out, std::string* reason);

 private:
  ResticClient& restic_;
  ProcessRunner& runner_;
  const Clock& clock_;
  LogSink log_;
};

}  // namespace lifeboat::agent
