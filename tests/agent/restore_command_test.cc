// `agent restore` and `agent verify` run in-process: bad input is refused with InvalidRequest before
// anything is touched, and the SQL checks' results are typed on both sides.
#include "operator/agent/restore_command.h"

#include <gtest/gtest.h>

#include "operator/agent/maintenance_results.h"
#include "tests/agent/command_fixture.h"

namespace lifeboat::agent {
namespace {

using testing::CommandFixture;

using RestoreCommandTest = CommandFixture;

TEST_F(RestoreCommandTest, AnUnknownModeIsAnInvalidRequestAndTouchesNothing) {
  RestoreCommand command;
  command.repository = LocalRepository();
  command.request.backup_id = "shop-1";
  command.request.target_database = "shop";
  command.mode = "Overwrite";
  AgentResult result = RunRestoreCommand(command, Context());
  EXPECT_EQ(result.reason, "InvalidRequest");
  EXPECT_EQ(ExitCodeFor(result.status), 2);
  EXPECT_TRUE(runner.Calls().empty());
  EXPECT_TRUE(server.log.empty());
}

TEST_F(RestoreCommandTest, MalformedChecksAreAnInvalidRequest) {
  RestoreCommand command;
  command.repository = LocalRepository();
  command.request.backup_id = "shop-1";
  command.checks_json = "{not json";
  EXPECT_EQ(RunRestoreCommand(command, Context()).reason, "InvalidRequest");
}

TEST_F(RestoreCommandTest, VerifyWithoutChecksIsAnInvalidRequest) {
  VerifyCommand command;
  command.database = "shop";
  AgentResult result = RunVerifyCommand(command, Context());
  EXPECT_EQ(result.reason, "InvalidRequest");
  EXPECT_NE(result.status.message().find("no checks"), std::string::npos);
}

TEST_F(RestoreCommandTest, VerifyReportsEveryCheckAndFailsOnTheFirstFailedOne) {
  server.databases["shop"] = {};
  server.query_results["select count(*) from orders"] = {{"10"}};
  server.query_results["select count(*) from users"] = {{"3"}};
  VerifyCommand command;
  command.database = "shop";
  command.checks_json = R"([{"name":"orders","sql":"select count(*) from orders","expect":"10"},
                            {"name":"users","sql":"select count(*) from users","expect":"4"}])";
  AgentResult result = RunVerifyCommand(command, Context());
  EXPECT_EQ(result.reason, "CheckFailed");
  const VerifyResult reported = ParseVerifyResult(AgentResultJson(result));
  EXPECT_TRUE(reported.checks_reported);
  EXPECT_EQ(reported.database, "shop");
  ASSERT_EQ(reported.checks.size(), 2u);
  EXPECT_TRUE(reported.checks[0].passed);
  EXPECT_FALSE(reported.checks[1].passed);
  EXPECT_EQ(reported.checks[1].database, "shop");
  EXPECT_NE(result.status.message().find("users"), std::string::npos) << result.status;
}

}  // namespace
}  // namespace lifeboat::agent
