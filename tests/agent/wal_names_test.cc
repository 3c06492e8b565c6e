// WAL positions and file names, as PostgreSQL writes them.
#include "operator/agent/wal_names.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

TEST(WalNamesTest, AnLsnIsTwoHexadecimalHalves) {
  auto lsn = ParseLsn("0/3009310");
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(*lsn, 0x3009310u);
  EXPECT_EQ(FormatLsn(0x1A00000028ull), "1A/28");
  EXPECT_EQ(*ParseLsn("1A/28"), 0x1A00000028ull);
  EXPECT_EQ(LsnTagValue(0x1A00000028ull), "1A-28");
  EXPECT_EQ(*ParseLsnTagValue("1A-28"), 0x1A00000028ull);
}

TEST(WalNamesTest, MalformedLsnsAreRejectedWithTheText) {
  for (const char* bad : {"", "3009310", "0/", "/1", "x/1", "0/1/2", "123456789/0"}) {
    auto lsn = ParseLsn(bad);
    ASSERT_FALSE(lsn.ok()) << bad;
    EXPECT_NE(lsn.status().message().find(std::string("\"") + bad + "\""), std::string::npos);
  }
}

TEST(WalNamesTest, SegmentNamesCarryTimelineAndSegmentNumber) {
  auto name = ParseWalFileName("000000020000000100000003");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->kind, WalFileKind::kSegment);
  EXPECT_EQ(name->timeline, 2u);
  EXPECT_EQ(name->segno, 256u + 3u);  // 256 segments of 16 MiB per 4 GiB.
  EXPECT_EQ(WalSegmentFileName(2, 259), "000000020000000100000003");
  EXPECT_EQ(SegmentOf(0x103009310ull), 259u);
}

TEST(WalNamesTest, TheSplitDependsOnTheSegmentSize) {
  const std::uint64_t one_gib = 1024ull * 1024 * 1024;
  EXPECT_EQ(ParseWalFileName("000000010000000100000003", one_gib)->segno, 4u + 3u);
  EXPECT_FALSE(ParseWalFileName("000000010000000000000004", one_gib));  // Only 4 segments per 4 GiB.
  EXPECT_EQ(WalSegmentFileName(1, 7, one_gib), "000000010000000100000003");
}

TEST(WalNamesTest, PartialSegmentsAndHistoryFilesAreRecognised) {
  auto partial = ParseWalFileName("000000010000000000000003.partial");
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->kind, WalFileKind::kPartialSegment);
  EXPECT_EQ(partial->segno, 3u);
  auto history = ParseWalFileName("0000000A.history");
  ASSERT_TRUE(history);
  EXPECT_EQ(history->kind, WalFileKind::kHistory);
  EXPECT_EQ(history->timeline, 10u);
  EXPECT_EQ(TimelineHistoryFileName(10), "0000000A.history");
}

TEST(WalNamesTest, OtherFilesAreNotWal) {
  for (const char* other : {"archive_status", "00000001.history.partial", "00000001000000000000000", "000000010000000000000003.tmp",
                            "00000001000000000000000G", ".partial", "backup_manifest"}) {
    EXPECT_FALSE(ParseWalFileName(other)) << other;
  }
}

}  // namespace
}  // namespace lifeboat::agent
