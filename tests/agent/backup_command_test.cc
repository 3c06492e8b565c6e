// `agent backup` run in-process: what it refuses before touching anything, how a cancelled run
// reads, and what a good run reports.
#include "operator/agent/backup_command.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "operator/agent/backup_result.h"
#include "operator/core/time_format.h"
#include "tests/agent/command_fixture.h"

namespace lifeboat::agent {
namespace {

using testing::CommandFixture;
using testing::FakeCall;
using testing::FakeResponse;

class BackupCommandTest : public CommandFixture {
 protected:
  BackupCommand MediaBackup() {
    BackupCommand command;
    command.repository = LocalRepository();
    command.request.policy = "files";
    command.request.backup_id = "files-1";
    command.media = {"uploads=/data/uploads"};
    return command;
  }
};

TEST_F(BackupCommandTest, AnExcludeForAnUnknownMediaSourceIsRefusedBeforeAnythingRuns) {
  BackupCommand command = MediaBackup();
  command.media_excludes = {"other=*.tmp"};
  AgentResult result = RunBackupCommand(command, Context());
  EXPECT_EQ(result.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status.message().find("--media-exclude other=*.tmp"), std::string::npos) << result.status;
  EXPECT_EQ(ExitCodeFor(result.status), 2);
  EXPECT_TRUE(runner.Calls().empty());
}

TEST_F(BackupCommandTest, ARepositoryWithoutAPasswordIsRefusedBeforeAnythingRuns) {
  environment.clear();
  AgentResult result = RunBackupCommand(MediaBackup(), Context());
  EXPECT_FALSE(result.status.ok());
  EXPECT_NE(result.status.message().find("RESTIC_PASSWORD"), std::string::npos) << result.status;
  EXPECT_TRUE(runner.Calls().empty());
}

TEST_F(BackupCommandTest, ARunThatFailsAfterCancellationSaysCancelledAndKeepsTheFailure) {
  answer = [this](const FakeCall&) {
    cancellation.Cancel();
    FakeResponse r;
    r.result.term_signal = 2;
    r.result.stderr_tail = "signal interrupt received, cleaning up";
    return r;
  };
  AgentResult result = RunBackupCommand(MediaBackup(), Context());
  EXPECT_EQ(result.reason, "Cancelled");
  EXPECT_EQ(result.status.code(), StatusCode::kCancelled);
  EXPECT_NE(result.status.message().find("asked to stop"), std::string::npos) << result.status;
}

TEST_F(BackupCommandTest, TheResultCarriesTheRunsIdPolicyAndTimes) {
  AgentResult result = RunBackupCommand(MediaBackup(), Context());
  EXPECT_EQ(result.command, "backup");
  EXPECT_EQ(result.backup_id, "files-1");
  EXPECT_EQ(result.start_time, FormatRfc3339(clock.Now()));
  EXPECT_EQ(ParseBackupResult(result.fields).policy, "files");
}

TEST_F(BackupCommandTest, ACheckThatStaysLockedByADrillIsSkippedNotAFailedBackup) {
  const std::filesystem::path media = std::filesystem::temp_directory_path() / ("backup-check-" + std::to_string(::getpid()));
  std::filesystem::create_directories(media);
  std::ofstream(media / "a.txt") << "a";
  BackupCommand command = MediaBackup();
  command.media = {"uploads=" + media.string()};
  command.check_subset = "1%";
  int checks = 0;
  answer = [&](const FakeCall& call) {
    FakeResponse r;
    if (call.Subcommand() == "check") {
      ++checks;
      r.result.exit_code = 1;
      r.result.stderr_tail = "unable to create lock in backend: repository is already locked by PID 9 on drill-1\n";
    } else if (call.Subcommand() == "backup") {
      r.stdout_lines = {R"({"message_type":"summary","snapshot_id":"abcd1234","total_bytes_processed":1})"};
    }
    return r;
  };
  const AgentResult result = RunBackupCommand(command, Context());
  std::filesystem::remove_all(media);
  EXPECT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_GT(checks, 1) << "it waited for the lock before giving up";
  EXPECT_FALSE(ParseBackupResult(result.fields).check->ok.has_value()) << "skipped, not failed";
  EXPECT_TRUE(std::any_of(log_lines.begin(), log_lines.end(),
                          [](const std::string& l) { return l.find("Repository check skipped") != std::string::npos; }));
}

TEST(DefaultBackupIdTest, IsThePolicyTheCompactTimeAndFiveRandomCharacters) {
  auto now = ParseRfc3339("2026-11-22T01:02:03Z");
  ASSERT_TRUE(now.ok());
  const std::string id = DefaultBackupId("shop", *now);
  ASSERT_EQ(id.size(), std::string("shop-20261122-010203-abcde").size()) << id;
  EXPECT_EQ(id.substr(0, 21), "shop-20261122-010203-");
  EXPECT_NE(id, DefaultBackupId("shop", *now)) << "two runs in the same second get different ids";
}

}  // namespace
}  // namespace lifeboat::agent
