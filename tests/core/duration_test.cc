#include "operator/core/duration.h"

#include <gtest/gtest.h>

namespace lifeboat {
namespace {

using namespace std::chrono_literals;

TEST(DurationTest, ParsesGoStyleCompoundDurations) {
  EXPECT_EQ(*ParseDuration("6h30m"), 6h + 30min);
  EXPECT_EQ(*ParseDuration("90s"), 90s);
  EXPECT_EQ(*ParseDuration("1h2m3s4ms5us6ns"), 1h + 2min + 3s + 4ms + 5us + 6ns);
  EXPECT_EQ(*ParseDuration("1.5h"), 90min);
  EXPECT_EQ(*ParseDuration(".5s"), 500ms);
  EXPECT_EQ(*ParseDuration("250\xC2\xB5s"), 250us);
}

TEST(DurationTest, DayIsExactlyTwentyFourHours) {
  EXPECT_EQ(*ParseDuration("30d"), 720h);
  EXPECT_EQ(*ParseDuration("1d12h"), 36h);
  EXPECT_EQ(*ParseDuration("0.5d"), 12h);
}

TEST(DurationTest, ZeroIsAcceptedWithOrWithoutUnit) {
  EXPECT_EQ(*ParseDuration("0"), 0ns);
  EXPECT_EQ(*ParseDuration("0s"), 0ns);
}

TEST(DurationTest, RejectsMalformedTextWithTheInputQuoted) {
  for (const char* bad : {"", "6", "6x", "h", "-1h", "+1h", "1h ", " 1h", "1..5h", "1hh", "5 m", "1w"}) {
    StatusOr<Duration> parsed = ParseDuration(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("\"" + std::string(bad) + "\""), std::string::npos)
        << parsed.status().message();
  }
}

TEST(DurationTest, RejectsOverflow) {
  EXPECT_FALSE(ParseDuration("300000d").ok());
  EXPECT_FALSE(ParseDuration("9999999999999999999ns").ok());
  EXPECT_FALSE(ParseDuration("100000d100000d100000d100000d").ok());
}

TEST(DurationTest, FormatsCanonicallyWithoutZeroComponents) {
  EXPECT_EQ(FormatDuration(0s), "0s");
  EXPECT_EQ(FormatDuration(6h + 30min), "6h30m");
  EXPECT_EQ(FormatDuration(2h + 5s), "2h5s");
  EXPECT_EQ(FormatDuration(36h), "1d12h");
  EXPECT_EQ(FormatDuration(1500ms), "1.5s");
  EXPECT_EQ(FormatDuration(250ms), "250ms");
  EXPECT_EQ(FormatDuration(7us), "7us");
}

TEST(DurationTest, FormatThenParseRoundTrips) {
  for (Duration d : {Duration(0s), Duration(1ns), Duration(999ms), Duration(1h + 1ns), Duration(720h),
                     Duration(3h + 2min + 1s + 5ms)}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(d)), d) << FormatDuration(d);
  }
}

}  // namespace
}  // namespace lifeboat
