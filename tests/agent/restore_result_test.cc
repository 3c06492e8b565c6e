#include "operator/agent/restore_result.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

TEST(RestoreResultTest, RoundTripsEveryFieldUnderTheNamesDocsAgentMdGives) {
  RestoreResult r;
  r.repository = "/repository/restic";
  r.backup_time = "2026-11-22T01:30:00Z";
  r.policy = "shop";
  r.database = DatabaseRestoreReport{"shop", "shop", "d1", true, 0.5, 1.5, 2.5, 0.25, 4, true, 1,
                                     "shop_restoring_fix", true, "", "", false, {"app_owner"}, {"reporting"}};
  r.media = MediaRestoreReport{"uploads", "/media/0", "Merge", "m1", 10, 0, 3, "3 of 10 restored files could not be given ..."};
  r.checks = {{"one", "shop", true, ""}};
  r.mismatches = {"public.t rows: expected 10, got 9"};
  nlohmann::json j = RestoreResultToJson(r);
  EXPECT_EQ(j["database"]["checksumsVerified"], true);
  EXPECT_EQ(j["database"]["tablesVerified"], 4);
  EXPECT_EQ(j["database"]["rolesCreated"], nlohmann::json({"app_owner"}));
  EXPECT_TRUE(j["media"].is_object()) << "a restore's media is one object (a backup's is a list)";
  EXPECT_EQ(j["media"]["ownersNotRestored"], 3);
  RestoreResult back = ParseRestoreResult(j);
  EXPECT_EQ(RestoreResultToJson(back), j);
}

TEST(RestoreResultTest, OptionalFieldsAreLeftOutWhenTheySayNothing) {
  RestoreResult r;
  r.database = DatabaseRestoreReport{};
  nlohmann::json j = RestoreResultToJson(r);
  for (const char* key : {"stagingDatabase", "stagingDropped", "keptAs", "cleanupError", "targetDropped", "rolesCreated"}) {
    EXPECT_FALSE(j["database"].contains(key)) << key;
  }
  EXPECT_FALSE(j.contains("media"));
}

TEST(RestoreResultTest, FieldsOfAnUnexpectedTypeReadAsAbsent) {
  nlohmann::json j = {{"database", {{"tablesVerified", "four"}, {"checksumsVerified", 3}, {"rolesCreated", {1, "x"}}}},
                      {"media", nlohmann::json::array()}};
  RestoreResult r = ParseRestoreResult(j);
  ASSERT_TRUE(r.database.has_value());
  EXPECT_EQ(r.database->tables_verified, 0);
  EXPECT_FALSE(r.database->checksums_verified);
  EXPECT_EQ(r.database->roles_created, std::vector<std::string>{"x"});
  EXPECT_FALSE(r.media.has_value());
  EXPECT_FALSE(ParseRestoreResult(nlohmann::json("not an object")).database.has_value());
}

TEST(SwapDatabaseResultTest, RoundTripsEachAction) {
  SwapDatabaseResult swap;
  swap.action = "swap";
  swap.database = "shop";
  swap.staging = "shop_restoring_fix";
  swap.previous = "shop_before_fix";
  swap.swapped = true;
  swap.terminated_sessions = 2;
  swap.unavailable_seconds = 0.009;
  EXPECT_EQ(SwapDatabaseResultToJson(ParseSwapDatabaseResult(SwapDatabaseResultToJson(swap))), SwapDatabaseResultToJson(swap));
  SwapDatabaseResult rollback = swap;
  rollback.action = "rollback";
  rollback.live_intact = rollback.staging_dropped = true;
  rollback.state = "Database shop is the one from before the restore";
  nlohmann::json j = SwapDatabaseResultToJson(rollback);
  EXPECT_EQ(j["state"], rollback.state);
  EXPECT_FALSE(j.contains("unavailableSeconds"));
  EXPECT_EQ(ParseSwapDatabaseResult(j).state, rollback.state);
}

}  // namespace
}  // namespace lifeboat::agent
