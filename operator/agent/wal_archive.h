// WalArchive: the continuous-archiving side of a repository, read from snapshot tags alone (one
// `restic snapshots` call), and the questions asked of it: how far back and how far forward can
// the policy recover (the recoverability window), is the WAL chain broken, and which base backup
// and which WAL a recovery to a target needs.
//
// Layout (docs/wal-archiving.md says why): the WAL streamer groups consecutive segments of one
// timeline; each upload is a restic snapshot of the whole group so far (its completed segments,
// the segment still being written as "<segment>.partial", and every timeline history file), which
// supersedes the group's earlier snapshots. A recovery therefore restores one snapshot per group.
// Tags of a WAL snapshot (besides lifeboat, lifeboat-policy, lifeboat-role=wal):
//   lifeboat-wal-system=<system identifier>   the database cluster the WAL belongs to
//   lifeboat-wal-group=<first segment file>   the group (its timeline is the name's first 8 digits)
//   lifeboat-wal-last=<last segment file>     the newest segment in the snapshot
//   lifeboat-wal-partial=true|false           whether that segment is still incomplete
//   lifeboat-wal-end=<X-Y>                    the WAL position the snapshot holds everything before
//   lifeboat-wal-until=<unix ms>              everything the server had flushed by then is in it
//                                             (absent while the streamer lags behind the server)
// A base backup's data snapshot (lifeboat-role=basebackup) carries lifeboat-wal-system,
// lifeboat-wal-start and lifeboat-wal-end (its WAL range) and lifeboat-wal-consistent=<unix ms>
// (when it finished: the earliest time it can be recovered to).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "operator/agent/catalog.h"
#include "operator/agent/restic_output.h"
#include "operator/agent/wal_names.h"
#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

inline constexpr const char* kRoleWal = "wal";
inline constexpr const char* kRoleBaseBackup = "basebackup";
inline constexpr const char* kTagWalSystem = "lifeboat-wal-system";
inline constexpr const char* kTagWalGroup = "lifeboat-wal-group";
inline constexpr const char* kTagWalLast = "lifeboat-wal-last";
inline constexpr const char* kTagWalPartial = "lifeboat-wal-partial";
inline constexpr const char* kTagWalStart = "lifeboat-wal-start";
inline constexpr const char* kTagWalEnd = "lifeboat-wal-end";
inline constexpr const char* kTagWalUntil = "lifeboat-wal-until";
inline constexpr const char* kTagWalConsistent = "lifeboat-wal-consistent";

// One uploaded WAL snapshot.
struct WalBatch {
  std::string snapshot_id;
  std::string time;                 // Upload time as restic recorded it.
  std::string system_id;
  std::string group;                // First segment file of the group.
  std::uint32_t timeline = 0;
  std::uint64_t first_segno = 0;
  std::uint64_t last_segno = 0;
  bool last_partial = false;
  std::uint64_t end_lsn = 0;        // Holds all WAL of its timeline from the group's start up to here.
  std::optional<WallTime> until;    // Everything the server had flushed by this time is in the snapshot.
};

// The tags of a WAL snapshot (with the lifeboat, policy and role tags).
std::vector<std::string> WalBatchTags(const std::string& policy, const WalBatch& batch);
// A WAL snapshot read back; InvalidArgument when a tag is missing or malformed.
StatusOr<WalBatch> WalBatchFromSnapshot(const ResticSnapshot& snapshot,
                                        std::uint64_t segment_size = kDefaultWalSegmentSize);

// A base backup as the chain sees it. It holds the WAL from its start to its end itself, so it
// recovers to its consistent time alone; archived WAL from its end on takes it further.
struct BaseBackupPoint {
  std::string backup_id;
  std::string snapshot_id;
  std::string system_id;
  std::uint64_t start_lsn = 0;      // Recovery starts reading WAL here.
  std::uint64_t end_lsn = 0;        // Consistent once WAL up to here is replayed.
  WallTime consistent_time;         // When the backup finished.
};

// The tags a base backup's data snapshot adds to its run tags.
std::vector<std::string> BaseBackupTags(const BaseBackupPoint& base);

// WAL snapshots (newest per group) and complete base backups of `policy` in a repository listing;
// snapshots of other policies or with unreadable tags are skipped (their problems in `skipped`).
struct WalArchiveListing {
  std::vector<BaseBackupPoint> base_backups;  // Oldest first.
  std::vector<WalBatch> batches;              // Newest snapshot of each group, by position.
  std::vector<WalBatch> superseded;           // Older snapshots of a group (safe to forget).
  std::vector<std::string> skipped;
};
WalArchiveListing ListWalArchive(const std::vector<ResticSnapshot>& snapshots, const std::string& policy,
                                 std::uint64_t segment_size = kDefaultWalSegmentSize);

// A stretch of WAL that no snapshot holds, after a base backup that needs it.
struct WalGap {
  std::uint64_t from_lsn = 0;  // The chain ends here ...
  std::uint64_t to_lsn = 0;    // ... and the next WAL the archive holds starts here.
};

struct RecoveryWindow {
  std::optional<WallTime> first_recoverable;  // The oldest base backup whose chain reaches consistency.
  std::optional<WallTime> last_recoverable;   // The furthest point any chain reaches.
  std::uint64_t last_lsn = 0;                 // Where that chain ends.
  std::string last_segment;                   // The newest segment file uploaded (any chain).
  // The WAL after the newest usable base backup has a hole: newer WAL exists that no recovery can
  // reach until the next base backup.
  std::optional<WalGap> gap;
};
RecoveryWindow AnalyzeRecoveryWindow(const WalArchiveListing& archive,
                                     std::uint64_t segment_size = kDefaultWalSegmentSize);

// The window as JSON (catalog output and results): firstRecoverableTime, lastRecoverableTime,
// lastLsn, lastSegment, baseBackups, walGroups, supersededUploads and gap {fromLsn, toLsn}.
nlohmann::json RecoveryWindowJson(const RecoveryWindow& window, const WalArchiveListing& archive);

// Retention of the archive: the WAL snapshots to forget — every superseded upload of a group, and
// every group that ends before the oldest complete base backup of its database cluster ends (no
// recovery can use it: that base backup carries its own WAL up to its end, and older ones are
// gone). WAL of a cluster with no base backup left is kept (it is not this function's to judge).
std::vector<std::string> SelectWalSnapshotsToForget(const WalArchiveListing& archive);

// Where a recovery should stop: "latest", an RFC 3339 time, or "lsn:0/3009310"
// (operator/core/recovery_target.h, shared with the RestoreRequest's validation).
using ::lifeboat::DescribeRecoveryTarget;
using ::lifeboat::ParseRecoveryTarget;
using ::lifeboat::RecoveryTarget;

struct RecoveryPlan {
  BaseBackupPoint base;
  std::vector<WalBatch> batches;              // To restore in this order (later files win).
  std::optional<WallTime> archive_until;      // How far the fetched WAL is known to reach in time.
  std::uint64_t archive_end_lsn = 0;
};
// The newest base backup that can reach `target` and the WAL snapshots it needs. Errors:
// NotFound (no usable base backup finished before the target) and FailedPrecondition (the archive
// ends before the target: RecoveryTargetNotReached; the message names the last recoverable time).
StatusOr<RecoveryPlan> PlanRecovery(const WalArchiveListing& archive, const RecoveryTarget& target,
                                    std::uint64_t segment_size = kDefaultWalSegmentSize);

}  // namespace lifeboat::agent
