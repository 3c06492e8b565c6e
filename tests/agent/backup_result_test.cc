#include "operator/agent/backup_result.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

BackupResult AFullResult() {
  BackupResult r;
  r.policy = "shop";
  r.run_kind = "scheduled";
  r.repository = "/repository/restic";
  r.manifest_snapshot_id = "m1";
  r.size_bytes = 6006;
  r.databases = {{"shop", "shop", "d1", 5000, 2, 1002, "15.18", "0/194D438"}};
  r.media = {{"uploads", "x1", 4, 1006, 512}};
  r.retention = RetentionReport{3, {"shop-old"}, ""};
  r.check = CheckReport{"10%", true};
  return r;
}

TEST(BackupResultTest, RoundTripsEveryFieldUnderTheNamesDocsAgentMdGives) {
  nlohmann::json j = BackupResultToJson(AFullResult());
  EXPECT_TRUE(j["media"].is_array()) << "a backup's media is a list (a restore's is one object)";
  EXPECT_EQ(j["databases"][0]["sizeBytes"], 5000);
  EXPECT_EQ(j["media"][0]["bytes"], 1006);
  EXPECT_EQ(j["retention"]["removed"], nlohmann::json({"shop-old"}));
  EXPECT_EQ(j["check"]["ok"], true);
  EXPECT_EQ(BackupResultToJson(ParseBackupResult(j)), j);
}

TEST(BackupResultTest, AFailedRetentionIsReportedAsItsErrorOnly) {
  BackupResult r = AFullResult();
  r.retention = RetentionReport{0, {}, "repository is locked"};
  nlohmann::json j = BackupResultToJson(r);
  EXPECT_EQ(j["retention"], nlohmann::json({{"error", "repository is locked"}}));
  EXPECT_EQ(ParseBackupResult(j).retention->error, "repository is locked");
}

TEST(BackupResultTest, FieldsOfAnUnexpectedTypeReadAsAbsent) {
  BackupResult r = ParseBackupResult({{"databases", {{{"source", 1}, {"rows", "many"}}, "not an object"}},
                                      {"media", nlohmann::json::array({{{"source", "uploads"}}})},
                                      {"sizeBytes", "big"}});
  ASSERT_EQ(r.databases.size(), 1u);
  EXPECT_EQ(r.databases[0].source, "");
  EXPECT_EQ(r.databases[0].rows, 0);
  EXPECT_FALSE(r.size_bytes.has_value());
  ASSERT_EQ(r.media.size(), 1u);
  EXPECT_FALSE(r.media[0].bytes.has_value());
  EXPECT_TRUE(ParseBackupResult(nlohmann::json::array()).databases.empty());
}

}  // namespace
}  // namespace lifeboat::agent
