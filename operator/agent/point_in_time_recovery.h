// PointInTimeRecovery: a throwaway PostgreSQL server in scratch space, recovered to a target from
// the policy's base backups and archived WAL (wal_archive.h). The newest base backup that can
// reach the target is restored as the data folder, the WAL snapshots it needs are fetched into a
// local folder (recovery's restore_command only copies from there, so replay never waits on the
// repository), and the server replays up to the target, then promotes. The production server's
// configuration files are kept aside: the scratch server runs with its own (a Unix socket only,
// trust authentication, no archiving, no preloaded libraries) so nothing of production — its
// extensions, TLS files or archive_command — is needed or run.
//
// PostgreSQL ends a recovery to a time only at the first commit after it; when the archive holds
// WAL past the target (its "until" says so) but no later commit, recovery ends early with
// "recovery ended before configured recovery target was reached": every commit in the archive is
// then before the target, so replaying all of it is exactly the wanted state, and the server is
// started again without a target. Otherwise the target is not reached: RecoveryTargetNotReached
// with the last recoverable time. Not thread-safe; one recovery per object.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "operator/agent/backup_runner.h"
#include "operator/agent/command_context.h"
#include "operator/agent/manifest.h"
#include "operator/agent/restic_client.h"
#include "operator/agent/wal_archive.h"

namespace lifeboat::agent {

struct RecoveryRequest {
  std::string policy;                   // Whose base backups and WAL (lifeboat-policy tag).
  RecoveryTarget target;
  std::string work_dir = "/tmp";        // <work_dir>/lifeboat-recovery holds data, wal, socket, log.
  std::string postgres_root = "/usr/lib/postgresql";
};

struct RecoveryOutcome {
  Status status;
  std::string reason;  // BaseBackupNotFound, RecoveryTargetNotReached, FetchFailed, DatabaseVersionUnsupported, RecoveryFailed
  std::string base_backup_id;
  std::string base_consistent_time;
  std::string reached_time;     // The last replayed commit's time (RFC 3339, microseconds); empty if none.
  std::string reached_lsn;      // Where replay ended.
  std::string archive_until;    // How far the fetched WAL is known to reach.
  std::string server_version;
  int wal_snapshots = 0;
  double fetch_seconds = 0;
  double replay_seconds = 0;
  bool replayed_to_end = false;  // The archive ended before the first commit after the target.
};

class PointInTimeRecovery {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  PointInTimeRecovery(ResticClient& restic, ProcessRunner& runner, const PgConnectorFactory& connect_pg,
                      const Clock& clock, LogSink log, Sleep sleep)
      : restic_(restic), runner_(runner), connect_pg_(connect_pg), clock_(clock), log_(std::move(log)), sleep_(std::move(sleep)) {}
  ~PointInTimeRecovery();
  PointInTimeRecovery(const PointInTimeRecovery&) = delete;
  PointInTimeRecovery& operator=(const PointInTimeRecovery&) = delete;

  // Recovers and leaves the server running (Connection()) until Stop() or destruction.
  RecoveryOutcome Recover(const RecoveryRequest& request);
  PgConnectionConfig Connection() const;
  void Stop();

 private:
  Status Fetch(const RecoveryPlan& plan, RecoveryOutcome* outcome);
  Status FetchWal(const RecoveryPlan& plan, const std::filesystem::path& wal, RecoveryOutcome* outcome);
  Status Configure(const RecoveryRequest& request, bool with_target);
  Status StartServer(RecoveryOutcome* outcome);
  std::string LogText() const;

  ResticClient& restic_;
  ProcessRunner& runner_;
  const PgConnectorFactory& connect_pg_;
  const Clock& clock_;
  LogSink log_;
  Sleep sleep_;
  std::string dir_;
  std::string bin_dir_;
  bool running_ = false;
};

// The recovery settings for a target (the lines of the scratch server's configuration that say
// where to stop): recovery_target_time / recovery_target_lsn, or nothing for latest.
std::vector<std::string> RecoveryTargetSettings(const RecoveryTarget& target);

// What a recovered server's log says when it ended recovery: true when it ran out of WAL before the
// target ("recovery ended before configured recovery target was reached").
bool RecoveryEndedBeforeTarget(const std::string& server_log);

// A recovered database described as a backup's manifest entry would describe it (tables with row
// counts, optionally checksums; owner and roles; the server's version), so a restore from the
// recovered server is verified exactly like a restore from a dump. `tables`: only these
// ("schema.table" or "table" for public); empty: all. Without `measure` the tables are only listed
// (no verification asked: counting would cost a full read for nothing).
StatusOr<DatabaseBackup> DescribeRecoveredDatabase(PgConnector& server, const std::string& database,
                                                   const std::vector<std::string>& tables, bool checksums,
                                                   bool measure = true);

}  // namespace lifeboat::agent
