#include "operator/agent/restore_decision.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

TEST(RestoreDecisionTest, NewDatabaseCreatesAMissingTarget) {
  auto a = DecideTargetDatabase(DatabaseRestoreMode::kNewDatabase, "t", false, false);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, TargetAction::kCreate);
}

TEST(RestoreDecisionTest, NewDatabaseRefusesAnExistingTargetEvenWithSafetyBackup) {
  for (bool safety : {false, true}) {
    auto a = DecideTargetDatabase(DatabaseRestoreMode::kNewDatabase, "t", true, safety);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(a.status().code(), StatusCode::kFailedPrecondition);
  }
}

TEST(RestoreDecisionTest, ReplaceNeedsTheSafetyBackupConfirmed) {
  for (bool exists : {false, true}) {
    auto a = DecideTargetDatabase(DatabaseRestoreMode::kReplace, "t", exists, false);
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.status().message().find("--safety-backup-done"), std::string::npos);
  }
  EXPECT_EQ(*DecideTargetDatabase(DatabaseRestoreMode::kReplace, "t", true, true), TargetAction::kDropAndCreate);
  EXPECT_EQ(*DecideTargetDatabase(DatabaseRestoreMode::kReplace, "t", false, true), TargetAction::kCreate);
}

TEST(RestoreDecisionTest, ParsesModes) {
  EXPECT_EQ(*ParseDatabaseRestoreMode("Replace"), DatabaseRestoreMode::kReplace);
  EXPECT_FALSE(ParseDatabaseRestoreMode("replace").ok());
  EXPECT_EQ(*ParseMediaRestoreMode("Merge"), MediaRestoreMode::kMerge);
  EXPECT_FALSE(ParseMediaRestoreMode("Overwrite").ok());
}

}  // namespace
}  // namespace lifeboat::agent
