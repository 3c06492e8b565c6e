// The drill's result: failed checks come first and are never dropped for passed ones, the list is
// bounded with totals, and everything reads back as written.
#include "operator/agent/drill_result.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "operator/agent/scratch_postgres.h"

namespace lifeboat::agent {
namespace {

DrillCheck Passed(int i) { return {"t" + std::to_string(i), "RowCount", "", "", true, ""}; }

TEST(DrillResultTest, FailedChecksComeFirstAndSurviveTheBound) {
  DrillResult r;
  for (int i = 0; i < 100; ++i) AddDrillCheck(r, Passed(i));
  AddDrillCheck(r, {"public.orders_pkey", "Amcheck", "consistent", "corrupt", false, "index is corrupt"});
  EXPECT_EQ(r.checks_total, 101);
  EXPECT_EQ(r.checks_failed, 1);
  ASSERT_EQ(r.checks.size(), kMaxReportedChecks);
  EXPECT_EQ(r.checks.front().name, "public.orders_pkey");
}

TEST(DrillResultTest, RoundTrips) {
  DrillResult r;
  r.policy = "shop";
  r.server_version = "15.18";
  r.sources = {{"database:shop", "shop-1", "2026-11-22T01:30:00Z"}};
  AddDrillCheck(r, {"shop tables", "TableChecksum", "as in the manifest", "3 tables match", true, ""});
  r.rto_seconds = 12.5;
  r.rpo_seconds = 3600;
  r.report_snapshot_id = "4f2a9c1e";
  r.report_sha256 = "ab12";
  r.previous_report_sha256 = "cd34";
  const DrillResult back = ParseDrillResult(DrillResultToJson(r));
  EXPECT_EQ(DrillResultToJson(back), DrillResultToJson(r));
  EXPECT_EQ(back.sources[0].backup_id, "shop-1");
  EXPECT_EQ(back.checks[0].actual, "3 tables match");
  EXPECT_EQ(back.rpo_seconds, 3600);
  EXPECT_EQ(back.report_snapshot_id, "4f2a9c1e");
  EXPECT_EQ(back.previous_report_sha256, "cd34");
}

TEST(DrillResultTest, ARecoveryRoundTripsAndADumpDrillHasNone) {
  DrillResult r;
  r.policy = "shop";
  r.sources = {{"recovery:latest", "shop-base-3", "2026-11-22T02:59:04.500000Z"}};
  r.rpo_seconds = 75.5;
  r.recovery = DrillRecovery{"latest", "shop-base-3", "2026-11-22T02:59:04.500000Z", "0/5000100",
                             "2026-11-22T02:59:30.000000Z", 9, 4.25};
  const DrillResult back = ParseDrillResult(DrillResultToJson(r));
  ASSERT_TRUE(back.recovery.has_value());
  EXPECT_EQ(back.recovery->reached_time, "2026-11-22T02:59:04.500000Z");
  EXPECT_EQ(back.recovery->wal_snapshots, 9);
  EXPECT_EQ(back.recovery->replay_seconds, 4.25);
  EXPECT_EQ(DrillResultToJson(back), DrillResultToJson(r));
  EXPECT_FALSE(ParseDrillResult({{"rtoSeconds", 1}}).recovery.has_value());
  EXPECT_FALSE(DrillResultToJson(DrillResult{}).contains("recovery"));
}

TEST(DrillResultTest, AResultWithoutRpoHasNone) { EXPECT_FALSE(ParseDrillResult({{"rtoSeconds", 1}}).rpo_seconds); }

class ServerBinDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("lifeboat-pgroot-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root_ / "13" / "bin");
    std::filesystem::create_directories(root_ / "16" / "bin");
    std::ofstream(root_ / "13" / "bin" / "postgres") << "";
    std::ofstream(root_ / "16" / "bin" / "postgres") << "";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(ServerBinDirTest, TheManifestsMajorVersionChoosesTheServer) {
  auto dir = ServerBinDir("16.4 (Debian 16.4-1.pgdg120+1)", root_.string());
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_EQ(*dir, (root_ / "16" / "bin").string());
}

TEST_F(ServerBinDirTest, AMissingVersionNamesBothVersions) {
  auto dir = ServerBinDir("15.18", root_.string());
  EXPECT_EQ(dir.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(dir.status().message().find("PostgreSQL 15.18"), std::string::npos) << dir.status();
  EXPECT_NE(dir.status().message().find("installed: "), std::string::npos) << dir.status();
}

TEST_F(ServerBinDirTest, AManifestWithoutAVersionIsAClearError) {
  EXPECT_EQ(ServerBinDir("", root_.string()).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lifeboat::agent
