#include "e2e/devcluster/jobs/replica_set_decide.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const WallTime kNow = *ParseRfc3339("2026-11-22T01:00:00Z");

json ReplicaSet(int replicas, int min_ready_seconds = 0) {
  json rs = {{"apiVersion", "apps/v1"},
             {"kind", "ReplicaSet"},
             {"metadata", {{"name", "web-abc"}, {"namespace", "default"}, {"uid", "rs-uid"}, {"generation", 3}}},
             {"spec",
              {{"replicas", replicas},
               {"selector", {{"matchLabels", {{"app", "web"}, {"pod-template-hash", "abc"}}}}},
               {"template", {{"metadata", {{"labels", {{"app", "web"}, {"pod-template-hash", "abc"}}}}}}}}},
             {"status", {{"replicas", 0}}}};
  if (min_ready_seconds > 0) rs["spec"]["minReadySeconds"] = min_ready_seconds;
  return rs;
}

// A pod of the ReplicaSet: phase, readiness (with when it became ready), node, creation time.
json Pod(const std::string& name, const std::string& phase, bool ready, const std::string& created = "2026-11-22T00:50:00Z",
         const std::string& ready_since = "2026-11-22T00:55:00Z", bool scheduled = true) {
  json pod = {{"metadata",
               {{"name", name},
                {"uid", name + "-uid"},
                {"creationTimestamp", created},
                {"labels", {{"app", "web"}, {"pod-template-hash", "abc"}}}}},
              {"spec", json::object()},
              {"status",
               {{"phase", phase},
                {"conditions",
                 json::array({{{"type", "Ready"}, {"status", ready ? "True" : "False"}, {"lastTransitionTime", ready_since}}})}}}};
  if (scheduled) pod["spec"]["nodeName"] = "lifeboat-devcluster";
  return pod;
}

TEST(DecideReplicaSetTest, CountsOnlyActivePodsAgainstReplicas) {
  struct Case {
    const char* name;
    int replicas;
    std::vector<json> pods;
    int create;
    size_t deletes;
  };
  json deleting = Pod("web-abc-ddddd", "Running", true);
  deleting["metadata"]["deletionTimestamp"] = "2026-11-22T00:59:00Z";
  const std::vector<Case> cases = {
      {"none yet", 2, {}, 2, 0},
      {"enough", 1, {Pod("web-abc-aaaaa", "Running", true)}, 0, 0},
      {"terminated pods are replaced", 1, {Pod("web-abc-aaaaa", "Failed", false), Pod("web-abc-bbbbb", "Succeeded", false)}, 1, 0},
      {"a terminating pod is replaced", 1, {deleting}, 1, 0},
      {"scaled to zero", 0, {Pod("web-abc-aaaaa", "Running", true), Pod("web-abc-bbbbb", "Pending", false)}, 0, 2},
      {"one too many", 1, {Pod("web-abc-aaaaa", "Running", true), Pod("web-abc-bbbbb", "Running", true)}, 0, 1},
  };
  for (const Case& c : cases) {
    ReplicaSetPlan plan = DecideReplicaSet(ReplicaSet(c.replicas), c.pods, kNow);
    EXPECT_EQ(plan.pods_to_create, c.create) << c.name;
    EXPECT_EQ(plan.pods_to_delete.size(), c.deletes) << c.name;
  }
}

TEST(DecideReplicaSetTest, DeletesPodsInEarlierPhasesOfStartupFirst) {
  const std::vector<json> pods = {
      Pod("old-ready", "Running", true, "2026-11-22T00:10:00Z"),
      Pod("new-ready", "Running", true, "2026-11-22T00:20:00Z"),
      Pod("running-not-ready", "Running", false),
      Pod("pending", "Pending", false),
      Pod("unscheduled", "Pending", false, "2026-11-22T00:01:00Z", "", false),
  };
  ReplicaSetPlan plan = DecideReplicaSet(ReplicaSet(0), pods, kNow);
  EXPECT_EQ(plan.pods_to_delete,
            (std::vector<std::string>{"unscheduled", "pending", "running-not-ready", "new-ready", "old-ready"}));
  plan = DecideReplicaSet(ReplicaSet(4), pods, kNow);
  EXPECT_EQ(plan.pods_to_delete, std::vector<std::string>{"unscheduled"});
}

TEST(DecideReplicaSetTest, ABeingDeletedReplicaSetLeavesItsPodsToTheGarbageCollector) {
  json rs = ReplicaSet(3);
  rs["metadata"]["deletionTimestamp"] = "2026-11-22T00:59:00Z";
  ReplicaSetPlan plan = DecideReplicaSet(rs, {}, kNow);
  EXPECT_EQ(plan.pods_to_create, 0);
  EXPECT_TRUE(plan.pods_to_delete.empty());
}

TEST(DecideReplicaSetTest, LooksAgainWhenAReadyPodBecomesAvailable) {
  // Ready since 00:59:50 with minReadySeconds 30: available after 01:00:20.
  ReplicaSetPlan plan =
      DecideReplicaSet(ReplicaSet(1, 30), {Pod("a", "Running", true, "2026-11-22T00:59:00Z", "2026-11-22T00:59:50Z")}, kNow);
  ASSERT_TRUE(plan.requeue_after.has_value());
  EXPECT_EQ(*plan.requeue_after, std::chrono::milliseconds(21000));
  plan = DecideReplicaSet(ReplicaSet(1, 30), {Pod("a", "Running", true)}, kNow);
  EXPECT_FALSE(plan.requeue_after.has_value()) << "already available";
}

TEST(ReplicaSetStatusAfterTest, CountsReadyAvailableAndFullyLabeledPods) {
  json other_labels = Pod("c", "Running", true);
  other_labels["metadata"]["labels"] = {{"app", "web"}};
  const std::vector<json> pods = {Pod("a", "Running", true), Pod("b", "Running", true, "2026-11-22T00:59:00Z", "2026-11-22T00:59:50Z"),
                                  other_labels, Pod("d", "Pending", false), Pod("e", "Failed", false)};
  json status = ReplicaSetStatusAfter(ReplicaSet(4, 30), pods, kNow, std::nullopt);
  EXPECT_EQ(status, (json{{"replicas", 4},
                          {"fullyLabeledReplicas", 3},
                          {"readyReplicas", 3},
                          {"availableReplicas", 2},
                          {"observedGeneration", 3}}));
}

TEST(ReplicaSetStatusAfterTest, ZeroCountsAreLeftOutButReplicasStays) {
  json rs = ReplicaSet(0);
  rs["status"] = {{"replicas", 2}, {"readyReplicas", 2}, {"availableReplicas", 2}, {"fullyLabeledReplicas", 2}};
  EXPECT_EQ(ReplicaSetStatusAfter(rs, {}, kNow, std::nullopt), (json{{"replicas", 0}, {"observedGeneration", 3}}));
}

TEST(ReplicaSetStatusAfterTest, ReplicaFailureComesWithAFailedPassAndGoesWithASuccessfulOne) {
  json rs = ReplicaSet(1);
  json failed = ReplicaSetStatusAfter(rs, {}, kNow, ReplicaSetFailure{"FailedCreate", "pods \"web-abc-x\" is forbidden"});
  ASSERT_TRUE(failed["conditions"].is_array());
  EXPECT_EQ(failed["conditions"][0]["type"], "ReplicaFailure");
  EXPECT_EQ(failed["conditions"][0]["status"], "True");
  EXPECT_EQ(failed["conditions"][0]["reason"], "FailedCreate");
  EXPECT_EQ(failed["conditions"][0]["message"], "pods \"web-abc-x\" is forbidden");
  EXPECT_EQ(failed["conditions"][0]["lastTransitionTime"], "2026-11-22T01:00:00Z");
  rs["status"] = failed;
  json again = ReplicaSetStatusAfter(rs, {}, kNow + seconds(5), ReplicaSetFailure{"FailedCreate", "another"});
  EXPECT_EQ(again, failed) << "the first failure is kept while passes keep failing";
  json healed = ReplicaSetStatusAfter(rs, {Pod("a", "Pending", false)}, kNow, std::nullopt);
  EXPECT_FALSE(healed.contains("conditions"));
  EXPECT_EQ(healed["replicas"], 1);
}

}  // namespace
}  // namespace lifeboat::devcluster
