#include "controllers/common/controller_shell.h"

#include <gtest/gtest.h>

#include "controllers/common/resources.h"
#include "tests/fakes/fake_api_client.h"

namespace lifeboat::controllers {
namespace {

using lifeboat::testing::FakeApiClient;

nlohmann::json AJob(const std::string& name) {
  return {{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", {{"name", name}, {"namespace", "ns"}}},
          {"spec", {{"template", {{"spec", {{"containers", nlohmann::json::array()}}}}}}}};
}

runtime::ReconcileRequest Request() { return {{"ns", "owner"}, "r1", "test"}; }

TEST(ControllerShellTest, ACreatedJobIsReportedCreatedAndAnExistingOneAdopted) {
  FakeApiClient client;
  runtime::ReconcileRequest request = Request();
  runtime::ReconcileLog log(request);
  auto first = CreateOrAdoptJob(client, "ns", AJob("run-1"), log);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  auto again = CreateOrAdoptJob(client, "ns", AJob("run-1"), log);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again) << "AlreadyExists adopts the Job of this deterministic name";
  client.FailNext("create", PermissionDeniedError("jobs.batch is forbidden"));
  EXPECT_EQ(CreateOrAdoptJob(client, "ns", AJob("run-2"), log).status().code(), StatusCode::kPermissionDenied);
}

TEST(ControllerShellTest, DeletingAJobThatIsGoneIsFine) {
  FakeApiClient client;
  EXPECT_TRUE(DeleteJob(client, "ns", "never-existed", "Background").ok());
  client.FailNext("delete", UnavailableError("etcd timeout"));
  EXPECT_EQ(DeleteJob(client, "ns", "x", "Foreground").code(), StatusCode::kUnavailable);
}

TEST(ControllerShellTest, AStatusWriteConflictMeansObserveAgainAndAGoneObjectMeansDone) {
  FakeApiClient client;
  EXPECT_TRUE(AfterUnwrittenChange(WriteOutcome::kConflict).requeue);
  EXPECT_FALSE(AfterUnwrittenChange(WriteOutcome::kGone).requeue);
  client.FailNext("update", AbortedError("the object has been modified"));
  auto conflict = WriteStatus(client, JobResource(), "ns", AJob("x"));
  ASSERT_TRUE(conflict.ok());
  EXPECT_EQ(*conflict, WriteOutcome::kConflict);
  auto gone = WriteStatus(client, JobResource(), "ns", AJob("missing"));
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, WriteOutcome::kGone);
}

TEST(ControllerShellTest, ALookAgainIsALittleLateSoTheTimeHasPassed) {
  EXPECT_FALSE(ResultFor(std::nullopt).requeue_after.has_value());
  EXPECT_EQ(*ResultFor(std::chrono::seconds(2)).requeue_after, std::chrono::milliseconds(2050));
}

}  // namespace
}  // namespace lifeboat::controllers
