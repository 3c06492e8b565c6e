// WalStreamer: the body of `lifeboat agent wal-stream`, the long-running process of a policy's WAL
// streamer Deployment. It keeps `pg_receivewal` running against the database server with a
// physical replication slot (created when missing), writing into <buffer>/wal with --synchronous
// (so the slot only advances over WAL that is on the buffer's disk), and uploads the current
// group of segments (wal_upload_plan.h) into the policy's repository: at once when a segment
// completes, and at least every `upload_interval` with the segment still being written, so even a
// quiet database's recovery point is at most about one interval old.
//
// Each upload first asks the server how far it has flushed WAL (IDENTIFY_SYSTEM) and waits
// briefly until the slot shows the receiver has it; only then does the snapshot claim, in its
// "until" tag, that everything the server had flushed at that moment is in the archive.
//
// A fresh buffer (a new Pod) first gets the archive's newest segment back from the repository
// (and the history files), so pg_receivewal resumes where the archive ends and the chain has no
// gap; a new group starts at that segment. When the server no longer
// has the WAL the archive needs (the slot was dropped or lost), the streamer says so (a gap, which
// the archive and the policy's status report) and starts again where the server is.
//
// On cancellation (SIGTERM) pg_receivewal is stopped and the group uploaded one last time.
// Not thread-safe; Run() once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "operator/agent/backup_runner.h"
#include "operator/agent/cancellation.h"
#include "operator/agent/pg_session.h"
#include "operator/agent/process_runner.h"
#include "operator/agent/replication_connection.h"
#include "operator/agent/restic_client.h"
#include "operator/core/clock.h"

namespace lifeboat::agent {

struct WalStreamOptions {
  std::string policy;                          // Tags the snapshots (lifeboat-policy).
  PgConnectionConfig pg;
  std::string slot;
  std::string buffer_dir;                      // pg_receivewal writes <buffer>/wal; uploads stage in <buffer>/upload.
  std::chrono::seconds upload_interval{60};
  std::uint64_t group_segments = 16;
  std::chrono::milliseconds tick{1000};         // How often the folder is looked at.
  std::chrono::milliseconds catch_up_wait{3000};  // How long an upload waits for the receiver to reach the server.
  std::string status_file;                     // Written (atomically) after every change when set.
  // How often the streamer lists the archive to report its recoverability window (also at the
  // start, after a group is sealed and after a gap).
  std::chrono::seconds archive_review_interval{120};
  std::string bin_dir;                         // Where pg_receivewal is; empty: PATH.
};

// Validates the slot name (PostgreSQL: 1..63 of [a-z0-9_]), interval and group size.
Status ValidateWalStreamOptions(const WalStreamOptions& options);

// What the streamer reports about itself (its status file; the operator's view of the streamer).
struct WalStreamStatus {
  std::string slot;
  std::string system_id;
  std::uint32_t server_timeline = 0;
  std::string server_lsn;          // The server's flushed WAL at the last look.
  std::string received_lsn;        // The slot's restart_lsn: what the buffer holds.
  std::uint64_t lag_bytes = 0;     // server - received.
  bool receiving = false;          // pg_receivewal is running.
  std::uint64_t receiver_restarts = 0;
  std::string group;
  std::string last_segment;        // The newest segment file in the last upload.
  std::string last_snapshot;
  std::string last_upload_time;    // RFC 3339.
  std::string last_uploaded_lsn;
  std::string recoverable_until;   // RFC 3339: the last upload's "until".
  std::uint64_t uploads = 0;
  std::uint64_t gaps = 0;          // Times the server no longer had the WAL the archive needed.
  // The archive as a recovery sees it (wal_archive.h AnalyzeRecoveryWindow), at the last review.
  std::string first_recoverable_time;  // RFC 3339; empty: no base backup reaches consistency yet.
  std::string last_recoverable_time;   // RFC 3339 (microseconds).
  std::uint64_t base_backups = 0;
  std::string gap_from_lsn;            // Non-empty: the chain after the newest base backup has a hole.
  std::string gap_to_lsn;
  std::string archive_reviewed_time;
  std::string last_error;
  std::string last_error_time;
  std::string updated;
};
nlohmann::json WalStreamStatusToJson(const WalStreamStatus& status);

class WalStreamer {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  WalStreamer(ResticClient& restic, ProcessRunner& runner, const Clock& clock, LogSink log, Sleep sleep,
              const Cancellation& cancellation)
      : restic_(restic),
        runner_(runner),
        clock_(clock),
        log_(std::move(log)),
        sleep_(std::move(sleep)),
        cancellation_(cancellation) {}

  // Called after every status change with the new status (the status ConfigMap; see
  // wal_stream_command.h). On the streamer's thread: it should not block for long.
  void OnPublish(std::function<void(const WalStreamStatus&)> publish) { on_publish_ = std::move(publish); }

  // Streams until cancelled. Returns Ok after a clean stop with the last upload done; an error when
  // the repository or the server's identity cannot be reached at the start, or the last upload failed.
  Status Run(const WalStreamOptions& options);

  WalStreamStatus CurrentStatus() const;

 private:
  Status Prepare(const WalStreamOptions& options, ReplicationConnection& server);
  Status ResumeFromArchive(const WalStreamOptions& options);
  Status EnsureSlot(const WalStreamOptions& options, ReplicationConnection& server);
  // Drops the slot so that EnsureSlot creates it afresh (after a gap: see Run).
  Status DropSlot(const WalStreamOptions& options);
  // Lists the archive and records its recoverability window in the status (a failure is logged:
  // the previous window stays).
  void ReviewArchive(const WalStreamOptions& options);
  // One upload of the current group (and the seal that may follow). `final`: the receiver is stopped.
  Status Upload(const WalStreamOptions& options, ReplicationConnection& server, bool final);
  std::vector<std::string> ListBuffer(const WalStreamOptions& options) const;
  void Fail(const std::string& what, const Status& status);
  void Publish(const WalStreamOptions& options);

  ResticClient& restic_;
  ProcessRunner& runner_;
  const Clock& clock_;
  LogSink log_;
  Sleep sleep_;
  const Cancellation& cancellation_;

  mutable std::mutex mutex_;  // Guards status_ (the receiver thread updates `receiving`).
  WalStreamStatus status_;
  std::string group_;                           // The group being filled ("" until the first segment).
  std::uint64_t uploaded_completed_ = 0;        // Completed segments of the group in its last upload.
  std::optional<SteadyTime> last_upload_;
  bool slot_needs_reset_ = false;  // After a gap: the slot points at WAL the server no longer has.
  std::optional<SteadyTime> last_review_;
  std::optional<SteadyTime> last_publish_;
  std::function<void(const WalStreamStatus&)> on_publish_;
};

}  // namespace lifeboat::agent
