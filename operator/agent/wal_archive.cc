#include "operator/agent/wal_archive.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "operator/agent/snapshot_tags.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace {

std::int64_t UnixMillis(WallTime time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

StatusOr<WallTime> FromUnixMillisTag(const std::string& tag, const std::string& value) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 15) {
    return InvalidArgumentError("tag " + tag + " is not a time in milliseconds: \"" + value + "\"");
  }
  return WallTime(std::chrono::milliseconds(std::stoll(value)));
}

StatusOr<std::uint64_t> LsnTag(const ResticSnapshot& snapshot, const char* tag) {
  auto lsn = ParseLsnTagValue(snapshot.TagValue(tag));
  if (!lsn.ok()) return InvalidArgumentError(std::string("tag ") + tag + ": " + lsn.status().message());
  return *lsn;
}

bool Before(const WalBatch& a, const WalBatch& b) {
  if (a.first_segno != b.first_segno) return a.first_segno < b.first_segno;
  return a.timeline < b.timeline;
}

// How far the WAL snapshots reach from a base backup: consecutive groups (each starting at or
// before where the chain has got to) extend it; the first group that starts later is a gap.
// Every complete base backup is usable on its own (up to the time it became consistent).
struct Chain {
  std::uint64_t covered = 0;         // All WAL before this position is held.
  std::optional<WallTime> until;     // Everything the server had flushed by then is held.
  std::vector<WalBatch> used;
  std::optional<WalGap> gap;

  bool Usable(const BaseBackupPoint& base) const { return covered >= base.end_lsn; }
  // The furthest time a recovery from `base` reaches.
  WallTime Reach(const BaseBackupPoint& base) const {
    return until && *until > base.consistent_time ? *until : base.consistent_time;
  }
};

// A base backup carries the WAL from its start to its end itself (pg_basebackup --wal-method=stream),
// so the chain starts at its end.
Chain Walk(const BaseBackupPoint& base, const std::vector<WalBatch>& batches, std::uint64_t segment_size) {
  Chain chain;
  chain.covered = base.end_lsn;
  for (const auto& batch : batches) {
    if (batch.system_id != base.system_id) continue;
    if (batch.end_lsn <= chain.covered) continue;  // Nothing new (or an older stretch).
    if (SegmentStart(batch.first_segno, segment_size) > chain.covered) {
      chain.gap = WalGap{chain.covered, SegmentStart(batch.first_segno, segment_size)};
      break;
    }
    chain.covered = batch.end_lsn;
    if (batch.until && (!chain.until || *batch.until > *chain.until)) chain.until = batch.until;
    chain.used.push_back(batch);
  }
  return chain;
}

}  // namespace

std::vector<std::string> WalBatchTags(const std::string& policy, const WalBatch& batch) {
  std::vector<std::string> tags = {kTagLifeboat, Tag(kTagPolicy, policy), Tag(kTagRole, kRoleWal),
                                   Tag(kTagWalSystem, batch.system_id), Tag(kTagWalGroup, batch.group),
                                   Tag(kTagWalLast, WalSegmentFileName(batch.timeline, batch.last_segno)),
                                   Tag(kTagWalPartial, batch.last_partial ? "true" : "false"),
                                   Tag(kTagWalEnd, LsnTagValue(batch.end_lsn))};
  if (batch.until) tags.push_back(Tag(kTagWalUntil, std::to_string(UnixMillis(*batch.until))));
  return tags;
}

StatusOr<WalBatch> WalBatchFromSnapshot(const ResticSnapshot& snapshot, std::uint64_t segment_size) {
  WalBatch batch;
  batch.snapshot_id = snapshot.id;
  batch.time = snapshot.time;
  batch.system_id = snapshot.TagValue(kTagWalSystem);
  if (batch.system_id.empty()) return InvalidArgumentError(std::string("tag ") + kTagWalSystem + " is missing");
  batch.group = snapshot.TagValue(kTagWalGroup);
  auto first = ParseWalFileName(batch.group, segment_size);
  if (!first || first->kind != WalFileKind::kSegment) {
    return InvalidArgumentError(std::string("tag ") + kTagWalGroup + " is not a WAL segment name: \"" + batch.group + "\"");
  }
  auto last = ParseWalFileName(snapshot.TagValue(kTagWalLast), segment_size);
  if (!last || last->kind != WalFileKind::kSegment || last->timeline != first->timeline || last->segno < first->segno) {
    return InvalidArgumentError(std::string("tag ") + kTagWalLast + " is not a segment of the group's timeline after its start: \"" +
                                snapshot.TagValue(kTagWalLast) + "\"");
  }
  batch.timeline = first->timeline;
  batch.first_segno = first->segno;
  batch.last_segno = last->segno;
  batch.last_partial = snapshot.TagValue(kTagWalPartial) == "true";
  auto end = LsnTag(snapshot, kTagWalEnd);
  if (!end.ok()) return end.status();
  batch.end_lsn = *end;
  if (std::string until = snapshot.TagValue(kTagWalUntil); !until.empty()) {
    auto time = FromUnixMillisTag(kTagWalUntil, until);
    if (!time.ok()) return time.status();
    batch.until = *time;
  }
  return batch;
}

std::vector<std::string> BaseBackupTags(const BaseBackupPoint& base) {
  return {Tag(kTagWalSystem, base.system_id), Tag(kTagWalStart, LsnTagValue(base.start_lsn)),
          Tag(kTagWalEnd, LsnTagValue(base.end_lsn)),
          Tag(kTagWalConsistent, std::to_string(UnixMillis(base.consistent_time)))};
}

WalArchiveListing ListWalArchive(const std::vector<ResticSnapshot>& snapshots, const std::string& policy,
                                 std::uint64_t segment_size) {
  WalArchiveListing listing;
  // Base backups count once their run is complete (its manifest exists).
  std::map<std::string, bool> complete_runs;
  for (const auto& entry : BuildCatalog(snapshots)) complete_runs[entry.backup_id] = entry.complete;

  std::map<std::string, std::vector<std::pair<std::string, WalBatch>>> groups;  // group -> (restic time, batch)
  for (const auto& snapshot : snapshots) {
    if (snapshot.TagValue(kTagPolicy) != policy) continue;
    const std::string role = snapshot.TagValue(kTagRole);
    if (role == kRoleWal) {
      auto batch = WalBatchFromSnapshot(snapshot, segment_size);
      if (!batch.ok()) {
        listing.skipped.push_back("snapshot " + snapshot.short_id + ": " + batch.status().message());
        continue;
      }
      groups[batch->system_id + "/" + batch->group].emplace_back(snapshot.time, *batch);
    } else if (role == kRoleBaseBackup) {
      const std::string backup_id = snapshot.TagValue(kTagBackup);
      if (!complete_runs[backup_id]) continue;
      BaseBackupPoint base;
      base.backup_id = backup_id;
      base.snapshot_id = snapshot.id;
      base.system_id = snapshot.TagValue(kTagWalSystem);
      auto start = LsnTag(snapshot, kTagWalStart);
      auto end = LsnTag(snapshot, kTagWalEnd);
      auto consistent = FromUnixMillisTag(kTagWalConsistent, snapshot.TagValue(kTagWalConsistent));
      if (base.system_id.empty() || !start.ok() || !end.ok() || !consistent.ok()) {
        listing.skipped.push_back("base backup " + backup_id + " (snapshot " + snapshot.short_id + ") has incomplete WAL tags");
        continue;
      }
      base.start_lsn = *start;
      base.end_lsn = *end;
      base.consistent_time = *consistent;
      listing.base_backups.push_back(base);
    }
  }
  for (auto& [key, versions] : groups) {
    // The newest upload of a group holds everything the older ones did (restic times sort as text
    // only within one format, so compare the WAL they hold first).
    std::sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
      if (a.second.end_lsn != b.second.end_lsn) return a.second.end_lsn < b.second.end_lsn;
      return a.first < b.first;
    });
    for (size_t i = 0; i + 1 < versions.size(); ++i) listing.superseded.push_back(versions[i].second);
    listing.batches.push_back(versions.back().second);
  }
  std::sort(listing.batches.begin(), listing.batches.end(), Before);
  std::sort(listing.base_backups.begin(), listing.base_backups.end(),
            [](const BaseBackupPoint& a, const BaseBackupPoint& b) { return a.consistent_time < b.consistent_time; });
  return listing;
}

RecoveryWindow AnalyzeRecoveryWindow(const WalArchiveListing& archive, std::uint64_t segment_size) {
  RecoveryWindow window;
  const WalBatch* newest = nullptr;
  for (const auto& batch : archive.batches) {
    if (!newest || batch.end_lsn > newest->end_lsn) newest = &batch;
  }
  if (newest) {
    window.last_segment = WalSegmentFileName(newest->timeline, newest->last_segno, segment_size) +
                          (newest->last_partial ? ".partial" : "");
  }
  const BaseBackupPoint* newest_usable = nullptr;
  Chain newest_chain;
  for (const auto& base : archive.base_backups) {  // Oldest first.
    Chain chain = Walk(base, archive.batches, segment_size);
    if (!chain.Usable(base)) continue;
    if (!window.first_recoverable) window.first_recoverable = base.consistent_time;
    WallTime reach = chain.Reach(base);
    if (!window.last_recoverable || reach >= *window.last_recoverable) {
      window.last_recoverable = reach;
      window.last_lsn = chain.covered;
    }
    newest_usable = &base;
    newest_chain = chain;
  }
  if (newest_usable) window.gap = newest_chain.gap;
  return window;
}

std::vector<std::string> SelectWalSnapshotsToForget(const WalArchiveListing& archive) {
  std::vector<std::string> forget;
  for (const auto& batch : archive.superseded) forget.push_back(batch.snapshot_id);
  std::map<std::string, std::uint64_t> oldest_end;  // system -> end of its oldest base backup
  for (const auto& base : archive.base_backups) {
    auto it = oldest_end.find(base.system_id);
    if (it == oldest_end.end() || base.end_lsn < it->second) oldest_end[base.system_id] = base.end_lsn;
  }
  for (const auto& batch : archive.batches) {
    auto it = oldest_end.find(batch.system_id);
    if (it != oldest_end.end() && batch.end_lsn <= it->second) forget.push_back(batch.snapshot_id);
  }
  return forget;
}

nlohmann::json RecoveryWindowJson(const RecoveryWindow& window, const WalArchiveListing& archive) {
  nlohmann::json j = {{"baseBackups", archive.base_backups.size()},
                      {"walGroups", archive.batches.size()},
                      {"supersededUploads", archive.superseded.size()},
                      {"lastSegment", window.last_segment}};
  if (window.first_recoverable) j["firstRecoverableTime"] = FormatRfc3339Micro(*window.first_recoverable);
  if (window.last_recoverable) {
    j["lastRecoverableTime"] = FormatRfc3339Micro(*window.last_recoverable);
    j["lastLsn"] = FormatLsn(window.last_lsn);
  }
  if (window.gap) j["gap"] = {{"fromLsn", FormatLsn(window.gap->from_lsn)}, {"toLsn", FormatLsn(window.gap->to_lsn)}};
  return j;
}

StatusOr<RecoveryPlan> PlanRecovery(const WalArchiveListing& archive, const RecoveryTarget& target,
                                    std::uint64_t segment_size) {
  using Kind = RecoveryTarget::Kind;
  if (archive.base_backups.empty()) return NotFoundError("the repository holds no complete base backup of this policy");
  bool any_before_target = false;
  std::optional<WallTime> best_reach;
  std::uint64_t best_lsn = 0;
  for (auto base = archive.base_backups.rbegin(); base != archive.base_backups.rend(); ++base) {  // Newest first.
    if (target.kind == Kind::kTime && base->consistent_time > target.time) continue;
    if (target.kind == Kind::kLsn && base->end_lsn > target.lsn) continue;
    any_before_target = true;
    Chain chain = Walk(*base, archive.batches, segment_size);
    if (!chain.Usable(*base)) continue;
    WallTime reach = chain.Reach(*base);
    if (!best_reach || reach > *best_reach) best_reach = reach;
    best_lsn = std::max(best_lsn, chain.covered);
    bool reached = target.kind == Kind::kLatest || (target.kind == Kind::kTime && reach >= target.time) ||
                   (target.kind == Kind::kLsn && chain.covered >= target.lsn);
    if (!reached) continue;
    RecoveryPlan plan;
    plan.base = *base;
    for (const auto& batch : chain.used) {
      plan.batches.push_back(batch);
      if (batch.until && (!plan.archive_until || *batch.until > *plan.archive_until)) plan.archive_until = batch.until;
      plan.archive_end_lsn = batch.end_lsn;
      // WAL past the target is not needed: the server stops there.
      if (target.kind == Kind::kTime && batch.until && *batch.until >= target.time) break;
      if (target.kind == Kind::kLsn && batch.end_lsn >= target.lsn) break;
    }
    if (!plan.archive_until || *plan.archive_until < base->consistent_time) plan.archive_until = base->consistent_time;
    return plan;
  }
  if (!any_before_target) {
    return NotFoundError("no complete base backup finished before the recovery target " + DescribeRecoveryTarget(target) +
                         " (the oldest finished at " + FormatRfc3339(archive.base_backups.front().consistent_time) + ")");
  }
  if (!best_reach) {
    return NotFoundError("no base backup before the recovery target " + DescribeRecoveryTarget(target) +
                         " has the WAL it needs to become consistent (a gap in the archive)");
  }
  return FailedPreconditionError("the archive ends before the recovery target " + DescribeRecoveryTarget(target) +
                         ": the last recoverable time is " + FormatRfc3339Micro(*best_reach) + " (WAL up to " +
                         FormatLsn(best_lsn) + ")");
}

}  // namespace lifeboat::agent
