// What the WAL streamer uploads next, from the files pg_receivewal has written.
#include "operator/agent/wal_upload_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

using ::testing::ElementsAre;

std::string Seg(std::uint32_t timeline, std::uint64_t segno) { return WalSegmentFileName(timeline, segno); }
std::string Partial(std::uint32_t timeline, std::uint64_t segno) { return Seg(timeline, segno) + ".partial"; }

TEST(WalUploadPlanTest, AnEmptyFolderHasNothingToUpload) {
  EXPECT_FALSE(PlanWalGroup({}, "", 16));
  EXPECT_FALSE(PlanWalGroup({"archive_status", "00000001.history.tmp"}, "", 16));
}

TEST(WalUploadPlanTest, TheFirstGroupStartsAtTheOldestSegmentAndTakesThePartialOne) {
  auto plan = PlanWalGroup({Partial(1, 3), Seg(1, 2), Seg(1, 1)}, "", 16);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->group, Seg(1, 1));
  EXPECT_EQ(plan->completed, 2u);
  EXPECT_EQ(plan->partial_file, Partial(1, 3));
  EXPECT_EQ(plan->last_segno, 3u);
  EXPECT_THAT(plan->files, ElementsAre(Seg(1, 1), Seg(1, 2), Partial(1, 3)));
  EXPECT_FALSE(plan->seal);
}

TEST(WalUploadPlanTest, HistoryFilesGoWithEveryUpload) {
  auto plan = PlanWalGroup({Partial(2, 5), "00000002.history"}, Seg(2, 5), 16);
  ASSERT_TRUE(plan);
  EXPECT_THAT(plan->files, ElementsAre(Partial(2, 5), "00000002.history"));
}

TEST(WalUploadPlanTest, AFullGroupIsSealedAndItsCompletedSegmentsLeaveTheFolder) {
  auto plan = PlanWalGroup({Seg(1, 1), Seg(1, 2), Seg(1, 3), Partial(1, 4)}, Seg(1, 1), 2);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->seal);
  EXPECT_EQ(plan->seal_reason, "full");
  EXPECT_THAT(plan->files, ElementsAre(Seg(1, 1), Seg(1, 2)));
  EXPECT_THAT(plan->remove_after_upload, ElementsAre(Seg(1, 1), Seg(1, 2)));
  EXPECT_EQ(NextWalGroup({Seg(1, 3), Partial(1, 4)}), Seg(1, 3));
}

TEST(WalUploadPlanTest, AStalePartialNextToItsCompletedSegmentIsIgnored) {
  auto plan = PlanWalGroup({Seg(1, 1), Partial(1, 1), Partial(1, 2)}, Seg(1, 1), 16);
  ASSERT_TRUE(plan);
  EXPECT_THAT(plan->files, ElementsAre(Seg(1, 1), Partial(1, 2)));
}

TEST(WalUploadPlanTest, ANewTimelineEndsTheGroupWithItsLastPartialSegment) {
  // Promotion inside segment 5: pg_receivewal keeps timeline 1's last segment as ".partial" and
  // continues with timeline 2's copy of segment 5.
  std::vector<std::string> files{Seg(1, 4), Partial(1, 5), "00000002.history", Partial(2, 5)};
  auto plan = PlanWalGroup(files, Seg(1, 4), 16);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->seal);
  EXPECT_EQ(plan->seal_reason, "timeline ended");
  EXPECT_THAT(plan->files, ElementsAre(Seg(1, 4), Partial(1, 5), "00000002.history"));
  EXPECT_THAT(plan->remove_after_upload, ElementsAre(Seg(1, 4), Partial(1, 5)));
  EXPECT_EQ(NextWalGroup({"00000002.history", Partial(2, 5)}), Seg(2, 5));
  auto next = PlanWalGroup({"00000002.history", Partial(2, 5)}, Seg(2, 5), 16);
  ASSERT_TRUE(next);
  EXPECT_FALSE(next->seal);
  EXPECT_THAT(next->files, ElementsAre(Partial(2, 5), "00000002.history"));
}

TEST(WalUploadPlanTest, AMissingSegmentSealsTheGroupAtTheGap) {
  auto plan = PlanWalGroup({Seg(1, 1), Seg(1, 2), Partial(1, 7)}, Seg(1, 1), 16);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->seal);
  EXPECT_EQ(plan->seal_reason, "gap");
  EXPECT_THAT(plan->files, ElementsAre(Seg(1, 1), Seg(1, 2)));
  EXPECT_EQ(NextWalGroup({Partial(1, 7)}), Seg(1, 7));
}

TEST(WalUploadPlanTest, AGroupWhoseFirstSegmentNeverCameIsSealedEmpty) {
  auto plan = PlanWalGroup({Partial(1, 9)}, Seg(1, 3), 16);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(plan->seal);
  EXPECT_TRUE(plan->files.empty());
  EXPECT_EQ(NextWalGroup({Partial(1, 9)}), Seg(1, 9));
}

TEST(WalUploadPlanTest, AGroupWhoseFirstSegmentIsNotWrittenYetWaits) {
  EXPECT_FALSE(PlanWalGroup({"00000002.history"}, Seg(2, 5), 16));
}

TEST(WalUploadPlanTest, TheHistoryFileSaysWhereATimelineEnded) {
  const std::string history = "1\t0/5000A28\tno recovery target specified\n\n2\t0/7000000\tat restore point\n";
  EXPECT_EQ(*TimelineSwitchPoint(history, 1), 0x5000A28u);
  EXPECT_EQ(*TimelineSwitchPoint(history, 2), 0x7000000u);
  EXPECT_FALSE(TimelineSwitchPoint(history, 3));
}

}  // namespace
}  // namespace lifeboat::agent
