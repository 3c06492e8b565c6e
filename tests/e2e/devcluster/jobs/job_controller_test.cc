#include "e2e/devcluster/jobs/job_controller.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"
#include "tests/e2e/devcluster/jobs/fake_cluster_api.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using testing::FakeClusterApi;

json Job(int backoff_limit) {
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", {{"name", "backup"}, {"namespace", "default"}}},
          {"spec",
           {{"backoffLimit", backoff_limit},
            {"completions", 1},
            {"parallelism", 1},
            {"template", {{"spec", {{"restartPolicy", "Never"}, {"containers", json::array({{{"name", "main"}}})}}}}}}}};
}

class JobControllerTest : public ::testing::Test {
 protected:
  JobControllerTest() : controller_(api_, clock_, JobDecideOptions{std::chrono::milliseconds(0), std::chrono::milliseconds(0)}, 7) {}

  // A kubelet stand-in: every Pending pod terminates, failing while fewer than `failures` pods
  // failed before it; a deleted pod with the finalizer is marked Failed.
  void RunPods(int failures) {
    auto pods = api_.List(kPodsResource, "default", "");
    ASSERT_TRUE(pods.ok());
    for (const json& pod : *pods) {
      const std::string phase = pod.value("status", json::object()).value("phase", "");
      if (phase == "Succeeded" || phase == "Failed") continue;
      const bool fail = failed_so_far_ < failures || pod["metadata"].contains("deletionTimestamp");
      if (fail) ++failed_so_far_;
      api_.Mutate(kPodsResource, "default", pod["metadata"]["name"], [&](json& p) {
        p["status"] = {{"phase", fail ? "Failed" : "Succeeded"},
                       {"containerStatuses",
                        json::array({{{"name", "main"},
                                      {"state", {{"terminated", {{"exitCode", fail ? 1 : 0},
                                                                 {"finishedAt", FormatRfc3339(clock_.Now())}}}}}}})}};
      });
    }
  }

  json Status() { return (*api_.Get(kJobsResource, "default", "backup"))["status"]; }

  bool Condition(const std::string& type) {
    for (const json& c : Status().value("conditions", json::array())) {
      if (c["type"] == type && c["status"] == "True") return true;
    }
    return false;
  }

  FakeClusterApi api_;
  lifeboat::testing::FakeClock clock_;
  JobController controller_;
  int failed_so_far_ = 0;
};

TEST_F(JobControllerTest, CreatesThePodWithAnEventAndRecordsActive) {
  ASSERT_TRUE(api_.Create(kJobsResource, "default", Job(1)).ok());
  controller_.Sync();
  auto pods = api_.List(kPodsResource, "default", "job-name=backup");
  ASSERT_TRUE(pods.ok());
  ASSERT_EQ(pods->size(), 1u);
  EXPECT_EQ((*pods)[0]["metadata"]["name"].get<std::string>().rfind("backup-", 0), 0u);
  EXPECT_EQ(Status()["active"], 1);
  auto events = api_.List(kEventsResource, "default", "");
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0]["reason"], "SuccessfulCreate");
  EXPECT_EQ((*events)[0]["message"], "Created pod: " + (*pods)[0]["metadata"]["name"].get<std::string>());
  EXPECT_EQ((*events)[0]["source"]["component"], "job-controller");
  EXPECT_EQ((*events)[0]["involvedObject"]["kind"], "Job");
  controller_.Sync();  // nothing more to do
  EXPECT_EQ(api_.Creates("pods"), 1);
}

TEST_F(JobControllerTest, ReleasesPodsWhoseJobIsGone) {
  ASSERT_TRUE(api_.Create(kJobsResource, "default", Job(1)).ok());
  controller_.Sync();
  ASSERT_TRUE(api_.Delete(kJobsResource, "default", "backup", "").ok());
  // The pod is being deleted but held by the tracking finalizer until the controller lets go.
  ASSERT_EQ(api_.List(kPodsResource, "default", "")->size(), 1u);
  controller_.Sync();
  EXPECT_TRUE(api_.List(kPodsResource, "default", "")->empty());
}

// A crash (a failed write) between any two actions loses nothing and duplicates nothing: whatever
// write fails, the job ends Complete with exactly 2 failed and 1 succeeded pods and 3 pods created.
TEST(JobControllerCrashTest, AFailedWriteAnywhereStillConvergesToExactCounts) {
  for (int fail_at = 1; fail_at <= 30; ++fail_at) {
    FakeClusterApi api;
    lifeboat::testing::FakeClock clock;
    JobController controller(api, clock, JobDecideOptions{std::chrono::milliseconds(0), std::chrono::milliseconds(0)}, 11);
    ASSERT_TRUE(api.Create(kJobsResource, "default", Job(3)).ok());
    api.FailWrite(fail_at);
    int failed_so_far = 0;
    for (int round = 0; round < 30; ++round) {
      controller.Sync();
      const std::vector<json> pods = *api.List(kPodsResource, "default", "");
      for (const json& pod : pods) {
        const std::string phase = pod.value("status", json::object()).value("phase", "");
        if (phase == "Succeeded" || phase == "Failed") continue;
        const bool fail = failed_so_far < 2;
        if (fail) ++failed_so_far;
        api.Mutate(kPodsResource, "default", pod["metadata"]["name"], [&](json& p) {
          p["status"] = {{"phase", fail ? "Failed" : "Succeeded"}};
        });
      }
      clock.Advance(std::chrono::seconds(1));
    }
    const json status = (*api.Get(kJobsResource, "default", "backup"))["status"];
    EXPECT_EQ(api.Creates("pods"), 3) << "failed write " << fail_at;
    EXPECT_EQ(status.value("failed", 0), 2) << "failed write " << fail_at;
    EXPECT_EQ(status.value("succeeded", 0), 1) << "failed write " << fail_at;
    EXPECT_EQ(status["uncountedTerminatedPods"], json::object()) << "failed write " << fail_at;
    bool complete = false;
    for (const json& c : status.value("conditions", json::array())) complete |= c["type"] == "Complete";
    EXPECT_TRUE(complete) << "failed write " << fail_at;
  }
}

TEST_F(JobControllerTest, BackoffLimitExceededEndsWithTheWarningEvent) {
  ASSERT_TRUE(api_.Create(kJobsResource, "default", Job(1)).ok());
  for (int round = 0; round < 10; ++round) {
    controller_.Sync();
    RunPods(5);
    clock_.Advance(std::chrono::seconds(1));
  }
  EXPECT_TRUE(Condition("Failed"));
  EXPECT_EQ(Status()["failed"], 2);
  EXPECT_EQ(api_.Creates("pods"), 2);
  int warnings = 0;
  const std::vector<json> events = *api_.List(kEventsResource, "default", "");
  for (const json& e : events) {
    if (e["type"] == "Warning") {
      ++warnings;
      EXPECT_EQ(e["reason"], "BackoffLimitExceeded");
    }
  }
  EXPECT_EQ(warnings, 1);
}

}  // namespace
}  // namespace lifeboat::devcluster
