#include "controllers/common/job_state.h"

#include <gtest/gtest.h>

namespace lifeboat::controllers {
namespace {

TEST(JobStateTest, AJobWithoutConditionsIsRunning) {
  auto s = ReadJobState({{"metadata", {{"name", "j"}, {"creationTimestamp", "2026-11-22T01:00:00Z"}}}});
  EXPECT_EQ(s.phase, JobPhase::kRunning);
  EXPECT_FALSE(s.finished());
  EXPECT_TRUE(s.creation_time.has_value());
}

TEST(JobStateTest, CompleteAndFailedConditionsFinishTheJob) {
  auto ok = ReadJobState({{"metadata", {{"name", "j"}}},
                          {"status", {{"completionTime", "2026-11-22T01:00:05Z"},
                                      {"conditions", {{{"type", "Complete"}, {"status", "True"}}}}}}});
  EXPECT_EQ(ok.phase, JobPhase::kSucceeded);
  EXPECT_TRUE(ok.completion_time.has_value());
  auto failed = ReadJobState(
      {{"metadata", {{"name", "j"}, {"deletionTimestamp", "2026-11-22T01:00:09Z"}}},
       {"status", {{"conditions", {{{"type", "Failed"}, {"status", "True"}, {"reason", "BackoffLimitExceeded"},
                                    {"message", "Job has reached the specified backoff limit"},
                                    {"lastTransitionTime", "2026-11-22T01:00:08Z"}}}}}}});
  EXPECT_EQ(failed.phase, JobPhase::kFailed);
  EXPECT_EQ(failed.failure_reason, "BackoffLimitExceeded");
  EXPECT_TRUE(failed.completion_time.has_value());
  EXPECT_TRUE(failed.deleting);
}

TEST(JobStateTest, ToleratesMalformedObjects) {
  auto s = ReadJobState({{"metadata", 3}, {"status", {{"conditions", "x"}}}});
  EXPECT_EQ(s.phase, JobPhase::kRunning);
  EXPECT_TRUE(s.name.empty());
}

}  // namespace
}  // namespace lifeboat::controllers
