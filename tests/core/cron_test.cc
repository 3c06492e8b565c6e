#include "operator/core/cron.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"

namespace lifeboat {
namespace {

WallTime T(const std::string& rfc3339) {
  StatusOr<WallTime> parsed = ParseRfc3339(rfc3339);
  EXPECT_TRUE(parsed.ok()) << rfc3339;
  return parsed.ok() ? *parsed : WallTime{};
}

std::string NextOf(const std::string& expression, const std::string& zone, const std::string& after) {
  StatusOr<CronSchedule> schedule = CronSchedule::Parse(expression, zone);
  EXPECT_TRUE(schedule.ok()) << schedule.status();
  if (!schedule.ok()) return "parse error";
  std::optional<WallTime> next = schedule->Next(T(after));
  return next ? FormatRfc3339(*next) : "never";
}

std::string ParseError(const std::string& expression, const std::string& zone = "") {
  StatusOr<CronSchedule> schedule = CronSchedule::Parse(expression, zone);
  return schedule.ok() ? "accepted" : schedule.status().message();
}

TEST(CronScheduleTest, EverySixHoursInUtc) {
  EXPECT_EQ(NextOf("0 */6 * * *", "", "2026-11-22T00:00:00Z"), "2026-11-22T06:00:00Z");
  EXPECT_EQ(NextOf("0 */6 * * *", "UTC", "2026-11-22T05:59:59Z"), "2026-11-22T06:00:00Z");
  EXPECT_EQ(NextOf("0 */6 * * *", "UTC", "2026-11-22T18:00:00Z"), "2026-11-23T00:00:00Z");
}

TEST(CronScheduleTest, NextIsStrictlyAfter) {
  EXPECT_EQ(NextOf("* * * * *", "", "2026-11-22T10:00:00Z"), "2026-11-22T10:01:00Z");
  EXPECT_EQ(NextOf("* * * * *", "", "2026-11-22T10:00:30Z"), "2026-11-22T10:01:00Z");
}

TEST(CronScheduleTest, DailyAtTwoInANamedTimeZone) {
  // Berlin is UTC+1 in winter and UTC+2 in summer.
  EXPECT_EQ(NextOf("0 2 * * *", "Europe/Berlin", "2026-01-10T12:00:00Z"), "2026-01-11T01:00:00Z");
  EXPECT_EQ(NextOf("0 2 * * *", "Europe/Berlin", "2026-07-10T12:00:00Z"), "2026-07-11T00:00:00Z");
}

TEST(CronScheduleTest, MacrosExpandLikeKubernetes) {
  EXPECT_EQ(NextOf("@daily", "", "2026-11-22T10:00:00Z"), "2026-11-23T00:00:00Z");
  EXPECT_EQ(NextOf("@midnight", "", "2026-11-22T10:00:00Z"), "2026-11-23T00:00:00Z");
  EXPECT_EQ(NextOf("@hourly", "", "2026-11-22T10:00:00Z"), "2026-11-22T11:00:00Z");
  EXPECT_EQ(NextOf("@weekly", "", "2026-11-22T10:00:00Z"), "2026-11-29T00:00:00Z");  // 22nd is a Sunday.
  EXPECT_EQ(NextOf("@monthly", "", "2026-11-22T10:00:00Z"), "2026-12-01T00:00:00Z");
  EXPECT_EQ(NextOf("@yearly", "", "2026-11-22T10:00:00Z"), "2027-01-01T00:00:00Z");
  EXPECT_EQ(NextOf("@ANNUALLY", "", "2026-11-22T10:00:00Z"), "2027-01-01T00:00:00Z");
}

TEST(CronScheduleTest, NamesRangesStepsAndLists) {
  EXPECT_EQ(NextOf("30 3 * * mon-fri", "", "2026-11-21T00:00:00Z"), "2026-11-23T03:30:00Z");  // Sat -> Mon.
  EXPECT_EQ(NextOf("0 0 1 jan,jul *", "", "2026-02-01T00:00:00Z"), "2026-07-01T00:00:00Z");
  EXPECT_EQ(NextOf("5/20 * * * *", "", "2026-11-22T10:26:00Z"), "2026-11-22T10:45:00Z");
  EXPECT_EQ(NextOf("0 9-17/4 * * *", "", "2026-11-22T13:01:00Z"), "2026-11-22T17:00:00Z");
  EXPECT_EQ(NextOf("0 0 ? * SUN", "", "2026-11-23T00:00:00Z"), "2026-11-29T00:00:00Z");
}

TEST(CronScheduleTest, RestrictedDayOfMonthAndDayOfWeekMatchEither) {
  // 2026-11-23 is a Monday; "1,15 or Sunday".
  EXPECT_EQ(NextOf("0 0 1,15 * 0", "", "2026-11-23T00:00:00Z"), "2026-11-29T00:00:00Z");
  // When one of them starts with a star, both must match: every day AND a Sunday.
  EXPECT_EQ(NextOf("0 0 */1 * 0", "", "2026-11-23T00:00:00Z"), "2026-11-29T00:00:00Z");
  EXPECT_EQ(NextOf("0 0 15 * *", "", "2026-11-23T00:00:00Z"), "2026-12-15T00:00:00Z");
}

TEST(CronScheduleTest, LeapDayAndImpossibleDates) {
  EXPECT_EQ(NextOf("0 0 29 2 *", "", "2026-03-01T00:00:00Z"), "2028-02-29T00:00:00Z");
  EXPECT_EQ(NextOf("0 0 30 2 *", "", "2026-03-01T00:00:00Z"), "never");
  EXPECT_EQ(NextOf("0 0 31 4 *", "", "2026-03-01T00:00:00Z"), "never");
}

// Daylight-saving transitions, as a Kubernetes CronJob with timeZone (robfig/cron v3) behaves.
TEST(CronScheduleTest, SpringForwardSkipsTheMissingWallClockTime) {
  // New York, 2012-03-11: 02:00 EST jumps to 03:00 EDT. A 02:30 run on that day never happens.
  EXPECT_EQ(NextOf("30 2 11 3 *", "America/New_York", "2012-03-11T05:00:00Z"), "2013-03-11T06:30:00Z");
  // A daily 02:30 run skips the transition day and resumes the next day at 02:30 EDT.
  EXPECT_EQ(NextOf("30 2 * * *", "America/New_York", "2012-03-11T05:00:00Z"), "2012-03-12T06:30:00Z");
  // An hourly run goes from 01:00 EST straight to 03:00 EDT: one hour later in real time.
  EXPECT_EQ(NextOf("0 * * * *", "America/New_York", "2012-03-11T06:00:00Z"), "2012-03-11T07:00:00Z");
  // Berlin, 2026-03-29: 02:00 CET jumps to 03:00 CEST; the daily 02:00 run is skipped that day.
  EXPECT_EQ(NextOf("0 2 * * *", "Europe/Berlin", "2026-03-28T02:00:00Z"), "2026-03-30T00:00:00Z");
}

TEST(CronScheduleTest, FallBackRunsTheRepeatedWallClockTimeTwice) {
  // New York, 2012-11-04: 02:00 EDT falls back to 01:00 EST; 01:00-01:59 happens twice.
  EXPECT_EQ(NextOf("30 1 4 11 *", "America/New_York", "2012-11-04T05:45:00Z"), "2012-11-04T06:30:00Z");
  // From 01:45 EDT the next 01:30 is 01:30 EST.
  EXPECT_EQ(NextOf("30 1 4 11 *", "America/New_York", "2012-11-04T05:45:00Z"), "2012-11-04T06:30:00Z");
  EXPECT_EQ(NextOf("30 1 * * *", "America/New_York", "2012-11-04T05:29:00Z"), "2012-11-04T05:30:00Z");
  EXPECT_EQ(NextOf("30 1 * * *", "America/New_York", "2012-11-04T05:30:00Z"), "2012-11-04T06:30:00Z");
  EXPECT_EQ(NextOf("30 1 * * *", "America/New_York", "2012-11-04T06:30:00Z"), "2012-11-05T06:30:00Z");
  // 02:30 exists once (EST) that day.
  EXPECT_EQ(NextOf("30 2 4 11 *", "America/New_York", "2012-11-04T04:00:00Z"), "2012-11-04T07:30:00Z");
  // Hourly: 01:00 EDT, 01:00 EST, 02:00 EST.
  EXPECT_EQ(NextOf("0 * * * *", "America/New_York", "2012-11-04T05:00:00Z"), "2012-11-04T06:00:00Z");
  EXPECT_EQ(NextOf("0 * * * *", "America/New_York", "2012-11-04T06:00:00Z"), "2012-11-04T07:00:00Z");
}

TEST(CronScheduleTest, FallBackInBerlinRunsTheDailyJobTwice) {
  // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:30 happens at 00:30Z and again at 01:30Z.
  EXPECT_EQ(NextOf("30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z"), "2026-10-25T00:30:00Z");
  EXPECT_EQ(NextOf("30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z"), "2026-10-25T01:30:00Z");
  EXPECT_EQ(NextOf("30 2 * * *", "Europe/Berlin", "2026-10-25T01:30:00Z"), "2026-10-26T01:30:00Z");
}

TEST(CronScheduleTest, HalfHourDaylightSavingShift) {
  // Lord Howe Island moves its clocks by 30 minutes: on 2026-10-04, 02:00 (+10:30) becomes 02:30 (+11).
  EXPECT_EQ(NextOf("15 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00Z"), "2026-10-04T15:15:00Z");
  EXPECT_EQ(NextOf("45 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00Z"), "2026-10-03T15:45:00Z");
}

TEST(CronScheduleTest, MostRecentCountsMissedRunsAndFindsTheLatest) {
  StatusOr<CronSchedule> schedule = CronSchedule::Parse("0 */6 * * *", "UTC");
  ASSERT_TRUE(schedule.ok());
  CronSchedule::Missed missed = schedule->MostRecent(T("2026-11-22T00:00:00Z"), T("2026-11-23T13:00:00Z"));
  ASSERT_TRUE(missed.most_recent.has_value());
  EXPECT_EQ(FormatRfc3339(*missed.most_recent), "2026-11-23T12:00:00Z");
  EXPECT_EQ(missed.count, 6);  // 06, 12, 18, 00, 06, 12 (the start is exclusive).

  missed = schedule->MostRecent(T("2026-11-22T00:00:00Z"), T("2026-11-22T05:59:00Z"));
  EXPECT_FALSE(missed.most_recent.has_value());
  EXPECT_EQ(missed.count, 0);
}

TEST(CronScheduleTest, MostRecentStaysExactBeyondTheCountLimit) {
  StatusOr<CronSchedule> schedule = CronSchedule::Parse("* * * * *", "Europe/Berlin");
  ASSERT_TRUE(schedule.ok());
  CronSchedule::Missed missed = schedule->MostRecent(T("2026-11-01T00:00:00Z"), T("2026-11-22T10:15:30Z"), 100);
  EXPECT_EQ(missed.count, 100);
  ASSERT_TRUE(missed.most_recent.has_value());
  EXPECT_EQ(FormatRfc3339(*missed.most_recent), "2026-11-22T10:15:00Z");
}

TEST(CronScheduleTest, RejectsBadExpressionsNamingTheField) {
  EXPECT_EQ(ParseError("0 24 * * *"), "hour: 24 is out of range 0-23");
  EXPECT_EQ(ParseError("60 * * * *"), "minute: 60 is out of range 0-59");
  EXPECT_EQ(ParseError("0 0 0 * *"), "day of month: 0 is out of range 1-31");
  EXPECT_EQ(ParseError("0 0 * 13 *"), "month: 13 is out of range 1-12");
  EXPECT_EQ(ParseError("0 0 * * 7"), "day of week: 7 is out of range 0-6");
  EXPECT_EQ(ParseError("0 0 * * FUN"), "day of week: \"FUN\" is not a number or a name");
  EXPECT_EQ(ParseError("0 0 * *"), "expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  EXPECT_EQ(ParseError("0 0 0 * * *"), "expected 5 fields (minute hour day-of-month month day-of-week), got 6");
  EXPECT_EQ(ParseError(""), "empty schedule");
  EXPECT_EQ(ParseError("*/0 * * * *"), "minute: step must be positive");
  EXPECT_EQ(ParseError("5-1 * * * *"), "minute: range \"5-1\" ends before it starts");
  EXPECT_EQ(ParseError("? * * * *"), "minute: '?' is only allowed in the day fields");
  EXPECT_EQ(ParseError("1,,2 * * * *"), "minute: empty list item in \"1,,2\"");
  EXPECT_NE(ParseError("@every 1h").find("unknown macro"), std::string::npos);
  EXPECT_NE(ParseError("TZ=UTC 0 0 * * *").find("timeZone field"), std::string::npos);
}

TEST(CronScheduleTest, RejectsUnknownTimeZones) {
  EXPECT_EQ(ParseError("0 0 * * *", "Mars/Olympus_Mons"),
            "unknown time zone \"Mars/Olympus_Mons\" (use an IANA name such as Europe/Berlin)");
  EXPECT_TRUE(CronSchedule::IsValidTimeZone("Europe/Berlin"));
  EXPECT_TRUE(CronSchedule::IsValidTimeZone("UTC"));
  EXPECT_FALSE(CronSchedule::IsValidTimeZone("Europe/Atlantis"));
  EXPECT_FALSE(CronSchedule::IsValidTimeZone(""));
}

}  // namespace
}  // namespace lifeboat
