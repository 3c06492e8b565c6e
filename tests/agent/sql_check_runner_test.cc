#include "operator/agent/sql_check_runner.h"

#include <gtest/gtest.h>

#include "tests/agent/fake_pg_session.h"

namespace lifeboat::agent {
namespace {


TEST(SqlCheckRunnerTest, RunsEveryCheckInItsDatabaseAndReportsEachOutcome) {
  testing::FakeServer server;
  server.databases["shop"] = {};
  server.databases["billing"] = {};
  server.query_results["select count(*) from orders"] = {{std::string("10")}};
  server.query_results["select count(*) from invoices"] = {{std::string("3")}};
  testing::FakePgConnector pg(server);
  std::vector<std::string> logged;
  SqlChecksOutcome out = RunSqlChecks(
      pg, "shop",
      {{.name = "orders", .sql = "select count(*) from orders", .expect_text = "10"},
       {.name = "invoices", .database = "billing", .sql = "select count(*) from invoices", .expect_text = "4"},
       {.name = "after-failure", .sql = "select count(*) from orders", .expect_text = "10\n"}},
      [&](const std::string& level, const std::string& message) { logged.push_back(level + " " + message); });
  EXPECT_FALSE(out.all_passed);
  EXPECT_EQ(out.first_failure, "check \"invoices\" failed: expected \"4\", got \"3\"");
  ASSERT_EQ(out.checks.size(), 3u);
  EXPECT_EQ(out.checks[0].database, "shop");
  EXPECT_TRUE(out.checks[0].passed);
  EXPECT_EQ(out.checks[1].database, "billing");
  EXPECT_FALSE(out.checks[1].passed);
  EXPECT_TRUE(out.checks[2].passed) << "a failed check does not stop the others";
  EXPECT_EQ(logged.size(), 3u);
}

TEST(SqlCheckRunnerTest, AnUnreachableDatabaseFailsItsChecksWithTheReason) {
  testing::FakeServer server;
  server.databases["shop"] = {};
  testing::FakePgConnector pg(server);
  SqlChecksOutcome out = RunSqlChecks(pg, "shop", {{.name = "x", .database = "gone", .sql = "select 1", .expect_text = "1"}}, nullptr);
  EXPECT_FALSE(out.all_passed);
  EXPECT_EQ(out.first_failure, "check \"x\" failed: query failed: database \"gone\" does not exist");
}

}  // namespace
}  // namespace lifeboat::agent
