// The WAL archive read from snapshot tags: which WAL the repository holds, how far the policy can
// recover, and what a recovery to a target needs.
#include "operator/agent/wal_archive.h"

#include <gtest/gtest.h>

#include "operator/agent/snapshot_tags.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace {

constexpr std::uint64_t kSeg = kDefaultWalSegmentSize;
const char* kSystem = "7715770691887040880";

WallTime At(const std::string& rfc3339) { return *ParseRfc3339(rfc3339); }

// A WAL upload of the group starting at `first` up to position `end` (segment of `end` partial).
ResticSnapshot WalUpload(std::string id, std::uint32_t timeline, std::uint64_t first, std::uint64_t end,
                         std::optional<std::string> until, std::string system = kSystem, std::string policy = "shop") {
  WalBatch batch;
  batch.system_id = std::move(system);
  batch.group = WalSegmentFileName(timeline, first);
  batch.timeline = timeline;
  batch.first_segno = first;
  batch.last_segno = SegmentOf(end);
  batch.last_partial = end % kSeg != 0;
  if (!batch.last_partial) batch.last_segno -= 1;
  batch.end_lsn = end;
  if (until) batch.until = At(*until);
  ResticSnapshot s;
  s.id = id;
  s.short_id = id;
  s.time = until.value_or("2026-12-05T00:00:00Z");
  s.tags = WalBatchTags(policy, batch);
  return s;
}

// A base backup run: its data snapshot and (when complete) its manifest.
std::vector<ResticSnapshot> BaseBackup(std::string backup_id, std::uint64_t start, std::uint64_t end, std::string consistent,
                                       bool complete = true) {
  BaseBackupPoint base;
  base.system_id = kSystem;
  base.start_lsn = start;
  base.end_lsn = end;
  base.consistent_time = At(consistent);
  ResticSnapshot data;
  data.id = "base-" + backup_id;
  data.short_id = data.id;
  data.time = consistent;
  data.tags = RunTags(backup_id, "shop", "scheduled", kRoleBaseBackup, "cluster");
  for (auto& t : BaseBackupTags(base)) data.tags.push_back(t);
  std::vector<ResticSnapshot> run{data};
  if (complete) {
    ResticSnapshot manifest;
    manifest.id = "manifest-" + backup_id;
    manifest.time = consistent;
    manifest.tags = RunTags(backup_id, "shop", "scheduled", kRoleManifest, "");
    run.push_back(manifest);
  }
  return run;
}

std::vector<ResticSnapshot> Join(std::vector<std::vector<ResticSnapshot>> parts) {
  std::vector<ResticSnapshot> all;
  for (auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

// Segment 2 holds a base backup (0/2000028 .. 0/2000100), finished at 01:00.
std::vector<ResticSnapshot> ArchiveWithOneBaseAndTwoGroups() {
  return Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z"),
               {WalUpload("w1", 1, 1, 4 * kSeg, "2026-12-05T01:10:00Z"),
                WalUpload("w2", 1, 4, 5 * kSeg + 0x300, "2026-12-05T01:20:00Z")}});
}

TEST(WalArchiveTest, AWalSnapshotsTagsReadBackToTheSameBatch) {
  auto listing = ListWalArchive({WalUpload("w1", 3, 0x105, 0x106 * kSeg + 0x28, "2026-12-05T01:02:03.456Z")}, "shop");
  ASSERT_EQ(listing.batches.size(), 1u);
  const WalBatch& b = listing.batches[0];
  EXPECT_EQ(b.group, "000000030000000100000005");
  EXPECT_EQ(b.timeline, 3u);
  EXPECT_EQ(b.first_segno, 0x105u);
  EXPECT_EQ(b.last_segno, 0x106u);
  EXPECT_TRUE(b.last_partial);
  EXPECT_EQ(b.end_lsn, 0x106 * kSeg + 0x28);
  EXPECT_EQ(FormatRfc3339Micro(*b.until), "2026-12-05T01:02:03.456000Z");
}

TEST(WalArchiveTest, TheNewestUploadOfAGroupSupersedesTheOlderOnes) {
  auto listing = ListWalArchive({WalUpload("w1", 1, 1, 2 * kSeg + 10, "2026-12-05T01:01:00Z"),
                                 WalUpload("w2", 1, 1, 3 * kSeg + 20, "2026-12-05T01:02:00Z"),
                                 WalUpload("w3", 1, 1, 3 * kSeg + 90, "2026-12-05T01:03:00Z")},
                                "shop");
  ASSERT_EQ(listing.batches.size(), 1u);
  EXPECT_EQ(listing.batches[0].snapshot_id, "w3");
  ASSERT_EQ(listing.superseded.size(), 2u);
}

TEST(WalArchiveTest, OtherPoliciesAndMalformedTagsAreLeftOut) {
  ResticSnapshot broken = WalUpload("w9", 1, 1, 2 * kSeg, "2026-12-05T01:00:00Z");
  for (auto& t : broken.tags) {
    if (t.rfind("lifeboat-wal-end=", 0) == 0) t = "lifeboat-wal-end=nonsense";
  }
  auto listing = ListWalArchive({WalUpload("w1", 1, 1, 2 * kSeg, "2026-12-05T01:00:00Z", kSystem, "other"), broken}, "shop");
  EXPECT_TRUE(listing.batches.empty());
  ASSERT_EQ(listing.skipped.size(), 1u);
  EXPECT_NE(listing.skipped[0].find("lifeboat-wal-end"), std::string::npos);
}

TEST(WalArchiveTest, TheWindowRunsFromTheOldestUsableBaseBackupToTheLastUpload) {
  auto window = AnalyzeRecoveryWindow(ListWalArchive(ArchiveWithOneBaseAndTwoGroups(), "shop"));
  EXPECT_EQ(FormatRfc3339(*window.first_recoverable), "2026-12-05T01:00:00Z");
  EXPECT_EQ(FormatRfc3339(*window.last_recoverable), "2026-12-05T01:20:00Z");
  EXPECT_EQ(window.last_lsn, 5 * kSeg + 0x300);
  EXPECT_EQ(window.last_segment, "000000010000000000000005.partial");
  EXPECT_FALSE(window.gap);
}

TEST(WalArchiveTest, ABaseBackupWithoutItsManifestDoesNotCount) {
  auto window = AnalyzeRecoveryWindow(
      ListWalArchive(Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z", /*complete=*/false),
                           {WalUpload("w1", 1, 1, 4 * kSeg, "2026-12-05T01:10:00Z")}}),
                     "shop"));
  EXPECT_FALSE(window.first_recoverable);
  EXPECT_FALSE(window.last_recoverable);
}

TEST(WalArchiveTest, ABaseBackupAloneRecoversToItsConsistentTime) {
  // It carries its own WAL; archived WAL that starts after its end is a gap.
  auto window = AnalyzeRecoveryWindow(ListWalArchive(
      Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z"), {WalUpload("w1", 1, 3, 4 * kSeg, "2026-12-05T01:10:00Z")}}),
      "shop"));
  EXPECT_EQ(FormatRfc3339(*window.first_recoverable), "2026-12-05T01:00:00Z");
  EXPECT_EQ(FormatRfc3339(*window.last_recoverable), "2026-12-05T01:00:00Z");
  ASSERT_TRUE(window.gap);
  EXPECT_EQ(window.gap->from_lsn, 0x2000100u);
  EXPECT_EQ(window.gap->to_lsn, 3 * kSeg);
}

TEST(WalArchiveTest, AGapStopsTheWindowAndIsReported) {
  auto listing = ListWalArchive(Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z"),
                                      {WalUpload("w1", 1, 1, 4 * kSeg, "2026-12-05T01:10:00Z"),
                                       WalUpload("w2", 1, 6, 7 * kSeg, "2026-12-05T01:30:00Z")}}),
                                "shop");
  auto window = AnalyzeRecoveryWindow(listing);
  EXPECT_EQ(FormatRfc3339(*window.last_recoverable), "2026-12-05T01:10:00Z");
  ASSERT_TRUE(window.gap);
  EXPECT_EQ(window.gap->from_lsn, 4 * kSeg);
  EXPECT_EQ(window.gap->to_lsn, 6 * kSeg);
  EXPECT_EQ(window.last_segment, "000000010000000000000006");
}

TEST(WalArchiveTest, ANewerBaseBackupHealsAGap) {
  auto listing = ListWalArchive(Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z"),
                                      BaseBackup("b2", 6 * kSeg + 0x28, 6 * kSeg + 0x100, "2026-12-05T01:25:00Z"),
                                      {WalUpload("w1", 1, 1, 4 * kSeg, "2026-12-05T01:10:00Z"),
                                       WalUpload("w2", 1, 6, 7 * kSeg, "2026-12-05T01:30:00Z")}}),
                                "shop");
  auto window = AnalyzeRecoveryWindow(listing);
  EXPECT_EQ(FormatRfc3339(*window.first_recoverable), "2026-12-05T01:00:00Z");
  EXPECT_EQ(FormatRfc3339(*window.last_recoverable), "2026-12-05T01:30:00Z");
  EXPECT_FALSE(window.gap);
}

TEST(WalArchiveTest, TheChainFollowsANewTimeline) {
  // Promotion inside segment 5: timeline 1 ends with 5.partial, timeline 2 starts at segment 5.
  auto listing = ListWalArchive(Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z"),
                                      {WalUpload("w1", 1, 1, 5 * kSeg + 0x500, "2026-12-05T01:10:00Z"),
                                       WalUpload("w2", 2, 5, 8 * kSeg + 0x40, "2026-12-05T01:40:00Z")}}),
                                "shop");
  auto window = AnalyzeRecoveryWindow(listing);
  EXPECT_EQ(FormatRfc3339(*window.last_recoverable), "2026-12-05T01:40:00Z");
  EXPECT_EQ(window.last_segment, "000000020000000000000008.partial");
  EXPECT_FALSE(window.gap);
}

TEST(WalArchiveTest, WalOfAnotherDatabaseClusterIsNeverChained) {
  auto listing = ListWalArchive(Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z"),
                                      {WalUpload("w1", 1, 1, 4 * kSeg, "2026-12-05T01:10:00Z", "1111")}}),
                                "shop");
  EXPECT_EQ(FormatRfc3339(*AnalyzeRecoveryWindow(listing).last_recoverable), "2026-12-05T01:00:00Z");
}

TEST(WalArchiveTest, AnUploadWhileLaggingExtendsTheWalButNotTheTime) {
  auto listing = ListWalArchive(Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z"),
                                      {WalUpload("w1", 1, 1, 4 * kSeg, "2026-12-05T01:10:00Z"),
                                       WalUpload("w2", 1, 4, 6 * kSeg, std::nullopt)}}),
                                "shop");
  auto window = AnalyzeRecoveryWindow(listing);
  EXPECT_EQ(FormatRfc3339(*window.last_recoverable), "2026-12-05T01:10:00Z");
  EXPECT_EQ(window.last_lsn, 6 * kSeg);
}

TEST(WalArchiveTest, RecoveryToATimeUsesTheNewestBaseBeforeItAndOnlyTheWalItNeeds) {
  auto listing = ListWalArchive(Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z"),
                                      BaseBackup("b2", 4 * kSeg + 0x28, 4 * kSeg + 0x100, "2026-12-05T01:12:00Z"),
                                      {WalUpload("w1", 1, 1, 4 * kSeg, "2026-12-05T01:10:00Z"),
                                       WalUpload("w2", 1, 4, 6 * kSeg, "2026-12-05T01:20:00Z"),
                                       WalUpload("w3", 1, 6, 7 * kSeg, "2026-12-05T01:30:00Z")}}),
                                "shop");
  RecoveryTarget target{RecoveryTarget::Kind::kTime, At("2026-12-05T01:15:00Z"), 0};
  auto plan = PlanRecovery(listing, target);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->base.backup_id, "b2");
  ASSERT_EQ(plan->batches.size(), 1u);
  EXPECT_EQ(plan->batches[0].snapshot_id, "w2");
  EXPECT_EQ(FormatRfc3339(*plan->archive_until), "2026-12-05T01:20:00Z");

  target.time = At("2026-12-05T01:11:00Z");  // Before b2 finished: b1 and the WAL from segment 1 on.
  plan = PlanRecovery(listing, target);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->base.backup_id, "b1");
  ASSERT_EQ(plan->batches.size(), 2u);
  EXPECT_EQ(plan->batches[0].snapshot_id, "w1");
  EXPECT_EQ(plan->batches[1].snapshot_id, "w2");
}

TEST(WalArchiveTest, RecoveryToLatestTakesAllTheWalOfTheNewestBase) {
  auto listing = ListWalArchive(ArchiveWithOneBaseAndTwoGroups(), "shop");
  auto plan = PlanRecovery(listing, RecoveryTarget{});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->batches.size(), 2u);
  EXPECT_EQ(plan->archive_end_lsn, 5 * kSeg + 0x300);
}

TEST(WalArchiveTest, RecoveryToAnLsnNeedsWalUpToIt) {
  auto listing = ListWalArchive(ArchiveWithOneBaseAndTwoGroups(), "shop");
  RecoveryTarget target{RecoveryTarget::Kind::kLsn, {}, 3 * kSeg};
  auto plan = PlanRecovery(listing, target);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->batches.size(), 1u);
  target.lsn = 6 * kSeg;
  plan = PlanRecovery(listing, target);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
}

TEST(WalArchiveTest, ATargetAfterTheArchiveEndsNamesTheLastRecoverableTime) {
  auto listing = ListWalArchive(ArchiveWithOneBaseAndTwoGroups(), "shop");
  RecoveryTarget target{RecoveryTarget::Kind::kTime, At("2026-12-05T02:00:00Z"), 0};
  auto plan = PlanRecovery(listing, target);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(plan.status().message().find("the last recoverable time is 2026-12-05T01:20:00"), std::string::npos)
      << plan.status().message();
}

TEST(WalArchiveTest, ATargetBeforeEveryBaseBackupNamesTheOldest) {
  auto listing = ListWalArchive(ArchiveWithOneBaseAndTwoGroups(), "shop");
  RecoveryTarget target{RecoveryTarget::Kind::kTime, At("2026-12-05T00:30:00Z"), 0};
  auto plan = PlanRecovery(listing, target);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kNotFound);
  EXPECT_NE(plan.status().message().find("the oldest finished at 2026-12-05T01:00:00Z"), std::string::npos);
}

TEST(WalArchiveTest, RetentionForgetsSupersededUploadsAndWalNoBaseBackupNeeds) {
  // b1 was removed by retention (its manifest is gone): b2 is the oldest kept base backup.
  auto listing = ListWalArchive(Join({BaseBackup("b1", 0x2000028, 0x2000100, "2026-12-05T01:00:00Z", /*complete=*/false),
                                      BaseBackup("b2", 4 * kSeg + 0x28, 4 * kSeg + 0x100, "2026-12-05T01:12:00Z"),
                                      {WalUpload("w1a", 1, 1, 2 * kSeg, "2026-12-05T01:05:00Z"),
                                       WalUpload("w1b", 1, 1, 4 * kSeg, "2026-12-05T01:10:00Z"),
                                       WalUpload("w2a", 1, 4, 5 * kSeg, "2026-12-05T01:15:00Z"),
                                       WalUpload("w2b", 1, 4, 6 * kSeg, "2026-12-05T01:20:00Z"),
                                       WalUpload("x1", 1, 1, 9 * kSeg, "2026-12-05T01:20:00Z", "1111")}}),
                                "shop");
  auto forget = SelectWalSnapshotsToForget(listing);
  std::sort(forget.begin(), forget.end());
  // w1b ends before b2 does; w2a is superseded by w2b; the other cluster's WAL is not judged.
  EXPECT_EQ(forget, (std::vector<std::string>{"w1a", "w1b", "w2a"}));
}

TEST(WalArchiveTest, RecoveryTargetsAreLatestATimeOrAnLsn) {
  EXPECT_EQ(ParseRecoveryTarget("latest")->kind, RecoveryTarget::Kind::kLatest);
  auto time = ParseRecoveryTarget("2026-12-05T01:15:00.5Z");
  ASSERT_TRUE(time.ok());
  EXPECT_EQ(time->kind, RecoveryTarget::Kind::kTime);
  EXPECT_EQ(DescribeRecoveryTarget(*time), "2026-12-05T01:15:00.500000Z");
  auto lsn = ParseRecoveryTarget("lsn:0/3009310");
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(lsn->lsn, 0x3009310u);
  EXPECT_FALSE(ParseRecoveryTarget("yesterday").ok());
  EXPECT_FALSE(ParseRecoveryTarget("lsn:3009310").ok());
}

}  // namespace
}  // namespace lifeboat::agent
