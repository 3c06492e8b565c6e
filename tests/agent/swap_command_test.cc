// `agent swap-database` run in-process: the action it reports and how an unreachable server reads.
#include "operator/agent/swap_command.h"

#include <gtest/gtest.h>

#include "operator/agent/restore_result.h"
#include "tests/agent/command_fixture.h"

namespace lifeboat::agent {
namespace {

using testing::CommandFixture;

class SwapCommandTest : public CommandFixture {
 protected:
  SwapCommand Command() {
    SwapCommand command;
    command.names = {"shop", "shop_restoring_r", "shop_before_r", "default/r"};
    return command;
  }
};

TEST_F(SwapCommandTest, AServerWithoutTheMaintenanceDatabaseFailsWithTheConnectionReason) {
  AgentResult result = RunSwapCommand(Command(), Context());
  EXPECT_FALSE(result.status.ok());
  EXPECT_EQ(result.reason, ConnectionFailureReason(result.status));
  const SwapDatabaseResult reported = ParseSwapDatabaseResult(AgentResultJson(result));
  EXPECT_EQ(reported.action, "swap");
  EXPECT_EQ(reported.database, "shop");
  EXPECT_FALSE(reported.swapped);
}

TEST_F(SwapCommandTest, DropPreviousOfADatabaseThisRequestDidNotKeepDropsNothing) {
  server.databases["postgres"] = {};
  server.databases["shop_before_r"] = {};  // No marker of this request: not ours to drop.
  SwapCommand command = Command();
  command.drop_previous = true;
  AgentResult result = RunSwapCommand(command, Context());
  const SwapDatabaseResult reported = ParseSwapDatabaseResult(AgentResultJson(result));
  EXPECT_EQ(reported.action, "drop-previous");
  EXPECT_FALSE(reported.dropped);
  EXPECT_EQ(server.databases.count("shop_before_r"), 1u);
}

}  // namespace
}  // namespace lifeboat::agent
