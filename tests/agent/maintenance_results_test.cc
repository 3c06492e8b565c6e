// The verify, retention and check results read back exactly what was written, and read malformed
// fields as absent instead of failing.
#include "operator/agent/maintenance_results.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

TEST(MaintenanceResultsTest, VerifyResultRoundTrips) {
  VerifyResult written{"shop", {{"orders", "shop", true, ""}, {"users", "billing", false, "expected 4, got 3"}}, true};
  VerifyResult read = ParseVerifyResult(VerifyResultToJson(written));
  EXPECT_EQ(read.database, "shop");
  EXPECT_TRUE(read.checks_reported);
  ASSERT_EQ(read.checks.size(), 2u);
  EXPECT_EQ(read.checks[1].name, "users");
  EXPECT_EQ(read.checks[1].database, "billing");
  EXPECT_FALSE(read.checks[1].passed);
  EXPECT_EQ(read.checks[1].message, "expected 4, got 3");
}

TEST(MaintenanceResultsTest, AVerifyResultWithoutChecksSaysTheyDidNotRun) {
  EXPECT_FALSE(ParseVerifyResult({{"database", "shop"}}).checks_reported);
  EXPECT_FALSE(ParseVerifyResult({{"checks", "none"}}).checks_reported);
}

TEST(MaintenanceResultsTest, MalformedChecksAreSkippedNotFatal) {
  auto checks = ParseSqlCheckReports({1, {{"name", 2}, {"passed", "no"}}});
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].name, "");
  EXPECT_FALSE(checks[0].passed);
}

TEST(MaintenanceResultsTest, RetentionResultRoundTrips) {
  RetentionResult read = ParseRetentionResult(RetentionResultToJson({"shop", {"b3", "b2"}, {"b1"}, 4}));
  EXPECT_EQ(read.policy, "shop");
  EXPECT_EQ(read.kept, std::vector<std::string>({"b3", "b2"}));
  EXPECT_EQ(read.removed, std::vector<std::string>({"b1"}));
  EXPECT_EQ(read.forgotten_data_snapshots, 4);
}

TEST(MaintenanceResultsTest, CheckResultRoundTrips) {
  EXPECT_EQ(ParseCheckResult(CheckResultToJson({"1/5"})).read_data_subset, "1/5");
  EXPECT_EQ(ParseCheckResult(nullptr).read_data_subset, "");
}

}  // namespace
}  // namespace lifeboat::agent
