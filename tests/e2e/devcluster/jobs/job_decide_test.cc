#include "e2e/devcluster/jobs/job_decide.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const WallTime kNow = *ParseRfc3339("2026-11-22T01:00:00Z");

json Job(json spec_overrides = json::object(), json status = nullptr) {
  json job = {{"apiVersion", "batch/v1"},
              {"kind", "Job"},
              {"metadata", {{"name", "backup"}, {"namespace", "default"}, {"uid", "job-uid"}}},
              {"spec",
               {{"backoffLimit", 1},
                {"completions", 1},
                {"parallelism", 1},
                {"template", {{"spec", {{"restartPolicy", "Never"}, {"containers", json::array()}}}}}}}};
  if (spec_overrides.is_object()) job["spec"].update(spec_overrides);
  if (!status.is_null()) job["status"] = status;
  return job;
}

json Pod(const std::string& name, const std::string& phase, bool finalizer = true,
         const std::string& finished_at = "2026-11-22T00:59:59Z") {
  json pod = {{"metadata", {{"name", name}, {"uid", name + "-uid"}, {"creationTimestamp", "2026-11-22T00:59:00Z"}}},
              {"status", {{"phase", phase}}}};
  if (finalizer) pod["metadata"]["finalizers"] = json::array({kJobTrackingFinalizer});
  if (phase == "Failed" || phase == "Succeeded") {
    pod["status"]["containerStatuses"] = json::array(
        {{{"name", "main"},
          {"state", {{"terminated", {{"exitCode", phase == "Failed" ? 1 : 0}, {"finishedAt", finished_at}}}}}}});
  }
  return pod;
}

json Condition(const json& status, const std::string& type) {
  for (const json& c : status.value("conditions", json::array())) {
    if (c["type"] == type) return c;
  }
  return nullptr;
}

// Applies a plan the way the shell does (status written; released pods lose the finalizer;
// deleted pods vanish; created pods appear Pending) and returns the new world.
void Apply(const JobPlan& plan, json& job, std::vector<json>& pods, int& created) {
  if (plan.status) job["status"] = *plan.status;
  for (json& pod : pods) {
    const std::string name = pod["metadata"]["name"];
    if (std::find(plan.pods_to_release.begin(), plan.pods_to_release.end(), name) != plan.pods_to_release.end()) {
      pod["metadata"].erase("finalizers");
    }
  }
  std::erase_if(pods, [&](const json& pod) {
    const std::string name = pod["metadata"]["name"];
    return std::find(plan.pods_to_delete.begin(), plan.pods_to_delete.end(), name) != plan.pods_to_delete.end();
  });
  for (int i = 0; i < plan.pods_to_create; ++i) pods.push_back(Pod("p" + std::to_string(++created), "Pending"));
}

TEST(DecideJobTest, NewJobStartsOnePodAndRecordsStartTime) {
  JobPlan plan = DecideJob(Job(), {}, kNow);
  EXPECT_EQ(plan.pods_to_create, 1);
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ((*plan.status)["startTime"], "2026-11-22T01:00:00Z");
  EXPECT_EQ((*plan.status)["active"], 1);
  EXPECT_EQ((*plan.status)["ready"], 0);
  EXPECT_EQ((*plan.status)["terminating"], 0);
  EXPECT_EQ((*plan.status)["uncountedTerminatedPods"], json::object());
  EXPECT_FALSE(plan.status->contains("succeeded"));
  EXPECT_FALSE(plan.status->contains("failed"));
}

TEST(DecideJobTest, RunningPodNeedsNothingMore) {
  json job = Job({}, {{"startTime", "2026-11-22T00:59:00Z"}, {"active", 1}, {"ready", 0}, {"terminating", 0},
                      {"uncountedTerminatedPods", json::object()}});
  JobPlan plan = DecideJob(job, {Pod("p1", "Running")}, kNow);
  EXPECT_EQ(plan.pods_to_create, 0);
  EXPECT_TRUE(plan.pods_to_delete.empty());
  EXPECT_FALSE(plan.status.has_value());
  EXPECT_FALSE(plan.requeue_after.has_value());
}

TEST(DecideJobTest, SucceededPodIsCountedThroughUncountedTerminatedPodsThenCompletes) {
  json job = Job({}, {{"startTime", "2026-11-22T00:59:00Z"}});
  std::vector<json> pods = {Pod("p1", "Succeeded")};
  // First: the pod is recorded as uncounted and its finalizer released; the job is complete.
  JobPlan first = DecideJob(job, pods, kNow);
  ASSERT_TRUE(first.status.has_value());
  EXPECT_EQ((*first.status)["uncountedTerminatedPods"]["succeeded"], json::array({"p1-uid"}));
  EXPECT_EQ(first.pods_to_release, std::vector<std::string>{"p1"});
  EXPECT_EQ(Condition(*first.status, "SuccessCriteriaMet")["reason"], "CompletionsReached");
  EXPECT_EQ(Condition(*first.status, "Complete")["status"], "True");
  EXPECT_EQ((*first.status)["completionTime"], "2026-11-22T01:00:00Z");
  EXPECT_EQ(first.events, (std::vector<JobEvent>{{"Normal", "Completed", "Job completed"}}));
  int created = 0;
  Apply(first, job, pods, created);
  // Second: the finalizer is gone, so the pod moves into status.succeeded.
  JobPlan second = DecideJob(job, pods, kNow);
  ASSERT_TRUE(second.status.has_value());
  EXPECT_EQ((*second.status)["succeeded"], 1);
  EXPECT_EQ((*second.status)["uncountedTerminatedPods"], json::object());
  EXPECT_TRUE(second.events.empty());
  Apply(second, job, pods, created);
  // Third: converged.
  JobPlan third = DecideJob(job, pods, kNow);
  EXPECT_FALSE(third.status.has_value());
  EXPECT_TRUE(third.pods_to_release.empty());
  EXPECT_EQ(third.pods_to_create, 0);
}

TEST(DecideJobTest, FailedPodIsReplacedAfterBackoff) {
  json job = Job({{"backoffLimit", 3}}, {{"startTime", "2026-11-22T00:59:00Z"}, {"failed", 1}});
  std::vector<json> pods = {Pod("p1", "Failed", false, "2026-11-22T00:59:59Z")};
  JobDecideOptions options;
  options.pod_failure_backoff_base = std::chrono::milliseconds(10000);
  JobPlan waiting = DecideJob(job, pods, kNow, options);
  EXPECT_EQ(waiting.pods_to_create, 0);
  ASSERT_TRUE(waiting.requeue_after.has_value());
  EXPECT_EQ(*waiting.requeue_after, std::chrono::milliseconds(9000));
  JobPlan later = DecideJob(job, pods, kNow + seconds(9), options);
  EXPECT_EQ(later.pods_to_create, 1);
}

TEST(DecideJobTest, BackoffDoublesWithEveryFailure) {
  json job = Job({{"backoffLimit", 6}}, {{"startTime", "2026-11-22T00:59:00Z"}, {"failed", 3}});
  std::vector<json> pods = {Pod("p3", "Failed", false, "2026-11-22T01:00:00Z")};
  JobDecideOptions options;
  options.pod_failure_backoff_base = std::chrono::milliseconds(1000);
  JobPlan plan = DecideJob(job, pods, kNow, options);
  ASSERT_TRUE(plan.requeue_after.has_value());
  EXPECT_EQ(*plan.requeue_after, std::chrono::milliseconds(4000));
}

TEST(DecideJobTest, ExceedingBackoffLimitFailsTheJobWithTheRealReasonAndEvent) {
  json job = Job({{"backoffLimit", 1}}, {{"startTime", "2026-11-22T00:59:00Z"}, {"failed", 1}});
  std::vector<json> pods = {Pod("p1", "Failed", false), Pod("p2", "Failed")};
  JobPlan plan = DecideJob(job, pods, kNow);
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ(plan.pods_to_create, 0);
  const json failed = Condition(*plan.status, "Failed");
  EXPECT_EQ(failed["status"], "True");
  EXPECT_EQ(failed["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(failed["message"], "Job has reached the specified backoff limit");
  EXPECT_EQ(Condition(*plan.status, "FailureTarget")["reason"], "BackoffLimitExceeded");
  EXPECT_FALSE(plan.status->contains("completionTime"));
  EXPECT_EQ(plan.events, (std::vector<JobEvent>{{"Warning", "BackoffLimitExceeded",
                                                  "Job has reached the specified backoff limit"}}));
  EXPECT_EQ((*plan.status)["uncountedTerminatedPods"]["failed"], json::array({"p2-uid"}));
}

TEST(DecideJobTest, WithinBackoffLimitTheJobKeepsTrying) {
  json job = Job({{"backoffLimit", 2}}, {{"startTime", "2026-11-22T00:59:00Z"}, {"failed", 2}});
  JobPlan plan = DecideJob(job, {Pod("p2", "Failed", false, "2026-11-22T00:50:00Z")}, kNow);
  EXPECT_EQ(plan.pods_to_create, 1);
  EXPECT_EQ(Condition(plan.status.value_or(json::object()), "Failed"), nullptr);
}

TEST(DecideJobTest, OnFailureRestartsCountTowardsTheBackoffLimit) {
  json job = Job({{"backoffLimit", 2}}, {{"startTime", "2026-11-22T00:59:00Z"}});
  json pod = Pod("p1", "Running");
  pod["status"]["containerStatuses"] = json::array({{{"name", "main"}, {"restartCount", 3}}});
  JobPlan plan = DecideJob(job, {pod}, kNow);
  EXPECT_EQ(plan.pods_to_delete, std::vector<std::string>{"p1"});
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ(Condition(*plan.status, "FailureTarget")["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(Condition(*plan.status, "Failed"), nullptr);  // not before the pod has terminated
  EXPECT_EQ((*plan.status)["terminating"], 1);
}

TEST(DecideJobTest, ActiveDeadlineDeletesRunningPodsAndFailsOnceTheyAreGone) {
  json job = Job({{"activeDeadlineSeconds", 30}}, {{"startTime", "2026-11-22T00:59:00Z"}, {"active", 1}});
  std::vector<json> pods = {Pod("p1", "Running")};
  JobPlan plan = DecideJob(job, pods, kNow);
  EXPECT_EQ(plan.pods_to_delete, std::vector<std::string>{"p1"});
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ(Condition(*plan.status, "FailureTarget")["reason"], "DeadlineExceeded");
  EXPECT_EQ(Condition(*plan.status, "Failed"), nullptr);
  int created = 0;
  Apply(plan, job, pods, created);
  // The kubelet stopped the pod: it is now Failed, still carrying the finalizer.
  pods.push_back(Pod("p1", "Failed"));
  JobPlan next = DecideJob(job, pods, kNow + seconds(1));
  ASSERT_TRUE(next.status.has_value());
  const json failed = Condition(*next.status, "Failed");
  EXPECT_EQ(failed["reason"], "DeadlineExceeded");
  EXPECT_EQ(failed["message"], "Job was active longer than specified deadline");
  EXPECT_EQ(next.events, (std::vector<JobEvent>{{"Warning", "DeadlineExceeded",
                                                  "Job was active longer than specified deadline"}}));
}

TEST(DecideJobTest, ActiveDeadlineRequeuesForTheDeadline) {
  json job = Job({{"activeDeadlineSeconds", 120}}, {{"startTime", "2026-11-22T00:59:00Z"}});
  JobPlan plan = DecideJob(job, {Pod("p1", "Running")}, kNow);
  ASSERT_TRUE(plan.requeue_after.has_value());
  EXPECT_EQ(*plan.requeue_after, std::chrono::milliseconds(60000));
}

TEST(DecideJobTest, SuspendDeletesPodsAndResumeRestartsTheClock) {
  json job = Job({{"suspend", true}}, {{"startTime", "2026-11-22T00:59:00Z"}, {"active", 1}});
  std::vector<json> pods = {Pod("p1", "Running")};
  JobPlan suspend = DecideJob(job, pods, kNow);
  EXPECT_EQ(suspend.pods_to_delete, std::vector<std::string>{"p1"});
  EXPECT_EQ(suspend.pods_to_create, 0);
  ASSERT_TRUE(suspend.status.has_value());
  EXPECT_EQ(Condition(*suspend.status, "Suspended")["reason"], "JobSuspended");
  EXPECT_EQ(suspend.events, (std::vector<JobEvent>{{"Normal", "Suspended", "Job suspended"}}));
  int created = 0;
  Apply(suspend, job, pods, created);
  job["spec"]["suspend"] = false;
  JobPlan resume = DecideJob(job, pods, kNow + seconds(10));
  EXPECT_EQ(resume.pods_to_create, 1);
  ASSERT_TRUE(resume.status.has_value());
  EXPECT_EQ(Condition(*resume.status, "Suspended")["status"], "False");
  EXPECT_EQ((*resume.status)["startTime"], "2026-11-22T01:00:10Z");
  EXPECT_EQ(resume.events, (std::vector<JobEvent>{{"Normal", "Resumed", "Job resumed"}}));
}

TEST(DecideJobTest, CompletionsAndParallelismBoundTheActivePods) {
  json job = Job({{"completions", 5}, {"parallelism", 2}}, {{"startTime", "2026-11-22T00:59:00Z"}, {"succeeded", 4}});
  JobPlan plan = DecideJob(job, {}, kNow);
  EXPECT_EQ(plan.pods_to_create, 1);
  json fresh = Job({{"completions", 5}, {"parallelism", 2}});
  EXPECT_EQ(DecideJob(fresh, {}, kNow).pods_to_create, 2);
}

TEST(DecideJobTest, ParallelismDecreaseDeletesExcessPods) {
  json job = Job({{"completions", 5}, {"parallelism", 1}}, {{"startTime", "2026-11-22T00:59:00Z"}});
  JobPlan plan = DecideJob(job, {Pod("p1", "Running"), Pod("p2", "Running")}, kNow);
  EXPECT_EQ(plan.pods_to_delete.size(), 1u);
}

TEST(DecideJobTest, TtlAfterFinishedDeletesTheJobWhenItExpires) {
  json status = {{"startTime", "2026-11-22T00:58:00Z"},
                 {"completionTime", "2026-11-22T00:59:00Z"},
                 {"succeeded", 1},
                 {"ready", 0},
                 {"terminating", 0},
                 {"uncountedTerminatedPods", json::object()},
                 {"conditions", json::array({{{"type", "Complete"}, {"status", "True"}}})}};
  json job = Job({{"ttlSecondsAfterFinished", 100}}, status);
  JobPlan early = DecideJob(job, {}, kNow);
  EXPECT_FALSE(early.delete_job);
  ASSERT_TRUE(early.requeue_after.has_value());
  EXPECT_EQ(*early.requeue_after, std::chrono::milliseconds(40000));
  EXPECT_TRUE(DecideJob(job, {}, kNow + seconds(40)).delete_job);
}

TEST(DecideJobTest, FinishedJobStartsNothing) {
  json job = Job({}, {{"conditions", json::array({{{"type", "Failed"}, {"status", "True"}}})}, {"failed", 2}});
  JobPlan plan = DecideJob(job, {}, kNow);
  EXPECT_EQ(plan.pods_to_create, 0);
}

TEST(DecideJobTest, JobBeingDeletedReleasesEveryPod) {
  json job = Job();
  job["metadata"]["deletionTimestamp"] = "2026-11-22T00:59:00Z";
  JobPlan plan = DecideJob(job, {Pod("p1", "Running"), Pod("p2", "Failed", false)}, kNow);
  EXPECT_EQ(plan.pods_to_release, std::vector<std::string>{"p1"});
  EXPECT_EQ(plan.pods_to_create, 0);
  EXPECT_FALSE(plan.status.has_value());
}

TEST(DecideJobTest, DeletedPodStillTrackedIsCountedAsFailedOnce) {
  json job = Job({{"backoffLimit", 5}}, {{"startTime", "2026-11-22T00:59:00Z"},
                                         {"uncountedTerminatedPods", {{"failed", json::array({"gone-uid"})}}}});
  JobPlan plan = DecideJob(job, {}, kNow);
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ((*plan.status)["failed"], 1);
  EXPECT_EQ((*plan.status)["uncountedTerminatedPods"], json::object());
}

TEST(DecideJobTest, ReadyCountsRunningPodsWithReadyCondition) {
  json job = Job({}, {{"startTime", "2026-11-22T00:59:00Z"}});
  json pod = Pod("p1", "Running");
  pod["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", "True"}}});
  JobPlan plan = DecideJob(job, {pod}, kNow);
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ((*plan.status)["ready"], 1);
  EXPECT_EQ((*plan.status)["active"], 1);
}

// Every decision applied and decided again converges: a simulated run of a job whose pods fail
// twice and then succeed ends Complete with failed=2, succeeded=1, and nothing more to do.
TEST(DecideJobTest, SimulatedRunConvergesToCompleteWithExactCounts) {
  json job = Job({{"backoffLimit", 3}});
  std::vector<json> pods;
  int created = 0;
  WallTime now = kNow;
  for (int step = 0; step < 40; ++step) {
    JobPlan plan = DecideJob(job, pods, now);
    Apply(plan, job, pods, created);
    // The kubelet: the first two pods fail, the third succeeds.
    for (json& pod : pods) {
      if (pod["status"]["phase"] == "Pending") {
        const bool fail = pod["metadata"]["name"] != "p3";
        pod = Pod(pod["metadata"]["name"], fail ? "Failed" : "Succeeded", true, FormatRfc3339(now));
      }
    }
    now += seconds(5);
  }
  EXPECT_EQ(created, 3);
  EXPECT_EQ(job["status"]["failed"], 2);
  EXPECT_EQ(job["status"]["succeeded"], 1);
  EXPECT_EQ(Condition(job["status"], "Complete")["status"], "True");
  EXPECT_EQ(job["status"]["uncountedTerminatedPods"], json::object());
  JobPlan last = DecideJob(job, pods, now);
  EXPECT_FALSE(last.status.has_value());
  EXPECT_EQ(last.pods_to_create, 0);
}

TEST(DecideJobTest, OddInputsStillGiveAPlan) {
  for (const json& job : {json::object(), json{{"spec", nullptr}}, json{{"status", "weird"}},
                          json{{"spec", {{"completions", "x"}, {"backoffLimit", nullptr}}}}}) {
    JobPlan plan = DecideJob(job, {json::object(), json{{"status", nullptr}}}, kNow);
    EXPECT_GE(plan.pods_to_create, 0);
  }
}

}  // namespace
}  // namespace lifeboat::devcluster
