// Drill objectives: measured RTO and RPO are judged against spec.objectives, the same way for the
// report the agent stores and for the controller's ObjectivesMet condition.
#include "operator/agent/drill_objectives.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

TEST(DrillObjectivesTest, WithoutObjectivesNothingIsJudged) {
  EXPECT_FALSE(JudgeObjectives("", 100, "", 3600).met.has_value());
}

TEST(DrillObjectivesTest, BothWithinMeansMet) {
  const ObjectivesVerdict v = JudgeObjectives("10m", 599.9, "26h", 25 * 3600.0);
  ASSERT_TRUE(v.met.has_value());
  EXPECT_TRUE(*v.met);
  EXPECT_EQ(v.missed, "");
}

TEST(DrillObjectivesTest, EachMissedObjectiveIsNamedWithTheMeasuredValue) {
  const ObjectivesVerdict v = JudgeObjectives("1ms", 6.5565, "1h", 7200);
  ASSERT_TRUE(v.met.has_value());
  EXPECT_FALSE(*v.met);
  EXPECT_EQ(v.missed, "RTO 6.557s > objective 1ms; RPO 2h > objective 1h");
}

TEST(DrillObjectivesTest, OneObjectiveAloneIsJudged) {
  EXPECT_FALSE(*JudgeObjectives("", 10, "1h", 7200).met);
  EXPECT_TRUE(*JudgeObjectives("1m", 10, "", std::nullopt).met);
}

TEST(DrillObjectivesTest, AnUnmeasuredRpoIsNotJudged) {
  EXPECT_FALSE(JudgeObjectives("", 10, "1h", std::nullopt).met.has_value());
}

}  // namespace
}  // namespace lifeboat::agent
