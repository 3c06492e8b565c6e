// Component tests: DeploymentController and ReplicaSetController against the devcluster's
// ObjectStore (through StoreClusterApi), with the kubelet's part played by the test (Pending pods
// become Running and Ready). Each pass is run by hand: no threads, no timers.
#include "e2e/devcluster/jobs/deployment_controller.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "e2e/devcluster/jobs/replica_set_controller.h"
#include "e2e/devcluster/jobs/store_cluster_api.h"
#include "operator/core/time_format.h"
#include "tests/e2e/devcluster/store/store_test_util.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using testing::Path;

json Web(const std::string& strategy, int replicas, const std::string& image = "web:1") {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "web"}, {"namespace", "default"}}},
          {"spec",
           {{"replicas", replicas},
            {"strategy", {{"type", strategy}}},
            {"selector", {{"matchLabels", {{"app", "web"}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "web"}}}}},
              {"spec", {{"containers", json::array({{{"name", "web"}, {"image", image},
                                                     {"command", json::array({"sleep", "infinity"})}}})}}}}}}}};
}

class DeploymentControllerTest : public testing::StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    api_ = std::make_unique<StoreClusterApi>(*store_, "test");
    deployments_ = std::make_unique<DeploymentController>(*api_, clock_);
    replica_sets_ = std::make_unique<ReplicaSetController>(*api_, clock_, /*seed=*/7);
  }

  std::vector<json> All(const ResourceRef& resource) {
    auto listed = api_->List(resource, "default", "");
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? *listed : std::vector<json>{};
  }

  // One pass of both controllers, then the kubelet's part; records what ran at once.
  void Pass() {
    deployments_->Sync();
    replica_sets_->Sync();
    std::set<std::string> templates;
    for (json pod : All(kPodsResource)) {
      templates.insert(pod["metadata"]["labels"].value("pod-template-hash", ""));
      if (pod["status"].value("phase", "") != "Pending") continue;
      pod["status"]["phase"] = "Running";
      pod["status"]["conditions"] = json::array({{{"type", "Ready"}, {"status", "True"},
                                                  {"lastTransitionTime", FormatRfc3339(clock_.Now())}}});
      EXPECT_TRUE(api_->UpdateStatus(kPodsResource, pod).ok());
    }
    if (templates.size() > 1) old_and_new_together_ = true;
  }
  void Converge() {
    for (int i = 0; i < 12; ++i) Pass();
  }
  json Deployment() { return MustGet(Path("apps", "v1", "deployments", "default", "web")); }
  std::vector<std::string> Events(const std::string& reason) {
    std::vector<std::string> out;
    for (const json& e : All(kEventsResource)) {
      if (e.value("reason", "") == reason) {
        out.push_back(e["involvedObject"]["kind"].get<std::string>() + "/" + e["involvedObject"]["name"].get<std::string>() +
                      " " + e["source"]["component"].get<std::string>() + ": " + e["message"].get<std::string>());
      }
    }
    return out;
  }
  static std::string Condition(const json& object, const std::string& type) {
    for (const json& c : object["status"].value("conditions", json::array())) {
      if (c["type"] == type) return c["status"].get<std::string>() + "/" + c["reason"].get<std::string>();
    }
    return "<none>";
  }

  std::unique_ptr<StoreClusterApi> api_;
  std::unique_ptr<DeploymentController> deployments_;
  std::unique_ptr<ReplicaSetController> replica_sets_;
  bool old_and_new_together_ = false;
};

TEST_F(DeploymentControllerTest, ADeploymentRunsThroughAReplicaSetAndItsPods) {
  MustCreate(Path("apps", "v1", "deployments", "default"), Web("Recreate", 1));
  Converge();
  std::vector<json> rss = All(kReplicaSetsResource);
  ASSERT_EQ(rss.size(), 1u);
  const json& rs = rss[0];
  const std::string rs_name = rs["metadata"]["name"];
  const std::string hash = rs["metadata"]["labels"]["pod-template-hash"];
  EXPECT_EQ(rs_name, "web-" + hash);
  EXPECT_EQ(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
  EXPECT_EQ(rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"], "1");
  EXPECT_EQ(rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"], "1");
  EXPECT_EQ(rs["metadata"]["ownerReferences"][0]["kind"], "Deployment");
  EXPECT_EQ(rs["metadata"]["ownerReferences"][0]["blockOwnerDeletion"], true);
  EXPECT_EQ(rs["status"], (json{{"replicas", 1}, {"fullyLabeledReplicas", 1}, {"readyReplicas", 1},
                                {"availableReplicas", 1}, {"observedGeneration", 1}}));
  std::vector<json> pods = All(kPodsResource);
  ASSERT_EQ(pods.size(), 1u);
  const std::string pod_name = pods[0]["metadata"]["name"];
  EXPECT_EQ(pod_name.substr(0, rs_name.size() + 1), rs_name + "-");
  EXPECT_EQ(pod_name.size(), rs_name.size() + 6);
  EXPECT_EQ(pods[0]["metadata"]["labels"], (json{{"app", "web"}, {"pod-template-hash", hash}}));
  EXPECT_EQ(pods[0]["metadata"]["ownerReferences"][0]["name"], rs_name);

  json d = Deployment();
  EXPECT_EQ(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
  EXPECT_EQ(d["metadata"]["generation"], 1) << "the revision annotation does not bump generation";
  EXPECT_EQ(d["status"]["observedGeneration"], 1);
  EXPECT_EQ(d["status"]["replicas"], 1);
  EXPECT_EQ(d["status"]["updatedReplicas"], 1);
  EXPECT_EQ(d["status"]["readyReplicas"], 1);
  EXPECT_EQ(d["status"]["availableReplicas"], 1);
  EXPECT_FALSE(d["status"].contains("unavailableReplicas"));
  EXPECT_EQ(Condition(d, "Available"), "True/MinimumReplicasAvailable");
  EXPECT_EQ(Condition(d, "Progressing"), "True/NewReplicaSetAvailable");
  EXPECT_EQ(Events("ScalingReplicaSet"),
            std::vector<std::string>{"Deployment/web deployment-controller: Scaled up replica set " + rs_name + " from 0 to 1"});
  EXPECT_EQ(Events("SuccessfulCreate"),
            std::vector<std::string>{"ReplicaSet/" + rs_name + " replicaset-controller: Created pod: " + pod_name});
}

TEST_F(DeploymentControllerTest, RecreateReplacesTheOldPodBeforeStartingTheNewOne) {
  MustCreate(Path("apps", "v1", "deployments", "default"), Web("Recreate", 1));
  Converge();
  const std::string first_rs = All(kReplicaSetsResource)[0]["metadata"]["name"];
  const std::string first_pod = All(kPodsResource)[0]["metadata"]["name"];
  json d = Deployment();
  d["spec"]["template"]["spec"]["containers"][0]["image"] = "web:2";
  ASSERT_TRUE(Update(Path("apps", "v1", "deployments", "default", "web"), d).ok());
  Converge();
  EXPECT_FALSE(old_and_new_together_);
  std::vector<json> pods = All(kPodsResource);
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_NE(pods[0]["metadata"]["name"], first_pod);
  d = Deployment();
  EXPECT_EQ(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
  EXPECT_EQ(d["status"]["observedGeneration"], 2);
  EXPECT_EQ(d["status"]["updatedReplicas"], 1);
  EXPECT_EQ(Condition(d, "Progressing"), "True/NewReplicaSetAvailable");
  EXPECT_EQ(All(kReplicaSetsResource).size(), 2u) << "the old ReplicaSet stays (history), scaled to 0";
  std::vector<std::string> scaling = Events("ScalingReplicaSet");
  ASSERT_EQ(scaling.size(), 3u);
  EXPECT_EQ(scaling[1], "Deployment/web deployment-controller: Scaled down replica set " + first_rs + " from 1 to 0");
  EXPECT_EQ(Events("SuccessfulDelete"),
            std::vector<std::string>{"ReplicaSet/" + first_rs + " replicaset-controller: Deleted pod: " + first_pod});

  // Quiesce and resume: scale to 0 and back.
  ASSERT_TRUE(Patch(Path("apps", "v1", "deployments", "default", "web"), PatchType::kMergePatch,
                    {{"spec", {{"replicas", 0}}}}).ok());
  Converge();
  EXPECT_TRUE(All(kPodsResource).empty());
  d = Deployment();
  EXPECT_FALSE(d["status"].contains("replicas"));
  EXPECT_EQ(Condition(d, "Available"), "True/MinimumReplicasAvailable");
  ASSERT_TRUE(Patch(Path("apps", "v1", "deployments", "default", "web"), PatchType::kMergePatch,
                    {{"spec", {{"replicas", 1}}}}).ok());
  Converge();
  EXPECT_EQ(All(kPodsResource).size(), 1u);
  EXPECT_EQ(Deployment()["status"]["readyReplicas"], 1);
  EXPECT_EQ(Deployment()["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "2");
}

TEST_F(DeploymentControllerTest, DeletingTheDeploymentRemovesItsReplicaSetsAndPods) {
  for (const char* policy : {"Background", "Foreground"}) {
    MustCreate(Path("apps", "v1", "deployments", "default"), Web("RollingUpdate", 2));
    Converge();
    ASSERT_EQ(All(kPodsResource).size(), 2u) << policy;
    DeleteOptions options;
    options.propagation_policy = policy;
    ASSERT_TRUE(Delete(Path("apps", "v1", "deployments", "default", "web"), options).ok());
    Converge();
    EXPECT_TRUE(All(kReplicaSetsResource).empty()) << policy;
    EXPECT_TRUE(All(kPodsResource).empty()) << policy;
    EXPECT_FALSE(Get(Path("apps", "v1", "deployments", "default", "web")).ok()) << policy;
  }
}

TEST_F(DeploymentControllerTest, RefusedPodsShowAsReplicaFailure) {
  json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"},
             {"metadata", {{"name", "strict"}, {"labels", {{"pod-security.kubernetes.io/enforce", "restricted"}}}}}};
  MustCreate(Path("", "v1", "namespaces"), ns);
  json web = Web("Recreate", 1);
  web["metadata"]["namespace"] = "strict";
  MustCreate(Path("apps", "v1", "deployments", "strict"), web);
  Converge();
  json d = MustGet(Path("apps", "v1", "deployments", "strict", "web"));
  EXPECT_EQ(Condition(d, "ReplicaFailure"), "True/FailedCreate");
  EXPECT_EQ(Condition(d, "Available"), "False/MinimumReplicasUnavailable");
  auto failed_creates = [&] {
    auto events = api_->List(kEventsResource, "strict", "");
    EXPECT_TRUE(events.ok());
    int count = 0;
    for (const json& e : events.ok() ? *events : std::vector<json>{}) {
      if (e["reason"] != "FailedCreate") continue;
      ++count;
      EXPECT_EQ(e["type"], "Warning");
      EXPECT_EQ(e["message"].get<std::string>().rfind("Error creating: pods ", 0), 0u) << e["message"];
    }
    return count;
  };
  EXPECT_EQ(failed_creates(), 1) << "retries back off: none within the first second";
  clock_.Advance(std::chrono::milliseconds(1500));
  Converge();
  EXPECT_EQ(failed_creates(), 2);
  clock_.Advance(std::chrono::milliseconds(1500));
  Converge();
  EXPECT_EQ(failed_creates(), 2) << "the second retry waits 2 s";
  EXPECT_EQ(Condition(MustGet(Path("apps", "v1", "deployments", "strict", "web")), "ReplicaFailure"), "True/FailedCreate");
}

}  // namespace
}  // namespace lifeboat::devcluster
