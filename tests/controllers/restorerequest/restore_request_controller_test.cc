// Component tests of the RestoreRequest reconciler (the shell around Decide) against the in-memory
// FakeApiClient, with hand-fed caches: the order of its writes (finalizer and status before any
// scale), adoption of Jobs after a crash, and refusals that touch nothing.
#include "controllers/restorerequest/restore_request_controller.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"
#include "tests/fakes/fake_api_client.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::controllers::restorerequest {
namespace {

const kube::ResourceRef kJobs{"batch", "v1", "jobs", "Job", true};
const kube::ResourceRef kSecrets{"", "v1", "secrets", "Secret", true};
const kube::ResourceRef kDeployments{"apps", "v1", "deployments", "Deployment", true};
const kube::ResourceRef kPods{"", "v1", "pods", "Pod", true};

class NullRecorder final : public kube::EventRecorder {
 public:
  void Record(const nlohmann::json&, const std::string&, const std::string& reason, const std::string&) override {
    reasons.push_back(reason);
  }
  std::vector<std::string> reasons;
};

class TestContext final : public runtime::ControllerContext {
 public:
  TestContext(kube::ApiClient& client, const Clock& clock) : client_(client), clock_(clock) {}
  kube::ApiClient& client() override { return client_; }
  kube::EventRecorder& recorder() override { return recorder_; }
  const Clock& clock() override { return clock_; }
  const kube::ObjectCache* Cache(const kube::ResourceRef& resource) override {
    if (resource == RestoreRequestResource()) return &requests_;
    if (resource == kJobs) return &jobs_;
    return nullptr;
  }
  void Sync() {
    requests_.Replace(client_.List(RestoreRequestResource(), "default")->items);
    jobs_.Replace(client_.List(kJobs, "default")->items);
  }
  kube::ObjectCache requests_;
  kube::ObjectCache jobs_;
  NullRecorder recorder_;

 private:
  kube::ApiClient& client_;
  const Clock& clock_;
};

class RestoreRequestControllerTest : public ::testing::Test {
 protected:
  RestoreRequestControllerTest() : clock_(*ParseRfc3339("2026-11-22T02:00:00Z")), context_(client_, clock_) {
    Create(kSecrets, {{"metadata", {{"name", "pg"}, {"namespace", "default"}}}, {"data", {{"username", "eA=="}, {"password", "eA=="}}}});
    Create(kSecrets, {{"metadata", {{"name", "repo"}, {"namespace", "default"}}}, {"data", {{"password", "eA=="}}}});
    Create(kDeployments, {{"apiVersion", "apps/v1"},
                          {"kind", "Deployment"},
                          {"metadata", {{"name", "web"}, {"namespace", "default"}}},
                          {"spec", {{"replicas", 3}}},
                          {"status", {{"replicas", 3}, {"readyReplicas", 3}}}});
  }

  void Create(const kube::ResourceRef& resource, const nlohmann::json& object) {
    auto created = client_.Create(resource, "default", object);
    ASSERT_TRUE(created.ok()) << created.status();
  }

  void CreateRequest(const std::string& confirm) {
    nlohmann::json database = {{"connection", {{"host", "db"}, {"credentialsSecret", {{"name", "pg"}}}}},
                               {"database", "shop"},
                               {"mode", "Replace"},
                               {"strategy", "InPlace"}};  // Quiesced right after the lookup.
    if (!confirm.empty()) database["confirm"] = confirm;
    Create(RestoreRequestResource(),
           {{"apiVersion", "lifeboat.dev/v1alpha1"},
            {"kind", "RestoreRequest"},
            {"metadata", {{"name", "fix"}, {"namespace", "default"}, {"generation", 1}}},
            {"spec",
             {{"source",
               {{"repository",
                 {{"persistentVolumeClaim", {{"claimName", "backups"}}}, {"encryption", {{"passwordSecret", {{"name", "repo"}}}}}}}}},
              {"database", database},
              {"quiesce", {{"workloads", {{{"kind", "Deployment"}, {"name", "web"}}}}}}}}});
    context_.Sync();
  }

  StatusOr<runtime::ReconcileResult> Reconcile() {
    runtime::ReconcileRequest request{{"default", "fix"}, "r1", "restorerequest"};
    return controller_.Reconcile(request, context_);
  }
  nlohmann::json Request() { return *client_.Get(RestoreRequestResource(), "default", "fix"); }
  std::int64_t WebReplicas() { return (*client_.Get(kDeployments, "default", "web"))["spec"]["replicas"]; }
  std::vector<nlohmann::json> Jobs() { return client_.List(kJobs, "default")->items; }

  // Finishes Job `name` successfully with an agent result in its Pod's termination message.
  void FinishJob(const std::string& name, const nlohmann::json& result) {
    auto job = client_.Get(kJobs, "default", name);
    ASSERT_TRUE(job.ok());
    nlohmann::json status = {{"succeeded", 1},
                             {"completionTime", "2026-11-22T02:00:01Z"},
                             {"conditions", {{{"type", "Complete"}, {"status", "True"}}}}};
    nlohmann::json updated = *job;
    updated["status"] = status;
    ASSERT_TRUE(client_.UpdateStatus(kJobs, "default", updated).ok());
    Create(kPods, {{"metadata", {{"name", name + "-pod"}, {"namespace", "default"}, {"labels", {{"job-name", name}}}}},
                   {"status",
                    {{"containerStatuses",
                      {{{"name", "agent"}, {"state", {{"terminated", {{"exitCode", 0}, {"message", result.dump()}}}}}}}}}}});
    context_.Sync();
  }

  lifeboat::testing::FakeApiClient client_;
  lifeboat::testing::FakeClock clock_;
  TestContext context_;
  RestoreRequestController controller_{"lifeboat:test"};
};

TEST_F(RestoreRequestControllerTest, ReplaceWithoutConfirmCreatesNoJobAndScalesNothing) {
  CreateRequest("");
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_TRUE(Jobs().empty());
  EXPECT_EQ(WebReplicas(), 3);
  nlohmann::json r = Request();
  EXPECT_FALSE(r["metadata"].contains("finalizers"));
  EXPECT_EQ(r["status"]["phase"], "Pending");
  EXPECT_NE(r["status"]["conditions"].dump().find("ConfirmationRequired"), std::string::npos);
}

// What `lifeboat agent catalog --select database:shop@` reports when it chose backup `id`.
nlohmann::json CatalogAnswer(const std::string& id) {
  return {{"schemaVersion", 1}, {"command", "catalog"}, {"result", "Succeeded"}, {"reason", "Completed"}, {"count", 1},
          {"selected", {{"database:shop@", {{"backupId", id}, {"time", "2026-11-22T01:00:00Z"}}}}}};
}

TEST_F(RestoreRequestControllerTest, SavesReplicasInStatusBeforeScalingAndAdoptsJobsAfterACrash) {
  CreateRequest("shop");
  ASSERT_TRUE(Reconcile().ok());
  nlohmann::json r = Request();
  ASSERT_TRUE(r["metadata"].contains("finalizers"));
  EXPECT_EQ(r["metadata"]["finalizers"][0], kFinalizer);
  ASSERT_EQ(Jobs().size(), 1u);
  EXPECT_EQ(Jobs()[0]["metadata"]["name"], "fix-catalog");
  // A crash before the status write of the next reconcile: nothing is scaled.
  FinishJob("fix-catalog", CatalogAnswer("b1"));
  client_.FailNext("update", UnavailableError("connection reset by peer"));
  EXPECT_FALSE(Reconcile().ok());
  EXPECT_EQ(WebReplicas(), 3) << "never scaled before the saved count is stored";
  ASSERT_TRUE(Reconcile().ok());
  r = Request();
  EXPECT_EQ(r["status"]["quiescedWorkloads"][0]["replicas"], 3);
  EXPECT_EQ(WebReplicas(), 0);
  EXPECT_EQ(r["status"]["restoredBackups"][0]["backup"]["id"], "b1");
  // The catalog Job is not created twice, whatever the cache says.
  context_.jobs_.Replace({});
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(RestoreRequestControllerTest, DeletionMidRunScalesBackBeforeReleasingTheFinalizer) {
  CreateRequest("shop");
  ASSERT_TRUE(Reconcile().ok());
  FinishJob("fix-catalog", CatalogAnswer("b1"));
  ASSERT_TRUE(Reconcile().ok());
  ASSERT_EQ(WebReplicas(), 0);
  // Deleted while quiesced: the API server sets deletionTimestamp and keeps the object for the finalizer.
  nlohmann::json deleting = Request();
  deleting["metadata"]["deletionTimestamp"] = "2026-11-22T02:00:05Z";
  ASSERT_TRUE(client_.Update(RestoreRequestResource(), "default", deleting).ok());
  context_.Sync();
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_EQ(WebReplicas(), 3);
  EXPECT_EQ(Request()["metadata"]["finalizers"].size(), 1u) << "held until the app is scaled back";
  context_.Sync();
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_TRUE(Request()["metadata"]["finalizers"].empty()) << "released";
}

TEST_F(RestoreRequestControllerTest, DeletionWhileAJobRunsStopsItBeforeTheAppIsScaledBack) {
  CreateRequest("shop");
  ASSERT_TRUE(Reconcile().ok());
  FinishJob("fix-catalog", CatalogAnswer("b1"));
  ASSERT_TRUE(Reconcile().ok());  // Quiesce: replicas saved, scaled to 0.
  ASSERT_EQ(WebReplicas(), 0);
  nlohmann::json web = *client_.Get(kDeployments, "default", "web");
  web["status"] = {{"replicas", 0}, {"readyReplicas", 0}};
  ASSERT_TRUE(client_.UpdateStatus(kDeployments, "default", web).ok());
  context_.Sync();
  ASSERT_TRUE(Reconcile().ok());  // The safety backup Job starts.
  context_.Sync();
  ASSERT_TRUE(client_.Get(kJobs, "default", "fix-safety").ok());
  nlohmann::json deleting = Request();
  deleting["metadata"]["deletionTimestamp"] = "2026-11-22T02:00:05Z";
  ASSERT_TRUE(client_.Update(RestoreRequestResource(), "default", deleting).ok());
  context_.Sync();
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_EQ(client_.Get(kJobs, "default", "fix-safety").status().code(), StatusCode::kNotFound) << "the running Job is stopped";
  EXPECT_EQ(WebReplicas(), 0) << "not scaled back while the Job may still write";
  context_.Sync();
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_EQ(WebReplicas(), 3);
  context_.Sync();
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_TRUE(Request()["metadata"]["finalizers"].empty()) << "released";
}

}  // namespace
}  // namespace lifeboat::controllers::restorerequest
