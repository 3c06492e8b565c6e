#include "controllers/common/job_naming.h"

#include <gtest/gtest.h>

#include <set>

#include "operator/core/time_format.h"

namespace lifeboat::controllers {
namespace {

TEST(JobNamingTest, ShortNamesAreParentDashRun) {
  EXPECT_EQ(DeterministicJobName("shop", "202611220600"), "shop-202611220600");
}

TEST(JobNamingTest, ScheduledRunPartIsTheUtcMinute) {
  auto t = ParseRfc3339("2026-11-22T06:00:59Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ScheduledRunPart(*t), "202611220600");
}

TEST(JobNamingTest, LongNamesAreShortenedWithAHashAndStayDistinct) {
  const std::string parent(70, 'a');
  const std::string a = DeterministicJobName(parent, "202611220600");
  const std::string b = DeterministicJobName(parent, "202611220700");
  const std::string c = DeterministicJobName(parent + "b", "202611220600");
  EXPECT_LE(a.size(), kMaxJobNameLength);
  EXPECT_LE(c.size(), kMaxJobNameLength);
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a, DeterministicJobName(parent, "202611220600"));  // Deterministic.
  EXPECT_NE(a.find("202611220600"), std::string::npos);        // Still readable.
}

TEST(JobNamingTest, NamesAreValidDnsLabels) {
  for (const auto& [parent, run] : std::vector<std::pair<std::string, std::string>>{
           {"Shop_DB", "now-1"}, {std::string(62, 'x'), "z"}, {"a", std::string(80, '-')}, {"-x-", "y-"}}) {
    const std::string name = DeterministicJobName(parent, run);
    ASSERT_FALSE(name.empty());
    EXPECT_LE(name.size(), kMaxJobNameLength) << name;
    EXPECT_NE(name.front(), '-') << name;
    EXPECT_NE(name.back(), '-') << name;
    for (char ch : name) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-') << name;
  }
}

TEST(JobNamingTest, OnDemandRunPartDependsOnlyOnTheValue) {
  EXPECT_EQ(OnDemandRunPart("2026-11-22 please"), OnDemandRunPart("2026-11-22 please"));
  EXPECT_NE(OnDemandRunPart("1"), OnDemandRunPart("2"));
  EXPECT_EQ(OnDemandRunPart("x").rfind("now-", 0), 0u);
}

}  // namespace
}  // namespace lifeboat::controllers
