#include "e2e/devcluster/jobs/deployment_decide.h"

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "e2e/devcluster/jobs/pod_template_hash.h"
#include "e2e/devcluster/jobs/replica_set_decide.h"
#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::seconds;

const WallTime kNow = *ParseRfc3339("2026-11-22T01:00:00Z");

json Template(const std::string& image) {
  return {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec", {{"restartPolicy", "Always"}, {"containers", json::array({{{"name", "web"}, {"image", image}}})}}}};
}

json Deployment(int replicas, const std::string& strategy = "RollingUpdate", const std::string& image = "web:1") {
  json d = {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", "web"}, {"namespace", "default"}, {"uid", "d-uid"}, {"generation", 1}}},
            {"spec",
             {{"replicas", replicas},
              {"selector", {{"matchLabels", {{"app", "web"}}}}},
              {"template", Template(image)},
              {"strategy", {{"type", strategy}}},
              {"revisionHistoryLimit", 10},
              {"progressDeadlineSeconds", 600}}},
            {"status", json::object()}};
  if (strategy == "RollingUpdate") d["spec"]["strategy"]["rollingUpdate"] = {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}};
  return d;
}

// A ReplicaSet of the deployment for `image`, at revision `revision`, with spec and status counts.
json ReplicaSet(const json& d, const std::string& image, int revision, int spec, int status_replicas, int available,
                const std::string& created = "2026-11-22T00:00:00Z") {
  const std::string hash = PodTemplateHash(Template(image), std::nullopt);
  json tmpl = Template(image);
  tmpl["metadata"]["labels"]["pod-template-hash"] = hash;
  json status = {{"replicas", status_replicas}, {"observedGeneration", 1}};
  if (available) status["availableReplicas"] = available, status["readyReplicas"] = available;
  return {{"apiVersion", "apps/v1"},
          {"kind", "ReplicaSet"},
          {"metadata",
           {{"name", "web-" + hash},
            {"namespace", "default"},
            {"uid", "rs-" + image},
            {"generation", 1},
            {"creationTimestamp", created},
            {"annotations",
             {{kRevisionAnnotation, std::to_string(revision)},
              {kDesiredReplicasAnnotation, std::to_string(d["spec"]["replicas"].get<int>())},
              {kMaxReplicasAnnotation, std::to_string(d["spec"]["replicas"].get<int>() + 1)}}},
            {"ownerReferences", json::array({{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "web"},
                                              {"uid", "d-uid"}, {"controller", true}, {"blockOwnerDeletion", true}}})}}},
          {"spec",
           {{"replicas", spec},
            {"selector", {{"matchLabels", {{"app", "web"}, {"pod-template-hash", hash}}}}},
            {"template", tmpl}}},
          {"status", status}};
}

json Pod(const json& rs, const std::string& name, const std::string& phase) {
  return {{"metadata",
           {{"name", name},
            {"uid", name + "-uid"},
            {"ownerReferences", json::array({{{"kind", "ReplicaSet"}, {"uid", rs["metadata"]["uid"]}, {"controller", true}}})}}},
          {"status", {{"phase", phase}}}};
}

json Condition(const json& status, const std::string& type) {
  for (const json& c : status.value("conditions", json::array())) {
    if (c["type"] == type) return c;
  }
  return nullptr;
}

std::string Summary(const json& condition) {
  if (condition.is_null()) return "<none>";
  return condition["status"].get<std::string>() + "/" + condition["reason"].get<std::string>() + ": " +
         condition["message"].get<std::string>();
}

// A Deployment whose status says the rollout of `rs` finished.
json Completed(json d, int replicas) {
  d["metadata"]["annotations"] = {{kRevisionAnnotation, "1"}};
  d["status"] = {{"observedGeneration", 1},
                 {"replicas", replicas},
                 {"updatedReplicas", replicas},
                 {"readyReplicas", replicas},
                 {"availableReplicas", replicas},
                 {"conditions",
                  json::array({{{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"},
                                {"message", "Deployment has minimum availability."},
                                {"lastUpdateTime", "2026-11-22T00:10:00Z"}, {"lastTransitionTime", "2026-11-22T00:10:00Z"}},
                               {{"type", "Progressing"}, {"status", "True"}, {"reason", "NewReplicaSetAvailable"},
                                {"message", "ReplicaSet \"web-x\" has successfully progressed."},
                                {"lastUpdateTime", "2026-11-22T00:10:00Z"}, {"lastTransitionTime", "2026-11-22T00:00:00Z"}}})}};
  return d;
}

bool NoActions(const DeploymentPlan& plan) {
  return !plan.create && plan.updates.empty() && plan.deletes.empty() && !plan.annotations && !plan.status;
}

TEST(DecideDeploymentTest, ANewDeploymentGetsAReplicaSetNamedAfterItsTemplateHash) {
  struct Case {
    const char* strategy;
    int replicas;
    int want_replicas;
    const char* max_replicas;
  };
  for (const Case& c : {Case{"RollingUpdate", 1, 1, "2"}, Case{"RollingUpdate", 4, 4, "5"}, Case{"Recreate", 3, 3, "3"}}) {
    json d = Deployment(c.replicas, c.strategy);
    DeploymentPlan plan = DecideDeployment(d, {}, {}, kNow);
    ASSERT_TRUE(plan.create.has_value()) << c.strategy;
    const json& rs = plan.create->replica_set;
    const std::string hash = PodTemplateHash(d["spec"]["template"], std::nullopt);
    EXPECT_EQ(rs["metadata"]["name"], "web-" + hash);
    EXPECT_EQ(rs["metadata"]["namespace"], "default");
    EXPECT_EQ(rs["metadata"]["labels"], (json{{"app", "web"}, {"pod-template-hash", hash}}));
    EXPECT_EQ(rs["spec"]["selector"], (json{{"matchLabels", {{"app", "web"}, {"pod-template-hash", hash}}}}));
    EXPECT_EQ(rs["spec"]["template"]["metadata"]["labels"], (json{{"app", "web"}, {"pod-template-hash", hash}}));
    EXPECT_EQ(rs["spec"]["template"]["spec"], d["spec"]["template"]["spec"]);
    EXPECT_EQ(rs["spec"]["replicas"], c.want_replicas) << c.strategy;
    EXPECT_EQ(rs["metadata"]["annotations"],
              (json{{kRevisionAnnotation, "1"},
                    {kDesiredReplicasAnnotation, std::to_string(c.replicas)},
                    {kMaxReplicasAnnotation, c.max_replicas}}))
        << c.strategy;
    EXPECT_EQ(rs["metadata"]["ownerReferences"],
              json::parse(R"([{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"d-uid",
                               "controller":true,"blockOwnerDeletion":true}])"));
    EXPECT_EQ(plan.create->scaling_message,
              "Scaled up replica set web-" + hash + " from 0 to " + std::to_string(c.want_replicas));
    ASSERT_TRUE(plan.annotations.has_value());
    EXPECT_EQ((*plan.annotations)[kRevisionAnnotation], "1");
    ASSERT_TRUE(plan.status.has_value());
    EXPECT_EQ((*plan.status)["observedGeneration"], 1);
    EXPECT_EQ((*plan.status)["unavailableReplicas"], c.want_replicas);
    EXPECT_FALSE(plan.status->contains("replicas")) << "zero counts are left out";
    EXPECT_EQ(Summary(Condition(*plan.status, "Progressing")),
              "True/NewReplicaSetCreated: Created new replica set \"web-" + hash + "\"");
    EXPECT_EQ(Summary(Condition(*plan.status, "Available")),
              "False/MinimumReplicasUnavailable: Deployment does not have minimum availability.");
    EXPECT_EQ((*plan.status)["conditions"][0]["type"], "Progressing") << "as the real controller orders them";
    ASSERT_TRUE(plan.requeue_after.has_value());
    EXPECT_EQ(*plan.requeue_after, std::chrono::milliseconds(601000)) << "the progress deadline";
  }
}

TEST(DecideDeploymentTest, StatusAndConditionsFollowTheReplicaSets) {
  struct Case {
    const char* name;
    int status_replicas;
    int available;
    std::string progressing;
    std::string available_condition;
  };
  json d = Deployment(4);
  d["metadata"]["annotations"] = {{kRevisionAnnotation, "1"}};
  d["status"] = {{"observedGeneration", 1},
                 {"conditions", json::array({{{"type", "Progressing"}, {"status", "True"}, {"reason", "NewReplicaSetCreated"},
                                              {"message", "Created new replica set \"web-x\""},
                                              {"lastUpdateTime", "2026-11-22T00:59:00Z"},
                                              {"lastTransitionTime", "2026-11-22T00:59:00Z"}}})}};
  const std::string name = ReplicaSet(d, "web:1", 1, 4, 0, 0)["metadata"]["name"];
  const std::vector<Case> cases = {
      {"nothing yet", 0, 0, "True/NewReplicaSetCreated: Created new replica set \"web-x\"",
       "False/MinimumReplicasUnavailable: Deployment does not have minimum availability."},
      {"pods coming up", 4, 2, "True/ReplicaSetUpdated: ReplicaSet \"" + name + "\" is progressing.",
       "False/MinimumReplicasUnavailable: Deployment does not have minimum availability."},
      {"within maxUnavailable", 4, 3, "True/ReplicaSetUpdated: ReplicaSet \"" + name + "\" is progressing.",
       "True/MinimumReplicasAvailable: Deployment has minimum availability."},
      {"all available", 4, 4, "True/NewReplicaSetAvailable: ReplicaSet \"" + name + "\" has successfully progressed.",
       "True/MinimumReplicasAvailable: Deployment has minimum availability."},
  };
  for (const Case& c : cases) {
    json rs = ReplicaSet(d, "web:1", 1, 4, c.status_replicas, c.available);
    DeploymentPlan plan = DecideDeployment(d, {rs}, {}, kNow);
    EXPECT_FALSE(plan.create.has_value()) << c.name;
    EXPECT_TRUE(plan.updates.empty()) << c.name;
    ASSERT_TRUE(plan.status.has_value()) << c.name;
    EXPECT_EQ(Summary(Condition(*plan.status, "Progressing")), c.progressing) << c.name;
    EXPECT_EQ(Summary(Condition(*plan.status, "Available")), c.available_condition) << c.name;
    EXPECT_EQ(plan.status->value("replicas", 0), c.status_replicas) << c.name;
    EXPECT_EQ(plan.status->value("updatedReplicas", 0), c.status_replicas) << c.name;
    EXPECT_EQ(plan.status->value("availableReplicas", 0), c.available) << c.name;
    EXPECT_EQ(plan.status->value("unavailableReplicas", 0), 4 - c.available) << c.name;
  }
}

TEST(DecideDeploymentTest, ACompletedRolloutIsAFixedPoint) {
  json d = Completed(Deployment(1, "Recreate"), 1);
  json rs = ReplicaSet(d, "web:1", 1, 1, 1, 1);
  d["status"]["conditions"][1]["message"] = "ReplicaSet \"" + rs["metadata"]["name"].get<std::string>() + "\" has successfully progressed.";
  DeploymentPlan plan = DecideDeployment(d, {rs}, {Pod(rs, "web-a", "Running")}, kNow);
  EXPECT_TRUE(NoActions(plan)) << (plan.status ? plan.status->dump() : "");
  EXPECT_FALSE(plan.requeue_after.has_value());
}

TEST(DecideDeploymentTest, RecreateScalesTheOldReplicaSetDownAndWaitsForItsPodsBeforeTheNewOne) {
  json d = Completed(Deployment(1, "Recreate", "web:2"), 1);
  json old_rs = ReplicaSet(d, "web:1", 1, 1, 1, 1);
  const std::string old_name = old_rs["metadata"]["name"];
  // 1. The old ReplicaSet goes to 0; no new ReplicaSet yet.
  DeploymentPlan plan = DecideDeployment(d, {old_rs}, {Pod(old_rs, "web-old", "Running")}, kNow);
  EXPECT_FALSE(plan.create.has_value());
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].replica_set["spec"]["replicas"], 0);
  EXPECT_EQ(plan.updates[0].replica_set["metadata"]["annotations"][kDesiredReplicasAnnotation], "1");
  EXPECT_EQ(plan.updates[0].replica_set["metadata"]["annotations"][kMaxReplicasAnnotation], "1");
  EXPECT_EQ(plan.updates[0].scaling_message, "Scaled down replica set " + old_name + " from 1 to 0");
  // 2. Scaled down, but its status still counts a pod, or a pod still runs: wait.
  old_rs["spec"]["replicas"] = 0;
  plan = DecideDeployment(d, {old_rs}, {}, kNow);
  EXPECT_FALSE(plan.create.has_value()) << "the ReplicaSet still reports a pod";
  old_rs["status"] = {{"replicas", 0}, {"observedGeneration", 1}};
  plan = DecideDeployment(d, {old_rs}, {Pod(old_rs, "web-old", "Running")}, kNow);
  EXPECT_FALSE(plan.create.has_value()) << "an old pod has not terminated";
  // 3. A terminated pod does not count: the new ReplicaSet comes, at revision 2, full size.
  plan = DecideDeployment(d, {old_rs}, {Pod(old_rs, "web-old", "Failed")}, kNow);
  ASSERT_TRUE(plan.create.has_value());
  EXPECT_EQ(plan.create->replica_set["spec"]["replicas"], 1);
  EXPECT_EQ(plan.create->replica_set["metadata"]["annotations"][kRevisionAnnotation], "2");
  EXPECT_EQ((*plan.annotations)[kRevisionAnnotation], "2");
  const std::string new_name = plan.create->replica_set["metadata"]["name"];
  EXPECT_NE(new_name, old_name);
  EXPECT_EQ(Summary(Condition(*plan.status, "Progressing")),
            "True/NewReplicaSetCreated: Created new replica set \"" + new_name + "\"");
}

TEST(DecideDeploymentTest, RollingUpdateSurgesThenScalesOldDownWithinAvailability) {
  json d = Completed(Deployment(4, "RollingUpdate", "web:2"), 4);
  json old_rs = ReplicaSet(d, "web:1", 1, 4, 4, 4);
  const std::string old_name = old_rs["metadata"]["name"];
  // maxSurge 25% of 4 = 1: the new ReplicaSet starts with 1 pod; maxUnavailable 25% of 4 = 1: the
  // old one may lose one at once (as the real controller does in the same pass).
  DeploymentPlan plan = DecideDeployment(d, {old_rs}, {}, kNow);
  ASSERT_TRUE(plan.create.has_value());
  EXPECT_EQ(plan.create->replica_set["spec"]["replicas"], 1);
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].replica_set["spec"]["replicas"], 3);
  EXPECT_EQ(plan.updates[0].scaling_message, "Scaled down replica set " + old_name + " from 4 to 3");
  // The new one grows up to replicas + maxSurge = 5 pods in all.
  old_rs = ReplicaSet(d, "web:1", 1, 3, 3, 3);
  plan = DecideDeployment(d, {old_rs, ReplicaSet(d, "web:2", 2, 1, 1, 0, "2026-11-22T00:30:00Z")}, {}, kNow);
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].replica_set["spec"]["replicas"], 2);
  // While the new pods are not available, nothing more happens (availability stays at 3).
  plan = DecideDeployment(d, {old_rs, ReplicaSet(d, "web:2", 2, 2, 2, 0, "2026-11-22T00:30:00Z")}, {}, kNow);
  EXPECT_TRUE(plan.updates.empty());
  EXPECT_FALSE(plan.create.has_value());
  // Once they are, the old one loses as many.
  plan = DecideDeployment(d, {old_rs, ReplicaSet(d, "web:2", 2, 2, 2, 2, "2026-11-22T00:30:00Z")}, {}, kNow);
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].replica_set["metadata"]["name"], old_name);
  EXPECT_EQ(plan.updates[0].replica_set["spec"]["replicas"], 1);
}

TEST(DecideDeploymentTest, ScalingToZeroAndBackOnlyScalesTheReplicaSet) {
  for (const char* strategy : {"Recreate", "RollingUpdate"}) {
    json d = Completed(Deployment(0, strategy), 1);
    json rs = ReplicaSet(d, "web:1", 1, 1, 1, 1);
    rs["metadata"]["annotations"][kDesiredReplicasAnnotation] = "1";
    const std::string name = rs["metadata"]["name"];
    DeploymentPlan plan = DecideDeployment(d, {rs}, {Pod(rs, "web-a", "Running")}, kNow);
    EXPECT_FALSE(plan.create.has_value()) << strategy;
    ASSERT_EQ(plan.updates.size(), 1u) << strategy;
    EXPECT_EQ(plan.updates[0].replica_set["spec"]["replicas"], 0);
    EXPECT_EQ(plan.updates[0].replica_set["metadata"]["annotations"][kDesiredReplicasAnnotation], "0");
    EXPECT_EQ(plan.updates[0].scaling_message, "Scaled down replica set " + name + " from 1 to 0");
    // Back to 1 from a quiesced ReplicaSet.
    json quiesced = plan.updates[0].replica_set;
    quiesced["status"] = {{"replicas", 0}, {"observedGeneration", 1}};
    d["spec"]["replicas"] = 1;
    plan = DecideDeployment(d, {quiesced}, {}, kNow);
    EXPECT_FALSE(plan.create.has_value()) << strategy;
    ASSERT_EQ(plan.updates.size(), 1u) << strategy;
    EXPECT_EQ(plan.updates[0].replica_set["spec"]["replicas"], 1);
    EXPECT_EQ(plan.updates[0].scaling_message, "Scaled up replica set " + name + " from 0 to 1");
  }
}

TEST(DecideDeploymentTest, APausedDeploymentDoesNotRollOutAndSaysSo) {
  json d = Completed(Deployment(1, "Recreate", "web:2"), 1);
  d["spec"]["paused"] = true;
  json rs = ReplicaSet(d, "web:1", 1, 1, 1, 1);
  DeploymentPlan plan = DecideDeployment(d, {rs}, {}, kNow);
  EXPECT_FALSE(plan.create.has_value());
  EXPECT_TRUE(plan.updates.empty());
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ(Summary(Condition(*plan.status, "Progressing")), "Unknown/DeploymentPaused: Deployment is paused");
  EXPECT_EQ(plan.status->value("updatedReplicas", 0), 0) << "the template has no ReplicaSet yet";
  // Resumed: the rollout starts (the old ReplicaSet goes down).
  d["spec"]["paused"] = false;
  d["status"] = *plan.status;
  plan = DecideDeployment(d, {rs}, {}, kNow);
  ASSERT_EQ(plan.updates.size(), 1u);
  EXPECT_EQ(plan.updates[0].replica_set["spec"]["replicas"], 0);
  EXPECT_EQ(Summary(Condition(*plan.status, "Progressing")), "Unknown/DeploymentResumed: Deployment is resumed");
}

TEST(DecideDeploymentTest, OldReplicaSetsBeyondTheHistoryLimitAreDeleted) {
  json d = Completed(Deployment(1, "RollingUpdate", "web:4"), 1);
  d["spec"]["revisionHistoryLimit"] = 1;
  std::vector<json> rss;
  for (int i = 1; i <= 3; ++i) {
    rss.push_back(ReplicaSet(d, "web:" + std::to_string(i), i, 0, 0, 0, "2026-11-22T00:0" + std::to_string(i) + ":00Z"));
  }
  json still_running = ReplicaSet(d, "web:9", 0, 0, 1, 0, "2026-11-22T00:00:30Z");  // revision 0, a pod left
  rss.push_back(still_running);
  rss.push_back(ReplicaSet(d, "web:4", 4, 1, 1, 1, "2026-11-22T00:05:00Z"));
  DeploymentPlan plan = DecideDeployment(d, rss, {}, kNow);
  std::vector<std::string> want = {rss[0]["metadata"]["name"], rss[1]["metadata"]["name"]};
  std::sort(want.begin(), want.end());
  std::vector<std::string> got = plan.deletes;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, want) << "4 old ReplicaSets, limit 1: the lowest revisions without pods go";
}

TEST(DecideDeploymentTest, NoProgressWithinTheDeadlineIsProgressDeadlineExceeded) {
  json d = Deployment(1);
  d["metadata"]["annotations"] = {{kRevisionAnnotation, "1"}};
  json rs = ReplicaSet(d, "web:1", 1, 1, 1, 0);
  d["status"] = {{"observedGeneration", 1}, {"replicas", 1}, {"updatedReplicas", 1}, {"unavailableReplicas", 1},
                 {"conditions", json::array({{{"type", "Progressing"}, {"status", "True"}, {"reason", "ReplicaSetUpdated"},
                                              {"message", "x"}, {"lastUpdateTime", "2026-11-22T00:51:00Z"},
                                              {"lastTransitionTime", "2026-11-22T00:51:00Z"}}})}};
  DeploymentPlan plan = DecideDeployment(d, {rs}, {}, kNow);
  ASSERT_TRUE(plan.requeue_after.has_value());
  EXPECT_EQ(*plan.requeue_after, std::chrono::milliseconds(61000)) << "look again when 600 s have passed";
  plan = DecideDeployment(d, {rs}, {}, kNow + seconds(61));
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ(Summary(Condition(*plan.status, "Progressing")),
            "False/ProgressDeadlineExceeded: ReplicaSet \"" + rs["metadata"]["name"].get<std::string>() +
                "\" has timed out progressing.");
}

TEST(DecideDeploymentTest, AReplicaSetFailureIsCopiedToTheDeployment) {
  json d = Completed(Deployment(1), 1);
  json rs = ReplicaSet(d, "web:1", 1, 1, 0, 0);
  rs["status"]["conditions"] = json::array({{{"type", "ReplicaFailure"}, {"status", "True"}, {"reason", "FailedCreate"},
                                             {"message", "pods \"web-x\" is forbidden"},
                                             {"lastTransitionTime", "2026-11-22T00:58:00Z"}}});
  DeploymentPlan plan = DecideDeployment(d, {rs}, {}, kNow);
  ASSERT_TRUE(plan.status.has_value());
  EXPECT_EQ(Summary(Condition(*plan.status, "ReplicaFailure")), "True/FailedCreate: pods \"web-x\" is forbidden");
}

TEST(DecideDeploymentTest, ADeploymentBeingDeletedOnlyReportsStatus) {
  json d = Deployment(1);
  d["metadata"]["deletionTimestamp"] = "2026-11-22T00:59:00Z";
  DeploymentPlan plan = DecideDeployment(d, {}, {}, kNow);
  EXPECT_FALSE(plan.create.has_value());
  EXPECT_TRUE(plan.updates.empty());
}

TEST(DecideDeploymentTest, OddInputsGiveAPlan) {
  for (const json& d : {json::object(), json{{"spec", nullptr}}, json{{"spec", {{"replicas", "x"}}}},
                        json{{"metadata", {{"name", "w"}}}, {"spec", {{"strategy", {{"type", "Recreate"}}}}}}}) {
    DeploymentPlan plan = DecideDeployment(d, {json::object(), json{{"spec", 3}}}, {json(nullptr)}, kNow);
    (void)plan;
  }
}

// ---- Convergence: the controllers' plans applied to a simulated world until nothing changes.

struct World {
  json deployment;
  std::vector<json> replica_sets;
  std::vector<json> pods;
  int next = 0;
  int max_pods = 0;       // most active pods at once
  int min_available = 1000;  // fewest available pods at once (after the first full rollout)
  bool old_and_new_together = false;
};

// One pass of both controllers; pods start Running and Ready at once. Returns whether anything changed.
bool Step(World& w, WallTime now) {
  bool changed = false;
  DeploymentPlan plan = DecideDeployment(w.deployment, w.replica_sets, w.pods, now);
  if (plan.create) {
    json rs = plan.create->replica_set;
    rs["metadata"]["uid"] = "rs-uid-" + std::to_string(++w.next);
    rs["metadata"]["generation"] = 1;
    rs["metadata"]["creationTimestamp"] = "2026-11-22T00:" + std::to_string(10 + w.next) + ":00Z";
    rs["status"] = {{"replicas", 0}};
    w.replica_sets.push_back(rs);
    changed = true;
  }
  for (const ReplicaSetWrite& write : plan.updates) {
    for (json& rs : w.replica_sets) {
      if (rs["metadata"]["name"] == write.replica_set["metadata"]["name"]) {
        json status = rs["status"];
        json metadata = write.replica_set["metadata"];
        metadata["generation"] = rs["metadata"]["generation"].get<int>() + (rs["spec"] != write.replica_set["spec"] ? 1 : 0);
        rs = write.replica_set;
        rs["metadata"] = metadata;
        rs["status"] = status;
      }
    }
    changed = true;
  }
  for (const std::string& name : plan.deletes) {
    std::erase_if(w.replica_sets, [&](const json& rs) { return rs["metadata"]["name"] == name; });
    changed = true;
  }
  if (plan.annotations) w.deployment["metadata"]["annotations"] = *plan.annotations, changed = true;
  if (plan.status) w.deployment["status"] = *plan.status, changed = true;
  for (json& rs : w.replica_sets) {
    std::vector<json> owned;
    for (const json& pod : w.pods) {
      if (pod["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]) owned.push_back(pod);
    }
    ReplicaSetPlan rs_plan = DecideReplicaSet(rs, owned, now);
    for (const std::string& name : rs_plan.pods_to_delete) {
      std::erase_if(w.pods, [&](const json& pod) { return pod["metadata"]["name"] == name; });
      changed = true;
    }
    for (int i = 0; i < rs_plan.pods_to_create; ++i) {
      w.pods.push_back({{"metadata",
                         {{"name", "pod-" + std::to_string(++w.next)},
                          {"uid", "pod-uid-" + std::to_string(w.next)},
                          {"labels", rs["spec"]["template"]["metadata"]["labels"]},
                          {"ownerReferences", json::array({{{"kind", "ReplicaSet"}, {"uid", rs["metadata"]["uid"]}, {"controller", true}}})}}},
                        {"status", {{"phase", "Running"},
                                    {"conditions", json::array({{{"type", "Ready"}, {"status", "True"},
                                                                 {"lastTransitionTime", "2026-11-22T00:00:00Z"}}})}}}});
      changed = true;
    }
    owned.clear();
    for (const json& pod : w.pods) {
      if (pod["metadata"]["ownerReferences"][0]["uid"] == rs["metadata"]["uid"]) owned.push_back(pod);
    }
    json status = ReplicaSetStatusAfter(rs, owned, now, std::nullopt);
    if (status != rs["status"]) rs["status"] = status, changed = true;
  }
  std::map<std::string, int> pods_by_template;
  for (const json& pod : w.pods) ++pods_by_template[pod["metadata"]["labels"]["pod-template-hash"].get<std::string>()];
  w.max_pods = std::max(w.max_pods, static_cast<int>(w.pods.size()));
  w.min_available = std::min(w.min_available, static_cast<int>(w.pods.size()));
  if (pods_by_template.size() > 1) w.old_and_new_together = true;
  return changed;
}

void Converge(World& w, WallTime now) {
  for (int i = 0; i < 50; ++i) {
    if (!Step(w, now)) return;
  }
  FAIL() << "no fixed point after 50 passes: " << w.deployment["status"].dump();
}

TEST(DecideDeploymentTest, RolloutsConvergeWithinTheStrategysBounds) {
  for (const char* strategy : {"Recreate", "RollingUpdate"}) {
    World w{Deployment(4, strategy), {}, {}};
    Converge(w, kNow);
    EXPECT_EQ(w.pods.size(), 4u) << strategy;
    EXPECT_EQ(Summary(Condition(w.deployment["status"], "Progressing")).substr(0, 27), "True/NewReplicaSetAvailable") << strategy;
    EXPECT_EQ(w.deployment["metadata"]["annotations"][kRevisionAnnotation], "1");
    // A template change: a second revision rolls out.
    w.deployment["spec"]["template"] = Template("web:2");
    w.deployment["metadata"]["generation"] = 2;
    w.max_pods = 0;
    w.min_available = 1000;
    Converge(w, kNow);
    EXPECT_EQ(w.pods.size(), 4u) << strategy;
    EXPECT_EQ(w.replica_sets.size(), 2u) << strategy;
    EXPECT_EQ(w.deployment["metadata"]["annotations"][kRevisionAnnotation], "2");
    EXPECT_EQ(w.deployment["status"]["updatedReplicas"], 4);
    EXPECT_EQ(w.deployment["status"]["observedGeneration"], 2);
    EXPECT_EQ(Summary(Condition(w.deployment["status"], "Available")),
              "True/MinimumReplicasAvailable: Deployment has minimum availability.");
    if (std::string(strategy) == "Recreate") {
      EXPECT_FALSE(w.old_and_new_together) << "Recreate never runs old and new pods together";
      EXPECT_EQ(w.min_available, 0);
    } else {
      EXPECT_LE(w.max_pods, 5) << "replicas + maxSurge";
      EXPECT_GE(w.min_available, 3) << "replicas - maxUnavailable";
    }
    // Scale to 0 and back: the same ReplicaSet, no new revision.
    w.deployment["spec"]["replicas"] = 0;
    Converge(w, kNow);
    EXPECT_TRUE(w.pods.empty()) << strategy;
    EXPECT_FALSE(w.deployment["status"].contains("replicas")) << strategy;
    w.deployment["spec"]["replicas"] = 4;
    Converge(w, kNow);
    EXPECT_EQ(w.pods.size(), 4u) << strategy;
    EXPECT_EQ(w.replica_sets.size(), 2u) << strategy;
    EXPECT_EQ(w.deployment["metadata"]["annotations"][kRevisionAnnotation], "2");
  }
}

}  // namespace
}  // namespace lifeboat::devcluster
