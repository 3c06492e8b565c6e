// `agent catalog`, `retention` and `check` run in-process against a scripted restic.
#include "operator/agent/repository_commands.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "operator/agent/catalog.h"
#include "operator/agent/maintenance_results.h"
#include "tests/agent/command_fixture.h"

namespace lifeboat::agent {
namespace {

using testing::CommandFixture;
using testing::FakeCall;
using testing::FakeResponse;

nlohmann::json Snapshot(const std::string& id, const std::string& backup, const std::string& role,
                        const std::string& source, const std::string& time) {
  nlohmann::json tags = {"lifeboat", "lifeboat-backup=" + backup, "lifeboat-policy=shop", "lifeboat-kind=scheduled",
                         "lifeboat-role=" + role};
  if (!source.empty()) tags.push_back("lifeboat-source=" + source);
  return {{"id", id}, {"short_id", id}, {"time", time}, {"tags", tags}, {"paths", {"/x"}}};
}

class RepositoryCommandsTest : public CommandFixture {
 protected:
  void SetUp() override {
    answer = [](const FakeCall& call) {
      FakeResponse r;
      const nlohmann::json all = {Snapshot("d1", "shop-1", "database", "shop", "2026-11-21T01:00:00Z"),
                                  Snapshot("m1", "shop-1", "manifest", "", "2026-11-21T01:00:00Z"),
                                  Snapshot("d2", "shop-2", "database", "shop", "2026-11-22T01:00:00Z")};
      if (call.Subcommand() == "snapshots") {
        // As restic filters by --tag: a backup id narrows the answer to that backup's snapshots.
        nlohmann::json answered = nlohmann::json::array();
        for (const auto& snapshot : all) {
          bool wanted = true;
          for (const auto& arg : call.spec.argv) {
            const auto at = arg.find("lifeboat-backup=");
            if (at != std::string::npos) {
              wanted = std::find(snapshot["tags"].begin(), snapshot["tags"].end(), arg.substr(at)) != snapshot["tags"].end();
            }
          }
          if (wanted) answered.push_back(snapshot);
        }
        r.stdout_lines = {answered.dump()};
      }
      if (call.Subcommand() == "forget" && call.HasArg("--json")) {
        r.stdout_lines = {nlohmann::json::array({{{"keep", {all[1]}}, {"remove", nlohmann::json::array()}}}).dump()};
      }
      return r;
    };
  }
};

TEST_F(RepositoryCommandsTest, CatalogListsCompleteBackupsAndAnswersEachSelection) {
  CatalogCommand command;
  command.repository = LocalRepository();
  command.selections = {"database:shop"};
  AgentResult result = RunCatalogCommand(command, Context());
  ASSERT_TRUE(result.status.ok()) << result.status << AgentResultJson(result).dump();
  const CatalogResult reported = ParseCatalogResult(AgentResultJson(result));
  EXPECT_EQ(reported.backup_ids, std::vector<std::string>({"shop-1"})) << "shop-2 has no manifest: incomplete";
  ASSERT_EQ(reported.selected.count("database:shop@"), 1u);
  EXPECT_EQ(reported.selected.at("database:shop@").backup_id, "shop-1");
  const auto listed = nlohmann::json::parse(listing.str());
  EXPECT_EQ(listed["backups"].size(), 1u);
}

TEST_F(RepositoryCommandsTest, CatalogOfAMissingBackupIsBackupNotFound) {
  CatalogCommand command;
  command.repository = LocalRepository();
  command.backup_id = "shop-9";
  AgentResult result = RunCatalogCommand(command, Context());
  EXPECT_EQ(result.reason, "BackupNotFound");
}

TEST_F(RepositoryCommandsTest, CatalogRefusesABeforeThatIsNotATime) {
  CatalogCommand command;
  command.repository = LocalRepository();
  command.selections = {"database:shop"};
  command.before = "yesterday";
  AgentResult result = RunCatalogCommand(command, Context());
  EXPECT_EQ(result.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status.message().find("--before \"yesterday\""), std::string::npos) << result.status;
}

TEST_F(RepositoryCommandsTest, CheckPassesTheSubsetToResticAndReportsIt) {
  CheckCommand command;
  command.repository = LocalRepository();
  command.read_data_subset = "10%";
  AgentResult result = RunCheckCommand(command, Context());
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(ParseCheckResult(AgentResultJson(result)).read_data_subset, "10%");
  ASSERT_EQ(runner.CallsOf("check").size(), 1u);
  EXPECT_TRUE(runner.CallsOf("check")[0].HasArg("--read-data-subset=10%"));
}

TEST_F(RepositoryCommandsTest, ACheckThatFindsDamageFails) {
  answer = [](const FakeCall&) {
    FakeResponse r;
    r.result.exit_code = 1;
    r.result.stderr_tail = "Fatal: repository contains errors";
    return r;
  };
  CheckCommand command;
  command.repository = LocalRepository();
  EXPECT_FALSE(RunCheckCommand(command, Context()).status.ok());
}

TEST_F(RepositoryCommandsTest, RetentionReportsWhatItKept) {
  RetentionCommand command;
  command.repository = LocalRepository();
  command.policy = "shop";
  command.retention.rules.keep_last = 1;
  AgentResult result = RunRetentionCommand(command, Context());
  ASSERT_TRUE(result.status.ok()) << result.status;
  const RetentionResult reported = ParseRetentionResult(AgentResultJson(result));
  EXPECT_EQ(reported.policy, "shop");
  EXPECT_EQ(reported.kept, std::vector<std::string>({"shop-1"}));
  EXPECT_TRUE(reported.removed.empty());
}

}  // namespace
}  // namespace lifeboat::agent
