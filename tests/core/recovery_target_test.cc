// Recovery targets and WAL positions: one parser for the RestoreRequest's validation and the agent.
#include "operator/core/recovery_target.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"

namespace lifeboat {
namespace {

TEST(RecoveryTargetTest, LatestATimeOrAnLsn) {
  EXPECT_EQ(ParseRecoveryTarget("latest")->kind, RecoveryTarget::Kind::kLatest);
  auto time = ParseRecoveryTarget("2026-11-22T07:10:00.25+01:00");
  ASSERT_TRUE(time.ok());
  EXPECT_EQ(time->kind, RecoveryTarget::Kind::kTime);
  EXPECT_EQ(DescribeRecoveryTarget(*time), "2026-11-22T06:10:00.250000Z");
  auto lsn = ParseRecoveryTarget("lsn:1A/3009310");
  ASSERT_TRUE(lsn.ok());
  EXPECT_EQ(lsn->lsn, (0x1Aull << 32) | 0x3009310);
  EXPECT_EQ(DescribeRecoveryTarget(*lsn), "lsn:1A/3009310");
}

TEST(RecoveryTargetTest, AnythingElseSaysWhatIsAccepted) {
  for (const char* text : {"", "now", "Latest", "2026-11-22", "2026-02-30T00:00:00Z"}) {
    auto parsed = ParseRecoveryTarget(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().message(),
              "recovery target \"" + std::string(text) + "\" is not \"latest\", an RFC 3339 time or lsn:X/Y");
  }
  EXPECT_EQ(ParseRecoveryTarget("lsn:0/G").status().message(), "WAL position \"0/G\" is not of the form X/Y (hexadecimal)");
}

TEST(RecoveryTargetTest, LsnsRoundTripWithEitherSeparator) {
  EXPECT_EQ(*ParseLsn("0/3009310"), 0x3009310u);
  EXPECT_EQ(FormatLsn(0x3009310), "0/3009310");
  EXPECT_EQ(FormatLsn((7ull << 32) | 0xFF, '-'), "7-FF");
  EXPECT_EQ(*ParseLsn("7-FF", '-'), (7ull << 32) | 0xFF);
  for (const char* bad : {"", "/", "0/", "/1", "123456789/0", "0/123456789", "0-1", "x/1"}) {
    EXPECT_FALSE(ParseLsn(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace lifeboat
