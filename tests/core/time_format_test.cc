#include "operator/core/time_format.h"

#include <gtest/gtest.h>

#include <date/date.h>

namespace lifeboat {
namespace {

using namespace std::chrono_literals;

WallTime At(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return date::sys_days{date::year{y} / m / d} + std::chrono::hours(hh) + std::chrono::minutes(mm) +
         std::chrono::seconds(ss);
}

TEST(TimeFormatTest, FormatsWholeSecondsInUtcAsKubernetesDoes) {
  EXPECT_EQ(FormatRfc3339(At(2026, 11, 22, 1, 2, 3) + 999ms), "2026-11-22T01:02:03Z");
}

TEST(TimeFormatTest, FormatsMicroTime) {
  EXPECT_EQ(FormatRfc3339Micro(At(2026, 11, 22, 1, 2, 3) + 123456us), "2026-11-22T01:02:03.123456Z");
}

TEST(TimeFormatTest, ParsesUtcAndOffsetsAndFractions) {
  EXPECT_EQ(*ParseRfc3339("2026-11-22T01:02:03Z"), At(2026, 11, 22, 1, 2, 3));
  EXPECT_EQ(*ParseRfc3339("2026-11-22T02:02:03+01:00"), At(2026, 11, 22, 1, 2, 3));
  EXPECT_EQ(*ParseRfc3339("2026-11-22T01:02:03.500000Z"), At(2026, 11, 22, 1, 2, 3) + 500ms);
}

TEST(TimeFormatTest, RejectsTextThatIsNotATimestamp) {
  auto parsed = ParseRfc3339("yesterday");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("yesterday"), std::string::npos);
  EXPECT_FALSE(ParseRfc3339("2026-11-22T01:02:03Zjunk").ok());
}

TEST(TimeFormatTest, RoundTrips) {
  WallTime t = At(2030, 2, 28, 23, 59, 59);
  EXPECT_EQ(*ParseRfc3339(FormatRfc3339(t)), t);
}

}  // namespace
}  // namespace lifeboat
