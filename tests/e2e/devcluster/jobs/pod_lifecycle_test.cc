#include "e2e/devcluster/jobs/pod_lifecycle.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using State = ContainerRun::State;
using std::chrono::seconds;

const WallTime kNow = *ParseRfc3339("2026-11-22T01:00:00Z");

json PodSpec(const std::string& restart_policy, int init_count = 0, int container_count = 1) {
  json pod = {{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u"}}},
              {"spec", {{"restartPolicy", restart_policy}, {"containers", json::array()}}}};
  for (int i = 0; i < init_count; ++i) {
    pod["spec"]["initContainers"].push_back({{"name", "init" + std::to_string(i)}, {"image", "debian"}});
  }
  for (int i = 0; i < container_count; ++i) {
    pod["spec"]["containers"].push_back({{"name", "c" + std::to_string(i)}, {"image", "debian"}});
  }
  return pod;
}

void StartRunning(ContainerRun& c, WallTime at = kNow) {
  c.state = State::kRunning;
  c.started_at = at;
}

void Exit(ContainerRun& c, int code, WallTime at = kNow) {
  c.state = State::kTerminated;
  c.terminated = ContainerTermination{code, code == 0 ? "Completed" : "Error", "", at - seconds(1), at};
}

json Condition(const json& status, const std::string& type) {
  for (const json& c : status["conditions"]) {
    if (c["type"] == type) return c;
  }
  return nullptr;
}

TEST(PodLifecycleTest, InitContainersRunOneAfterAnotherBeforeTheContainers) {
  json pod = PodSpec("Never", 2, 2);
  PodRun run = NewPodRun(pod);
  PodStep step = DecidePodStep(run, kNow);
  EXPECT_EQ(step.start_init_container, 0u);
  EXPECT_TRUE(step.start_containers.empty());
  StartRunning(run.init_containers[0]);
  EXPECT_FALSE(DecidePodStep(run, kNow).start_init_container.has_value());
  EXPECT_EQ(PodPhase(run), "Pending");
  Exit(run.init_containers[0], 0);
  EXPECT_EQ(DecidePodStep(run, kNow).start_init_container, 1u);
  Exit(run.init_containers[1], 0);
  step = DecidePodStep(run, kNow);
  EXPECT_EQ(step.start_containers, (std::vector<size_t>{0, 1}));
}

TEST(PodLifecycleTest, FailedInitContainerWithRestartNeverFailsThePod) {
  PodRun run = NewPodRun(PodSpec("Never", 1));
  Exit(run.init_containers[0], 3);
  EXPECT_TRUE(DecidePodStep(run, kNow).terminal);
  EXPECT_EQ(PodPhase(run), "Failed");
}

TEST(PodLifecycleTest, FailedInitContainerWithOnFailureRestartsAfterBackoff) {
  PodRun run = NewPodRun(PodSpec("OnFailure", 1));
  Exit(run.init_containers[0], 3);
  PodStep step = DecidePodStep(run, kNow);
  EXPECT_EQ(step.backing_off_init_container, 0u);
  EXPECT_TRUE(step.wake_after.has_value());
  EXPECT_EQ(DecidePodStep(run, kNow + seconds(1)).start_init_container, 0u);
  EXPECT_EQ(PodPhase(run), "Pending");
}

TEST(PodLifecycleTest, PhasesFollowTheContainers) {
  PodRun run = NewPodRun(PodSpec("Never"));
  EXPECT_EQ(PodPhase(run), "Pending");
  StartRunning(run.containers[0]);
  EXPECT_EQ(PodPhase(run), "Running");
  Exit(run.containers[0], 0);
  EXPECT_EQ(PodPhase(run), "Succeeded");
  EXPECT_TRUE(DecidePodStep(run, kNow).terminal);
  Exit(run.containers[0], 1);
  EXPECT_EQ(PodPhase(run), "Failed");
}

TEST(PodLifecycleTest, OnFailureRestartsFailedContainersWithGrowingBackoffButNotSucceededOnes) {
  PodRun run = NewPodRun(PodSpec("OnFailure"));
  Exit(run.containers[0], 1);
  EXPECT_EQ(PodPhase(run), "Running");
  PodStep step = DecidePodStep(run, kNow);
  EXPECT_EQ(step.backing_off_containers, std::vector<size_t>{0});
  EXPECT_EQ(*step.wake_after, std::chrono::milliseconds(1000));
  run.containers[0].restart_count = 2;
  EXPECT_EQ(*DecidePodStep(run, kNow).wake_after, std::chrono::milliseconds(4000));
  EXPECT_EQ(DecidePodStep(run, kNow + seconds(4)).start_containers, std::vector<size_t>{0});
  Exit(run.containers[0], 0);
  EXPECT_TRUE(DecidePodStep(run, kNow).terminal);
  EXPECT_EQ(PodPhase(run), "Succeeded");
}

TEST(PodLifecycleTest, DeletionStopsRunningContainersThenFailsThePod) {
  PodRun run = NewPodRun(PodSpec("Never"));
  StartRunning(run.containers[0]);
  run.deleting = true;
  EXPECT_TRUE(DecidePodStep(run, kNow).stop_all);
  Exit(run.containers[0], 143);
  EXPECT_TRUE(DecidePodStep(run, kNow).terminal);
  EXPECT_EQ(PodPhase(run), "Failed");
}

TEST(PodLifecycleTest, ConfigErrorIsRetriedLater) {
  PodRun run = NewPodRun(PodSpec("Never"));
  run.containers[0].waiting_reason = "CreateContainerConfigError";
  run.containers[0].waiting_message = "secret \"db\" not found";
  run.containers[0].retry_not_before = kNow + seconds(2);
  PodStep step = DecidePodStep(run, kNow);
  EXPECT_TRUE(step.start_containers.empty());
  EXPECT_EQ(*step.wake_after, std::chrono::milliseconds(2000));
  EXPECT_EQ(DecidePodStep(run, kNow + seconds(2)).start_containers, std::vector<size_t>{0});
  json status = BuildPodStatus(PodSpec("Never"), json::object(), run, kNow);
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["waiting"]["reason"], "CreateContainerConfigError");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["waiting"]["message"], "secret \"db\" not found");
}

TEST(PodLifecycleTest, SucceededPodStatusLooksLikeTheRealKubelets) {
  json pod = PodSpec("Never");
  PodRun run = NewPodRun(pod);
  run.start_time = kNow - seconds(5);
  run.containers[0].container_id = "local://abc";
  Exit(run.containers[0], 0);
  run.containers[0].terminated->message = "{\"result\":\"ok\"}";
  json status = BuildPodStatus(pod, json::object(), run, kNow);
  EXPECT_EQ(status["phase"], "Succeeded");
  EXPECT_EQ(status["hostIP"], "127.0.0.1");
  EXPECT_EQ(status["podIP"], "127.0.0.1");
  EXPECT_EQ(status["qosClass"], "BestEffort");
  EXPECT_EQ(status["startTime"], "2026-11-22T00:59:55Z");
  const json& cs = status["containerStatuses"][0];
  EXPECT_EQ(cs["name"], "c0");
  EXPECT_EQ(cs["image"], "debian");
  EXPECT_EQ(cs["ready"], false);
  EXPECT_EQ(cs["restartCount"], 0);
  EXPECT_EQ(cs["state"]["terminated"]["exitCode"], 0);
  EXPECT_EQ(cs["state"]["terminated"]["reason"], "Completed");
  EXPECT_EQ(cs["state"]["terminated"]["message"], "{\"result\":\"ok\"}");
  EXPECT_EQ(cs["state"]["terminated"]["finishedAt"], "2026-11-22T01:00:00Z");
  EXPECT_EQ(Condition(status, "Ready")["reason"], "PodCompleted");
  EXPECT_EQ(Condition(status, "Ready")["status"], "False");
  EXPECT_EQ(Condition(status, "Initialized")["status"], "True");
  EXPECT_EQ(Condition(status, "PodScheduled")["status"], "True");
  EXPECT_EQ(Condition(status, "PodReadyToStartContainers")["status"], "False");
}

TEST(PodLifecycleTest, RunningPodIsReadyAndKeepsTransitionTimes) {
  json pod = PodSpec("Never");
  PodRun run = NewPodRun(pod);
  run.start_time = kNow;
  StartRunning(run.containers[0]);
  json first = BuildPodStatus(pod, json::object(), run, kNow);
  EXPECT_EQ(Condition(first, "Ready")["status"], "True");
  EXPECT_EQ(first["containerStatuses"][0]["state"]["running"]["startedAt"], "2026-11-22T01:00:00Z");
  json second = BuildPodStatus(pod, first, run, kNow + seconds(30));
  EXPECT_EQ(first, second);
}

TEST(PodLifecycleTest, PendingInitShowsIncompleteContainers) {
  json pod = PodSpec("Never", 1);
  PodRun run = NewPodRun(pod);
  StartRunning(run.init_containers[0]);
  json status = BuildPodStatus(pod, json::object(), run, kNow);
  EXPECT_EQ(Condition(status, "Initialized")["message"], "containers with incomplete status: [init0]");
  EXPECT_EQ(status["containerStatuses"][0]["state"]["waiting"]["reason"], "PodInitializing");
  EXPECT_EQ(status["initContainerStatuses"][0]["state"]["running"]["startedAt"], "2026-11-22T01:00:00Z");
}

TEST(PodLifecycleTest, RestartingContainerShowsCrashLoopBackOffAndLastState) {
  json pod = PodSpec("OnFailure");
  PodRun run = NewPodRun(pod);
  Exit(run.containers[0], 2);
  json status = BuildPodStatus(pod, json::object(), run, kNow);
  const json& cs = status["containerStatuses"][0];
  EXPECT_EQ(cs["state"]["waiting"]["reason"], "CrashLoopBackOff");
  EXPECT_EQ(cs["state"]["waiting"]["message"], "back-off 1s restarting failed container=c0 pod=p_ns(u)");
  EXPECT_EQ(cs["lastState"]["terminated"]["exitCode"], 2);
}

TEST(PodLifecycleTest, UnschedulablePodReportsPodScheduledFalse) {
  json pod = PodSpec("Never");
  PodRun run = NewPodRun(pod);
  run.unschedulable_message = "persistentvolumeclaim \"data\" not found";
  json status = BuildPodStatus(pod, json::object(), run, kNow);
  EXPECT_EQ(status["phase"], "Pending");
  EXPECT_EQ(Condition(status, "PodScheduled")["reason"], "Unschedulable");
  EXPECT_EQ(Condition(status, "PodScheduled")["message"],
            "0/1 nodes are available: persistentvolumeclaim \"data\" not found.");
  EXPECT_TRUE(DecidePodStep(run, kNow).start_containers.empty());
}

TEST(PodLifecycleTest, QosClassFollowsResources) {
  json pod = PodSpec("Never");
  pod["spec"]["containers"][0]["resources"] = {{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}};
  EXPECT_EQ(BuildPodStatus(pod, json::object(), NewPodRun(pod), kNow)["qosClass"], "Guaranteed");
  pod["spec"]["containers"][0]["resources"] = {{"requests", {{"cpu", "1"}}}};
  EXPECT_EQ(BuildPodStatus(pod, json::object(), NewPodRun(pod), kNow)["qosClass"], "Burstable");
}

}  // namespace
}  // namespace lifeboat::devcluster
