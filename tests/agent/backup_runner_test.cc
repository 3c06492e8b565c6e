#include "operator/agent/backup_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/core/time_format.h"
#include "tests/agent/fake_pg_session.h"
#include "tests/agent/fake_process_runner.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::agent {
namespace {

using testing::FakeCall;
using testing::FakeProcessRunner;
using testing::FakeResponse;
using ::testing::HasSubstr;

std::string Summary(const std::string& id) {
  return R"({"message_type":"summary","data_added":10,"total_files_processed":1,"snapshot_id":")" + id + R"("})";
}

// A healthy world: restic saves everything, pg_dump and pg_dumpall succeed.
FakeResponse Healthy(const FakeCall& call) {
  FakeResponse r;
  if (call.kind == "pipeline") {
    r.stdout_lines = {R"({"message_type":"status","percent_done":0.5})", Summary("dbsnap")};
    r.bytes = 1234;
  } else if (call.kind == "start-finish") {
    r.stdout_lines = {Summary("mansnap")};
  } else if (call.spec.argv[0] == "pg_dumpall") {
    r.stdout_lines = {"CREATE ROLE app;"};
  }
  return r;
}

class BackupRunnerTest : public ::testing::Test {
 protected:
  BackupRunnerTest() : clock_(*ParseRfc3339("2026-11-22T01:02:03Z")) {
    server_.databases["shop"] = {{"public", "orders", 10, "-5"}, {"public", "users", 3, "7"}};
    request_.backup_id = "shop-1";
    request_.policy = "shop";
    request_.run_kind = "scheduled";
    request_.databases = {{"shop", "shop"}};
    request_.pg.host = "db.internal";
  }

  BackupOutcome Run(FakeProcessRunner::Handler handler) {
    runner_ = std::make_unique<FakeProcessRunner>(std::move(handler));
    ResticInvocation inv;
    inv.env["RESTIC_REPOSITORY"] = "s3:http://x/b";
    restic_ = std::make_unique<ResticClient>(*runner_, inv, [this](const std::string& m) { progress_.push_back(m); });
    testing::FakePgConnector pg(server_);
    BackupRunner runner(*restic_, pg, *runner_, clock_, [this](const std::string&, const std::string& m) { logs_.push_back(m); });
    return runner.Run(request_);
  }

  lifeboat::testing::FakeClock clock_;
  testing::FakeServer server_;
  BackupRequest request_;
  std::unique_ptr<FakeProcessRunner> runner_;
  std::unique_ptr<ResticClient> restic_;
  std::vector<std::string> progress_, logs_;
};

TEST_F(BackupRunnerTest, DumpsFromTheExportedSnapshotAndRecordsItsRowCountsInTheManifest) {
  BackupOutcome out = Run(Healthy);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.manifest_snapshot_id, "mansnap");
  auto pipelines = runner_->CallsOf("backup");
  std::vector<FakeCall> dumps;
  for (const auto& c : runner_->Calls()) if (c.kind == "pipeline") dumps.push_back(c);
  ASSERT_EQ(dumps.size(), 1u);
  EXPECT_TRUE(dumps[0].HasArg("--snapshot=00000003-0000001B-1"));
  EXPECT_TRUE(dumps[0].HasArg("-Fc"));
  EXPECT_TRUE(dumps[0].HasArg("--stdin-filename"));
  EXPECT_TRUE(dumps[0].HasArg("lifeboat-role=database"));
  EXPECT_TRUE(dumps[0].HasArg("2026-11-22 01:02:03"));
  EXPECT_TRUE(dumps[0].HasArg("--no-password"));

  std::vector<FakeCall> manifests;
  for (const auto& c : runner_->Calls()) if (c.kind == "start-finish") manifests.push_back(c);
  ASSERT_EQ(manifests.size(), 1u);
  auto manifest = ParseManifest(manifests[0].stdin_data);
  ASSERT_TRUE(manifest.ok()) << manifest.status();
  ASSERT_EQ(manifest->databases.size(), 1u);
  const auto& db = manifest->databases[0];
  EXPECT_EQ(db.snapshot_id, "dbsnap");
  EXPECT_EQ(db.size_bytes, 1234u);
  EXPECT_EQ(db.wal_lsn, "0/3000148");
  EXPECT_EQ(db.server_version_num, 150018);
  ASSERT_EQ(db.tables.size(), 2u);
  EXPECT_EQ(db.tables[0].rows, 10);
  EXPECT_EQ(db.tables[0].checksum, "");  // Not requested.
  EXPECT_EQ(manifest->globals.sql, "CREATE ROLE app;\n");
  EXPECT_EQ(manifest->run_kind, "scheduled");
  EXPECT_TRUE(manifests[0].HasArg("lifeboat-role=manifest"));
  EXPECT_THAT(progress_, ::testing::Contains(HasSubstr("percent=50.0")));
}

TEST_F(BackupRunnerTest, ChecksumsAreRecordedWhenAsked) {
  request_.table_checksums = true;
  BackupOutcome out = Run(Healthy);
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.manifest.databases[0].tables[0].checksum, "-5");
}

TEST_F(BackupRunnerTest, AKilledDumpFailsTheRunForgetsTheSnapshotAndWritesNoManifest) {
  BackupOutcome out = Run([](const FakeCall& call) {
    FakeResponse r = Healthy(call);
    if (call.kind == "pipeline") {
      r.producer.term_signal = 9;
      r.producer.stderr_tail = "pg_dump: error: terminated\n";
    }
    return r;
  });
  EXPECT_FALSE(out.status.ok());
  EXPECT_EQ(out.reason, "DumpFailed");
  EXPECT_THAT(out.status.message(), HasSubstr("killed by signal 9"));
  auto forgets = runner_->CallsOf("forget");
  ASSERT_EQ(forgets.size(), 1u);
  EXPECT_TRUE(forgets[0].HasArg("dbsnap"));
  for (const auto& c : runner_->Calls()) EXPECT_NE(c.kind, "start-finish") << "a manifest was written";
  bool aborted = false;
  for (const auto& c : runner_->Calls()) aborted = aborted || c.kind == "start-abort";
  EXPECT_TRUE(aborted);
  EXPECT_EQ(out.forgotten_snapshots, std::vector<std::string>{"dbsnap"});
}

TEST_F(BackupRunnerTest, AFailedMediaSourceAlsoRemovesTheDatabaseSnapshotOfTheRun) {
  request_.media = {{"uploads", "/nonexistent-lifeboat-media", {}}};
  request_.media_checksums = false;
  BackupOutcome out = Run([](const FakeCall& call) {
    FakeResponse r = Healthy(call);
    if (call.kind == "run" && call.Subcommand() == "backup") {
      r.result.exit_code = 1;
      r.result.stderr_tail = "Fatal: unable to save snapshot: no space left on device\n";
    }
    return r;
  });
  EXPECT_EQ(out.reason, "MediaFailed");
  auto forgets = runner_->CallsOf("forget");
  ASSERT_EQ(forgets.size(), 1u);
  EXPECT_TRUE(forgets[0].HasArg("dbsnap"));
}

TEST_F(BackupRunnerTest, AWrongPasswordIsReportedAsPermissionDenied) {
  BackupOutcome out = Run([](const FakeCall& call) {
    FakeResponse r;
    if (call.Subcommand() == "cat" || call.kind == "pipeline") {
      r.result.exit_code = 1;
      r.result.stderr_tail = "Fatal: wrong password or no key found\n";
    }
    return r;
  });
  EXPECT_EQ(out.status.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(out.reason, "RepositoryAccessDenied");
  for (const auto& c : runner_->Calls()) EXPECT_NE(c.spec.argv[0], "pg_dump");
}

TEST_F(BackupRunnerTest, InitialisesAMissingRepositoryFirst) {
  bool initialised = false;
  BackupOutcome out = Run([&](const FakeCall& call) {
    FakeResponse r = Healthy(call);
    if (call.Subcommand() == "cat" && !initialised) {
      r.result.exit_code = 1;
      r.result.stderr_tail = "Fatal: unable to open config file\nIs there a repository at the following location?\n";
    }
    if (call.Subcommand() == "init") {
      initialised = true;
      EXPECT_TRUE(call.HasArg("--repository-version"));
    }
    return r;
  });
  EXPECT_TRUE(out.status.ok()) << out.status;
  EXPECT_TRUE(initialised);
}

TEST_F(BackupRunnerTest, RejectsBadRequestsBeforeRunningAnything) {
  request_.backup_id = "bad,id";
  BackupOutcome out = Run(Healthy);
  EXPECT_EQ(out.status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(runner_->Calls().empty());
  request_.backup_id = "ok";
  request_.databases.clear();
  EXPECT_EQ(Run(Healthy).status.code(), StatusCode::kInvalidArgument);
}

TEST_F(BackupRunnerTest, AMissingDatabaseFailsWithoutDumping) {
  request_.databases = {{"gone", "gone"}};
  BackupOutcome out = Run(Healthy);
  EXPECT_EQ(out.status.code(), StatusCode::kNotFound);
  for (const auto& c : runner_->Calls()) EXPECT_NE(c.kind, "pipeline");
}

}  // namespace
}  // namespace lifeboat::agent
