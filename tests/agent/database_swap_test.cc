#include "operator/agent/database_swap.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agent/fake_pg_session.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const SwapNames kNames{"shop", "shop_staged", "shop_before_fix", "ns/fix"};

DatabaseInfo Staged() { return {true, StagedComment("ns/fix", "b1"), true}; }

TEST(DecideSwapTest, SwapsAStagedDatabaseInForTheLiveOne) {
  SwapState s{{true, "", true}, Staged(), {}};
  EXPECT_EQ(DecideSwap(s, kNames).action, SwapAction::kSwap);
}

TEST(DecideSwapTest, ALostLiveDatabaseIsReplacedByTheStagedOne) {
  SwapState s{{}, Staged(), {}};
  EXPECT_EQ(DecideSwap(s, kNames).action, SwapAction::kInstall);
}

TEST(DecideSwapTest, ACommittedSwapIsNotDoneTwice) {
  SwapState s{Staged(), {}, {true, PreviousComment("ns/fix"), true}};
  EXPECT_EQ(DecideSwap(s, kNames).action, SwapAction::kAlreadySwapped);
}

TEST(DecideSwapTest, RefusesWhatItDidNotMake) {
  SwapState no_staging{{true, "", true}, {}, {}};
  EXPECT_EQ(DecideSwap(no_staging, kNames).action, SwapAction::kRefuse);
  EXPECT_THAT(DecideSwap(no_staging, kNames).message, HasSubstr("shop was not touched"));
  SwapState foreign{{true, "", true}, {true, "made by hand", true}, {}};
  EXPECT_EQ(DecideSwap(foreign, kNames).action, SwapAction::kRefuse);
  SwapState other_request{{true, "", true}, {true, StagedComment("ns/other", "b1"), true}, {}};
  EXPECT_EQ(DecideSwap(other_request, kNames).action, SwapAction::kRefuse);
  SwapState previous_taken{{true, "", true}, Staged(), {true, "", true}};
  EXPECT_THAT(DecideSwap(previous_taken, kNames).message, HasSubstr("shop_before_fix already exists"));
}

class DatabaseSwapTest : public ::testing::Test {
 protected:
  DatabaseSwapTest() {
    server_.databases = {{"postgres", {}}, {"shop", {{"public", "old", 1, ""}}}, {"shop_staged", {{"public", "new", 1, ""}}}};
    server_.comments["shop_staged"] = StagedComment("ns/fix", "b1");
  }
  std::unique_ptr<PgSession> Admin() {
    auto session = connector_.Connect("postgres");
    return std::move(session).value();
  }
  StatusOr<SwapResult> Swap() {
    auto admin = Admin();
    return RunSwap(*admin, kNames, clock_, [this](std::chrono::milliseconds d) { clock_.Advance(d); });
  }

  testing::FakeServer server_;
  testing::FakePgConnector connector_{server_};
  lifeboat::testing::FakeClock clock_;
};

TEST_F(DatabaseSwapTest, RenamesBothInOneTransactionAfterEndingTheLiveSessions) {
  server_.open_sessions = 2;
  auto r = Swap();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->swapped);
  EXPECT_EQ(r->terminated_sessions, 2);
  EXPECT_THAT(server_.log, ElementsAre("refuse shop", "rename shop shop_before_fix", "rename shop_staged shop", "allow shop_before_fix"));
  EXPECT_EQ(server_.databases["shop"][0].name, "new");
  EXPECT_EQ(server_.databases["shop_before_fix"][0].name, "old");
  EXPECT_EQ(server_.comments["shop_before_fix"], PreviousComment("ns/fix"));
  EXPECT_TRUE(server_.refusing_connections.empty());
}

TEST_F(DatabaseSwapTest, AFailedRenameRenamesNothingAndLetsConnectionsInAgain) {
  server_.fail_statement_containing = "RENAME TO \"shop\"";
  auto r = Swap();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("nothing was renamed and shop accepts connections again"));
  EXPECT_EQ(server_.databases["shop"][0].name, "old");
  EXPECT_EQ(server_.databases.count("shop_before_fix"), 0u);
  EXPECT_TRUE(server_.refusing_connections.empty());
}

TEST_F(DatabaseSwapTest, RunningTheSwapAgainAfterItCommittedChangesNothing) {
  ASSERT_TRUE(Swap().ok());
  server_.log.clear();
  auto again = Swap();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_swapped);
  EXPECT_TRUE(server_.log.empty());
}

TEST_F(DatabaseSwapTest, RollbackOfAnUnfinishedSwapReopensTheLiveDatabaseAndDropsTheStagingOne) {
  server_.refusing_connections.insert("shop");  // The swap stopped after refusing connections.
  auto admin = Admin();
  auto r = RunRollback(*admin, kNames, "");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->swapped);
  EXPECT_TRUE(r->live_intact);
  EXPECT_TRUE(r->staging_dropped);
  EXPECT_THAT(server_.log, ElementsAre("allow shop", "drop shop_staged"));
  EXPECT_EQ(server_.databases["shop"][0].name, "old");
}

TEST_F(DatabaseSwapTest, RollbackNeverUndoesACommittedSwap) {
  ASSERT_TRUE(Swap().ok());
  server_.log.clear();
  auto admin = Admin();
  auto r = RunRollback(*admin, kNames, "");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->swapped);
  EXPECT_TRUE(server_.log.empty());
}

TEST_F(DatabaseSwapTest, RollbackLeavesADatabaseItDidNotStageAlone) {
  server_.comments["shop_staged"] = "somebody's copy";
  auto admin = Admin();
  auto r = RunRollback(*admin, kNames, "");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->staging_dropped);
  EXPECT_EQ(server_.databases.count("shop_staged"), 1u);
}

TEST_F(DatabaseSwapTest, DropPreviousDropsOnlyWhatThisRequestKept) {
  ASSERT_TRUE(Swap().ok());
  auto admin = Admin();
  SwapNames other = kNames;
  other.request = "ns/other";
  EXPECT_EQ(DropPrevious(*admin, other).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(server_.databases.count("shop_before_fix"), 1u);
  auto dropped = DropPrevious(*admin, kNames);
  ASSERT_TRUE(dropped.ok());
  EXPECT_TRUE(*dropped);
  EXPECT_EQ(server_.databases.count("shop_before_fix"), 0u);
  EXPECT_FALSE(*DropPrevious(*admin, kNames));  // Already gone.
}

}  // namespace
}  // namespace lifeboat::agent
