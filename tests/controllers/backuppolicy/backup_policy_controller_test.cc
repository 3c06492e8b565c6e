// Component tests of the BackupPolicy reconciler (the shell around Decide) against the in-memory
// FakeApiClient, with hand-fed caches, so crashes between actions can be injected.
#include "controllers/backuppolicy/backup_policy_controller.h"

#include <gtest/gtest.h>

#include "controllers/common/labels.h"
#include "operator/api/backup_policy.h"
#include "operator/core/time_format.h"
#include "tests/fakes/fake_api_client.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::controllers::backuppolicy {
namespace {

struct RecordedEvent {
  std::string type, reason, message;
};

class RecordingRecorder final : public kube::EventRecorder {
 public:
  void Record(const nlohmann::json&, const std::string& type, const std::string& reason,
              const std::string& message) override {
    events.push_back({type, reason, message});
  }
  int Count(const std::string& reason) const {
    int n = 0;
    for (const auto& e : events) n += e.reason == reason;
    return n;
  }
  std::vector<RecordedEvent> events;
};

class TestContext final : public runtime::ControllerContext {
 public:
  TestContext(kube::ApiClient& client, const Clock& clock) : client_(client), clock_(clock) {}
  kube::ApiClient& client() override { return client_; }
  kube::EventRecorder& recorder() override { return recorder_; }
  const Clock& clock() override { return clock_; }
  const kube::ObjectCache* Cache(const kube::ResourceRef& resource) override {
    if (resource == BackupPolicyResource()) return &policies_;
    if (resource == JobResource()) return &jobs_;
    return nullptr;
  }
  // Makes the caches show what the API server has (as the informers eventually do).
  void Sync() {
    std::vector<std::pair<kube::ResourceRef, kube::ObjectCache*>> caches = {{BackupPolicyResource(), &policies_},
                                                                            {JobResource(), &jobs_}};
    for (auto& [resource, cache] : caches) {
      auto list = client_.List(resource, "default");
      ASSERT_TRUE(list.ok());
      cache->Replace(list->items);
    }
  }
  kube::ObjectCache policies_;
  kube::ObjectCache jobs_;
  RecordingRecorder recorder_;

 private:
  kube::ApiClient& client_;
  const Clock& clock_;
};

class BackupPolicyControllerTest : public ::testing::Test {
 protected:
  BackupPolicyControllerTest() : clock_(*ParseRfc3339("2026-11-22T01:30:00Z")), context_(client_, clock_) {
    Create(kube::ResourceRef{"", "v1", "secrets", "Secret", true},
           {{"metadata", {{"name", "pg"}, {"namespace", "default"}}},
            {"data", {{"username", "cG9zdGdyZXM="}, {"password", "eA=="}}}});
    Create(kube::ResourceRef{"", "v1", "secrets", "Secret", true},
           {{"metadata", {{"name", "repo"}, {"namespace", "default"}}}, {"data", {{"password", "eA=="}}}});
    Create(BackupPolicyResource(),
           {{"apiVersion", "lifeboat.dev/v1alpha1"},
            {"kind", "BackupPolicy"},
            {"metadata",
             {{"name", "shop"}, {"namespace", "default"}, {"creationTimestamp", "2026-11-22T00:00:00Z"},
              {"annotations", {{"lifeboat.dev/backup-now", "one"}}}}},
            {"spec",
             {{"schedule", "0 */6 * * *"},
              {"database",
               {{"connection", {{"host", "127.0.0.1"}, {"credentialsSecret", {{"name", "pg"}}}}},
                {"databases", {"shop"}}}},
              {"repository",
               {{"persistentVolumeClaim", {{"claimName", "backups"}}},
                {"encryption", {{"passwordSecret", {{"name", "repo"}}}}}}}}}});
    context_.Sync();
  }

  void Create(const kube::ResourceRef& resource, const nlohmann::json& object) {
    ASSERT_TRUE(client_.Create(resource, "default", object).ok());
  }

  StatusOr<runtime::ReconcileResult> Reconcile() {
    runtime::ReconcileRequest request{{"default", "shop"}, "r1", "backuppolicy"};
    return controller_.Reconcile(request, context_);
  }

  std::vector<nlohmann::json> Jobs() { return client_.List(JobResource(), "default")->items; }
  api::BackupPolicyStatus PolicyStatus() {
    auto policy = client_.Get(BackupPolicyResource(), "default", "shop");
    api::FieldErrors errors;
    return api::ParseBackupPolicyStatus(policy->value("status", nlohmann::json::object()), &errors);
  }

  lifeboat::testing::FakeApiClient client_;
  lifeboat::testing::FakeClock clock_;
  TestContext context_;
  BackupPolicyController controller_{"lifeboat:test"};
};

TEST_F(BackupPolicyControllerTest, OnDemandRunCreatesOneOwnedJobAndRecordsTheToken) {
  auto result = Reconcile();
  ASSERT_TRUE(result.ok()) << result.status();
  auto jobs = Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]["metadata"]["labels"][kManagedByLabel], "lifeboat");
  EXPECT_EQ(jobs[0]["metadata"]["ownerReferences"][0]["kind"], "BackupPolicy");
  EXPECT_EQ(PolicyStatus().last_on_demand_token, "one");
  EXPECT_EQ(context_.recorder_.Count("BackupStarted"), 1);
  ASSERT_TRUE(result->requeue_after.has_value());
}

TEST_F(BackupPolicyControllerTest, ACrashBeforeTheStatusWriteNeitherDuplicatesTheJobNorItsEvent) {
  client_.FailNext("update", UnavailableError("connection reset by peer"));
  EXPECT_FALSE(Reconcile().ok());  // Job created, status not written: as if the operator died here.
  ASSERT_EQ(Jobs().size(), 1u);
  // The caches have not seen the Job yet: the create answers AlreadyExists and the Job is adopted.
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_EQ(Jobs().size(), 1u);
  EXPECT_EQ(PolicyStatus().last_on_demand_token, "one");
  EXPECT_EQ(context_.recorder_.Count("BackupStarted"), 1);
  context_.Sync();
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_EQ(Jobs().size(), 1u);
}

TEST_F(BackupPolicyControllerTest, RecordsTheAgentResultFromTheJobsPod) {
  ASSERT_TRUE(Reconcile().ok());
  context_.Sync();
  auto job = Jobs()[0];
  const std::string name = job["metadata"]["name"];
  job["status"] = {{"startTime", "2026-11-22T01:30:00Z"},
                   {"completionTime", "2026-11-22T01:30:09Z"},
                   {"conditions", {{{"type", "Complete"}, {"status", "True"}}}}};
  ASSERT_TRUE(client_.Update(JobResource(), "default", job, "status").ok());
  nlohmann::json result = {{"schemaVersion", 1}, {"command", "backup"}, {"result", "Succeeded"},
                           {"reason", "Completed"}, {"backupId", name},
                           {"startTime", "2026-11-22T01:30:01Z"}, {"endTime", "2026-11-22T01:30:08Z"},
                           {"databases", {{{"source", "shop"}, {"snapshotId", "abc"}, {"sizeBytes", 4242}}}}};
  Create(PodResource(),
         {{"metadata", {{"name", name + "-x1"}, {"namespace", "default"}, {"labels", {{"job-name", name}}}}},
          {"status",
           {{"containerStatuses",
             {{{"name", "agent"}, {"state", {{"terminated", {{"exitCode", 0}, {"message", result.dump()}}}}}}}}}}});
  context_.Sync();
  ASSERT_TRUE(Reconcile().ok());
  auto status = PolicyStatus();
  ASSERT_EQ(status.history.size(), 1u);
  EXPECT_EQ(status.history[0].result, "Succeeded");
  EXPECT_EQ(status.history[0].size_bytes, 4242);
  EXPECT_EQ(status.history[0].snapshot_ids, std::vector<std::string>{"abc"});
  EXPECT_EQ(context_.recorder_.Count("BackupSucceeded"), 1);
  // Nothing more to do: no second status write.
  context_.Sync();
  const int updates = client_.Calls("update");
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_EQ(client_.Calls("update"), updates);
}

TEST_F(BackupPolicyControllerTest, AMissingSecretGivesReadyFalseAndNoJob) {
  ASSERT_TRUE(client_.Delete(kube::ResourceRef{"", "v1", "secrets", "Secret", true}, "default", "repo").ok());
  ASSERT_TRUE(Reconcile().ok());
  EXPECT_TRUE(Jobs().empty());
  const Condition* ready = FindCondition(PolicyStatus().conditions, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->reason, "SecretNotFound");
  EXPECT_EQ(context_.recorder_.Count("SecretNotFound"), 1);
}

}  // namespace
}  // namespace lifeboat::controllers::backuppolicy
