#include "operator/core/conditions.h"

#include <gtest/gtest.h>

namespace lifeboat {
namespace {

using namespace std::chrono_literals;

Condition Ready(ConditionStatus status, const std::string& reason, std::int64_t generation = 1) {
  return Condition{"Ready", status, reason, "Some message", WallTime{}, generation};
}

TEST(ConditionsTest, AddingAConditionStampsTheTransitionTime) {
  std::vector<Condition> conditions;
  WallTime now = WallTime{} + 1000h;
  EXPECT_TRUE(SetCondition(conditions, Ready(ConditionStatus::kTrue, "Valid"), now));
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].last_transition_time, now);
}

TEST(ConditionsTest, TransitionTimeOnlyChangesWhenStatusChanges) {
  std::vector<Condition> conditions;
  WallTime t0 = WallTime{} + 1000h;
  SetCondition(conditions, Ready(ConditionStatus::kTrue, "Valid"), t0);
  // Same status, new reason and generation: updated, but the transition time stays.
  EXPECT_TRUE(SetCondition(conditions, Ready(ConditionStatus::kTrue, "StillValid", 2), t0 + 1h));
  EXPECT_EQ(conditions[0].last_transition_time, t0);
  EXPECT_EQ(conditions[0].reason, "StillValid");
  EXPECT_EQ(conditions[0].observed_generation, 2);
  // Status flips: the transition time moves.
  EXPECT_TRUE(SetCondition(conditions, Ready(ConditionStatus::kFalse, "SecretMissing", 2), t0 + 2h));
  EXPECT_EQ(conditions[0].last_transition_time, t0 + 2h);
  EXPECT_EQ(conditions.size(), 1u);
}

TEST(ConditionsTest, SettingAnIdenticalConditionReportsNoChange) {
  std::vector<Condition> conditions;
  WallTime t0 = WallTime{} + 1000h;
  SetCondition(conditions, Ready(ConditionStatus::kTrue, "Valid"), t0);
  EXPECT_FALSE(SetCondition(conditions, Ready(ConditionStatus::kTrue, "Valid"), t0 + 5h));
  EXPECT_EQ(conditions[0].last_transition_time, t0);
}

TEST(ConditionsTest, FindIsTrueAndRemoveWorkByType) {
  std::vector<Condition> conditions;
  WallTime now = WallTime{} + 1h;
  SetCondition(conditions, Ready(ConditionStatus::kTrue, "Valid"), now);
  SetCondition(conditions, Condition{"RPOMet", ConditionStatus::kFalse, "BackupTooOld", "m", {}, 1}, now);
  ASSERT_NE(FindCondition(conditions, "RPOMet"), nullptr);
  EXPECT_EQ(FindCondition(conditions, "RPOMet")->reason, "BackupTooOld");
  EXPECT_EQ(FindCondition(conditions, "Missing"), nullptr);
  EXPECT_TRUE(IsConditionTrue(conditions, "Ready"));
  EXPECT_FALSE(IsConditionTrue(conditions, "RPOMet"));
  EXPECT_FALSE(IsConditionTrue(conditions, "Missing"));
  EXPECT_TRUE(RemoveCondition(conditions, "Ready"));
  EXPECT_FALSE(RemoveCondition(conditions, "Ready"));
  EXPECT_EQ(conditions.size(), 1u);
}

TEST(ConditionsTest, StatusNamesRoundTrip) {
  for (ConditionStatus s : {ConditionStatus::kTrue, ConditionStatus::kFalse, ConditionStatus::kUnknown}) {
    EXPECT_EQ(ParseConditionStatus(ConditionStatusName(s)), s);
  }
  EXPECT_FALSE(ParseConditionStatus("true").has_value());
}

TEST(ConditionsTest, ValidatesTheMetav1ConditionShape) {
  EXPECT_EQ(ValidateCondition(Ready(ConditionStatus::kTrue, "Valid")), "");
  EXPECT_EQ(ValidateCondition(Condition{"lifeboat.dev/Quiesced", ConditionStatus::kTrue, "Done", "", {}, 0}), "");
  EXPECT_NE(ValidateCondition(Ready(ConditionStatus::kTrue, "Not valid")), "");
  EXPECT_NE(ValidateCondition(Ready(ConditionStatus::kTrue, "")), "");
  EXPECT_NE(ValidateCondition(Condition{"Bad Type", ConditionStatus::kTrue, "R", "", {}, 0}), "");
  EXPECT_NE(ValidateCondition(Ready(ConditionStatus::kTrue, "Valid", -1)), "");
}

}  // namespace
}  // namespace lifeboat
