#include "controllers/common/agent_run_result.h"

#include <gtest/gtest.h>

namespace lifeboat::controllers {
namespace {

TEST(AgentRunResultTest, ParsesABackupResult) {
  auto r = ParseAgentRunResult(R"({"schemaVersion":1,"command":"backup","result":"Succeeded","reason":"Completed",
    "message":"","backupId":"shop-now-1","startTime":"2026-11-22T01:02:03Z","endTime":"2026-11-22T01:02:11Z",
    "durationSeconds":7.5,"sizeBytes":1234,"manifestSnapshotId":"m1",
    "databases":[{"source":"shop","database":"shop","snapshotId":"d1","sizeBytes":1000}],
    "media":[{"source":"uploads","snapshotId":"u1","files":3,"bytes":234}],
    "retention":{"kept":["a"],"removed":["b","c"]},"check":{"readDataSubset":"5%","ok":true}})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->succeeded);
  EXPECT_EQ(r->backup_id, "shop-now-1");
  EXPECT_EQ(r->size_bytes, 1234);
  ASSERT_EQ(r->databases.size(), 1u);
  EXPECT_EQ(r->databases[0].snapshot_id, "d1");
  ASSERT_EQ(r->media.size(), 1u);
  EXPECT_EQ(r->media[0].size_bytes, 234);
  EXPECT_EQ(r->retention_removed, 2);
  EXPECT_EQ(r->check_ok, true);
  EXPECT_DOUBLE_EQ(*r->duration_seconds, 7.5);
}

TEST(AgentRunResultTest, ParsesAFailure) {
  auto r = ParseAgentRunResult(
      R"({"schemaVersion":1,"command":"backup","result":"Failed","reason":"RepositoryAccessDenied","message":"wrong password"})");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->succeeded);
  EXPECT_EQ(r->reason, "RepositoryAccessDenied");
}

TEST(AgentRunResultTest, RejectsWhatIsNotAResult) {
  EXPECT_FALSE(ParseAgentRunResult("Error: boom").ok());
  EXPECT_FALSE(ParseAgentRunResult(R"({"schemaVersion":2,"result":"Succeeded"})").ok());
  EXPECT_FALSE(ParseAgentRunResult(R"({"schemaVersion":1,"result":"Maybe"})").ok());
  EXPECT_FALSE(ParseAgentRunResult("[]").ok());
}

TEST(AgentRunResultTest, ReadsTheTerminationMessageOfTheNamedContainer) {
  nlohmann::json pod = {{"status", {{"containerStatuses",
      {{{"name", "other"}, {"state", {{"terminated", {{"message", "no"}}}}}},
       {{"name", "agent"}, {"state", {{"terminated", {{"exitCode", 1}, {"message", "yes"}}}}}}}}}}};
  EXPECT_EQ(TerminationMessage(pod, "agent"), "yes");
  nlohmann::json running = {{"status", {{"containerStatuses", {{{"name", "agent"}, {"state", {{"running", nlohmann::json::object()}}}}}}}}};
  EXPECT_EQ(TerminationMessage(running, "agent"), std::nullopt);
  EXPECT_EQ(TerminationMessage(nlohmann::json::object(), "agent"), std::nullopt);
}

nlohmann::json PodWithMessage(const std::string& created, const std::string& message) {
  return {{"metadata", {{"creationTimestamp", created}}},
          {"status", {{"containerStatuses",
                       {{{"name", "agent"}, {"state", {{"terminated", {{"exitCode", 0}, {"message", message}}}}}}}}}}};
}

TEST(AgentResultFromPodsTest, ReadsTheNewestPodWhoseAgentTerminated) {
  std::string old_result = R"({"schemaVersion":1,"command":"backup","result":"Failed","reason":"DumpFailed","message":"old"})";
  std::string new_result = R"({"schemaVersion":1,"command":"backup","result":"Succeeded","message":"new"})";
  nlohmann::json running = {{"metadata", {{"creationTimestamp", "2026-11-22T03:00:00Z"}}},
                            {"status", {{"containerStatuses", {{{"name", "agent"}, {"state", {{"running", nlohmann::json::object()}}}}}}}}};
  PodsAgentResult read = AgentResultFromPods(
      {PodWithMessage("2026-11-22T01:00:00Z", old_result), running, PodWithMessage("2026-11-22T02:00:00Z", new_result)},
      "agent");
  ASSERT_TRUE(read.result.has_value()) << read.error;
  EXPECT_TRUE(read.error.empty());
  EXPECT_EQ(read.result->raw.value("message", ""), "new");
}

TEST(AgentResultFromPodsTest, SaysWhyThereIsNoResult) {
  EXPECT_EQ(AgentResultFromPods({}, "agent").error, "the Job has no Pod");
  EXPECT_EQ(AgentResultFromPods({PodWithMessage("2026-11-22T01:00:00Z", "")}, "agent").error,
            "the agent container ended without a result (exit code 0)");
  nlohmann::json killed = PodWithMessage("2026-11-22T01:00:00Z", "");
  killed["status"]["containerStatuses"][0]["state"]["terminated"] = {{"exitCode", 137}, {"reason", "OOMKilled"}};
  EXPECT_EQ(AgentResultFromPods({killed}, "agent").error,
            "the agent container ended without a result (exit code 137 (SIGKILL), reason OOMKilled (out of memory: raise "
            "podSettings.resources.limits.memory))");
  PodsAgentResult logs = AgentResultFromPods({PodWithMessage("2026-11-22T01:00:00Z", "exec: restic: not found")}, "agent");
  EXPECT_FALSE(logs.result.has_value());
  EXPECT_NE(logs.error.find("exec: restic: not found"), std::string::npos);
  nlohmann::json pending = {{"metadata", {{"creationTimestamp", "2026-11-22T01:00:00Z"}}}, {"status", nlohmann::json::object()}};
  EXPECT_EQ(AgentResultFromPods({pending}, "agent").error, "no Pod of the Job has a terminated agent container");
}

}  // namespace
}  // namespace lifeboat::controllers
