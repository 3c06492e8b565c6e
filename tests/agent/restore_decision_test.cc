#include "operator/agent/restore_decision.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

constexpr auto kSwap = ReplaceStrategy::kSwap;
constexpr auto kInPlace = ReplaceStrategy::kInPlace;

TEST(RestoreDecisionTest, NewDatabaseRestoresIntoStagingWhileTheTargetIsMissing) {
  auto a = DecideTargetDatabase(DatabaseRestoreMode::kNewDatabase, kSwap, "t", false, false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, TargetAction::kStage);
}

TEST(RestoreDecisionTest, SwapReplaceStagesBesideTheLiveDatabaseWithoutTouchingIt) {
  for (bool safety : {false, true}) {
    EXPECT_EQ(*DecideTargetDatabase(DatabaseRestoreMode::kReplace, kSwap, "t", true, safety), TargetAction::kStage);
  }
}

TEST(RestoreDecisionTest, NewDatabaseRefusesAnExistingTargetEvenWithSafetyBackup) {
  for (bool safety : {false, true}) {
    auto a = DecideTargetDatabase(DatabaseRestoreMode::kNewDatabase, kSwap, "t", true, safety);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.status().code(), StatusCode::kFailedPrecondition);
  }
}

TEST(RestoreDecisionTest, InPlaceReplaceNeedsTheSafetyBackupConfirmed) {
  for (bool exists : {false, true}) {
    auto a = DecideTargetDatabase(DatabaseRestoreMode::kReplace, kInPlace, "t", exists, false);
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.status().message().find("--safety-backup-done"), std::string::npos);
  }
  EXPECT_EQ(*DecideTargetDatabase(DatabaseRestoreMode::kReplace, kInPlace, "t", true, true), TargetAction::kDropAndCreate);
  EXPECT_EQ(*DecideTargetDatabase(DatabaseRestoreMode::kReplace, kInPlace, "t", false, true), TargetAction::kCreate);
}

TEST(RestoreDecisionTest, ParsesModes) {
  EXPECT_EQ(*ParseDatabaseRestoreMode("Replace"), DatabaseRestoreMode::kReplace);
  EXPECT_FALSE(ParseDatabaseRestoreMode("replace").ok());
  EXPECT_EQ(*ParseMediaRestoreMode("Merge"), MediaRestoreMode::kMerge);
  EXPECT_FALSE(ParseMediaRestoreMode("Overwrite").ok());
  EXPECT_EQ(*ParseReplaceStrategy("InPlace"), ReplaceStrategy::kInPlace);
  EXPECT_FALSE(ParseReplaceStrategy("inplace").ok());
}

}  // namespace
}  // namespace lifeboat::agent
