#include "operator/agent/agent_result.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

TEST(AgentResultTest, SuccessCarriesCompletedReasonAndFields) {
  AgentResult r;
  r.command = "backup";
  r.backup_id = "b1";
  r.duration_seconds = 1.23456;
  r.fields = {{"sizeBytes", 10}};
  auto j = nlohmann::json::parse(RenderTerminationMessage(r));
  EXPECT_EQ(j["schemaVersion"], 1);
  EXPECT_EQ(j["result"], "Succeeded");
  EXPECT_EQ(j["reason"], "Completed");
  EXPECT_EQ(j["backupId"], "b1");
  EXPECT_EQ(j["sizeBytes"], 10);
  EXPECT_DOUBLE_EQ(j["durationSeconds"].get<double>(), 1.234);
}

TEST(AgentResultTest, FailureReasonDefaultsToTheStatusCode) {
  AgentResult r;
  r.command = "restore";
  r.status = PermissionDeniedError("wrong repository password");
  auto j = nlohmann::json::parse(RenderTerminationMessage(r));
  EXPECT_EQ(j["result"], "Failed");
  EXPECT_EQ(j["reason"], "PermissionDenied");
  EXPECT_EQ(j["message"], "wrong repository password");
  r.reason = "BackupNotFound";
  EXPECT_EQ(nlohmann::json::parse(RenderTerminationMessage(r))["reason"], "BackupNotFound");
}

TEST(AgentResultTest, StaysWithinTheLimitByDroppingListEntriesFirst) {
  AgentResult r;
  r.command = "catalog";
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back("backup-" + std::to_string(i));
  r.fields = {{"backupIds", ids}, {"count", 1000}};
  std::string text = RenderTerminationMessage(r);
  EXPECT_LE(text.size(), kTerminationMessageLimit);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["truncated"], true);
  EXPECT_EQ(j["count"], 1000);
  EXPECT_EQ(j["backupIds"][0], "backup-0");
}

TEST(AgentResultTest, ShortensAHugeMessageAndStaysValidJson) {
  AgentResult r;
  r.command = "backup";
  r.status = InternalError(std::string(10000, 'x') + "\xc3\xa9");
  std::string text = RenderTerminationMessage(r, 512);
  EXPECT_LE(text.size(), 512u);
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["result"], "Failed");
  EXPECT_EQ(j["truncated"], true);
}

TEST(AgentResultTest, ExitCodesSeparateBadInputFromFailedWork) {
  EXPECT_EQ(ExitCodeFor(Status::Ok()), 0);
  EXPECT_EQ(ExitCodeFor(InvalidArgumentError("x")), 2);
  EXPECT_EQ(ExitCodeFor(InternalError("x")), 1);
}

}  // namespace
}  // namespace lifeboat::agent
