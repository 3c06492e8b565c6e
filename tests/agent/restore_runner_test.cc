#include "operator/agent/restore_runner.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agent/fake_pg_session.h"
#include "tests/agent/fake_process_runner.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::agent {
namespace {

using testing::FakeCall;
using testing::FakeProcessRunner;
using testing::FakeResponse;
using ::testing::HasSubstr;

Manifest BackupManifest() {
  Manifest m;
  m.backup_id = "b1";
  m.policy = "shop";
  m.start_time = "2026-11-22T01:00:00Z";
  DatabaseBackup db;
  db.source = "shop";
  db.database = "shop";
  db.format = "custom";
  db.snapshot_id = "dbsnap";
  db.path = "/lifeboat/db/shop.dump";
  db.checksums = true;
  db.tables = {{"public", "orders", 10, "-5"}};
  m.databases.push_back(db);
  return m;
}

class RestoreRunnerTest : public ::testing::Test {
 protected:
  RestoreRunnerTest() {
    server_.databases["postgres"] = {};
    request_.backup_id = "b1";
    request_.target_database = "shop_restored";
    request_.work_dir = ::testing::TempDir();
  }

  // restic answers from the manifest; pg_restore "restores" by filling the target in the fake server.
  FakeResponse World(const FakeCall& call) {
    FakeResponse r;
    std::string sub = call.Subcommand();
    if (sub == "dump" && call.HasArg(kManifestPath)) {
      r.stdout_lines = {SerializeManifest(manifest_)};
    } else if (call.spec.argv[0] == "pg_restore" || (call.kind == "pipeline" && call.consumer.argv[0] == "pg_restore")) {
      if (call.kind == "pipeline" && dump_fails_) {
        r.producer.exit_code = 1;
        r.producer.stderr_tail = "Fatal: pack 1234 is damaged\n";
        r.result.term_signal = 15;
        return r;
      }
      std::lock_guard lock(server_.mutex);
      const auto& argv = call.kind == "pipeline" ? call.consumer.argv : call.spec.argv;
      auto d = std::find(argv.begin(), argv.end(), "-d");
      server_.databases[*(d + 1)] = restored_tables_;
    }
    return r;
  }

  RestoreOutcome Run() {
    runner_ = std::make_unique<FakeProcessRunner>([this](const FakeCall& c) { return World(c); });
    ResticClient restic(*runner_, ResticInvocation{}, nullptr);
    testing::FakePgConnector pg(server_);
    lifeboat::testing::FakeClock clock;
    RestoreRunner runner(restic, pg, *runner_, clock, [](const std::string&, const std::string&) {});
    return runner.Run(request_);
  }

  bool Ran(const std::string& program) {
    for (const auto& c : runner_->Calls()) if (c.spec.argv[0] == program) return true;
    return false;
  }

  bool dump_fails_ = false;
  testing::FakeServer server_;
  Manifest manifest_ = BackupManifest();
  std::vector<TableStats> restored_tables_ = {{"public", "orders", 10, "-5"}};
  RestoreRequest request_;
  std::unique_ptr<FakeProcessRunner> runner_;
};

TEST_F(RestoreRunnerTest, RestoresIntoANewDatabaseAndVerifiesAgainstTheManifest) {
  server_.query_results["select count(*) from orders"] = {{std::string("10")}};
  request_.checks = {{.name = "orders", .sql = "select count(*) from orders", .expect = std::string("10")}};
  request_.jobs = 3;
  RestoreOutcome out = Run();
  ASSERT_TRUE(out.status.ok()) << out.status;
  // Restored and verified under a staging name, then renamed: the target name never holds a
  // half-restored database.
  EXPECT_THAT(server_.log, ::testing::ElementsAre("create shop_restored_restoring",
                                                  "rename shop_restored_restoring shop_restored"));
  EXPECT_EQ(out.database.staging_database, "shop_restored_restoring");
  EXPECT_EQ(out.database.mismatches, 0);
  EXPECT_EQ(out.backup_time, "2026-11-22T01:00:00Z");
  // Rows stream from restic into pg_restore (a local copy is kept); indexes and constraints are built
  // in parallel from the copy.
  bool streamed_data = false, parallel_post_data = false;
  for (const auto& c : runner_->Calls()) {
    if (c.kind == "pipeline" && c.consumer.argv[0] == "pg_restore") {
      streamed_data = c.HasArg("--section=data") && c.HasArg("--section=pre-data") && !c.HasArg("-j") &&
                      !c.consumer.stdin_copy_path.empty() && c.spec.argv[0] == "restic";
    }
    if (c.kind == "run" && c.spec.argv[0] == "pg_restore") {
      parallel_post_data = c.HasArg("-j") && c.HasArg("3") && c.HasArg("--exit-on-error") && c.HasArg("--section=post-data");
    }
  }
  EXPECT_TRUE(streamed_data);
  EXPECT_TRUE(parallel_post_data);
  EXPECT_TRUE(out.checks[0].passed);
}

TEST_F(RestoreRunnerTest, FindsTheManifestWithOneResticProcess) {
  RestoreOutcome out = Run();
  ASSERT_TRUE(out.status.ok()) << out.status;
  std::vector<FakeCall> manifest_reads;
  for (const auto& c : runner_->Calls()) {
    EXPECT_NE(c.Subcommand(), "snapshots");
    if (c.spec.argv[0] == "restic" && c.HasArg(kManifestPath)) manifest_reads.push_back(c);
  }
  ASSERT_EQ(manifest_reads.size(), 1u);
  EXPECT_TRUE(manifest_reads[0].HasArg("lifeboat-role=manifest,lifeboat-backup=b1"));
  EXPECT_TRUE(manifest_reads[0].HasArg("latest"));
}

TEST_F(RestoreRunnerTest, WithOneJobTheDumpStreamsFromResticIntoPgRestore) {
  request_.jobs = 1;
  RestoreOutcome out = Run();
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_EQ(out.database.streamed, true);
  std::vector<FakeCall> pipelines;
  for (const auto& c : runner_->Calls()) if (c.kind == "pipeline") pipelines.push_back(c);
  ASSERT_EQ(pipelines.size(), 1u);
  EXPECT_EQ(pipelines[0].spec.argv[0], "restic");
  EXPECT_TRUE(pipelines[0].HasArg("dbsnap"));
  EXPECT_FALSE(pipelines[0].HasArg("-j"));
  EXPECT_FALSE(pipelines[0].HasArg("--section=data"));
  EXPECT_TRUE(pipelines[0].consumer.stdin_copy_path.empty());
  for (const auto& c : runner_->Calls()) EXPECT_FALSE(c.kind == "run" && c.spec.argv[0] == "pg_restore");
}

TEST_F(RestoreRunnerTest, AStreamedRestoreWhoseDumpFailsIsAFailure) {
  request_.jobs = 1;
  dump_fails_ = true;
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "FetchFailed");
  EXPECT_THAT(out.status.message(), HasSubstr("damaged"));
}

TEST_F(RestoreRunnerTest, NewDatabaseNeverTouchesAnExistingTarget) {
  server_.databases["shop_restored"] = {{"public", "precious", 1, ""}};
  RestoreOutcome out = Run();
  EXPECT_EQ(out.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(out.reason, "TargetExists");
  EXPECT_FALSE(Ran("pg_restore"));
  EXPECT_EQ(server_.databases["shop_restored"][0].name, "precious");
  EXPECT_THAT(server_.log, ::testing::Not(::testing::Contains("drop shop_restored")));
}

TEST_F(RestoreRunnerTest, InPlaceReplaceWithoutTheSafetyBackupChangesNothing) {
  server_.databases["shop_restored"] = {};
  request_.mode = DatabaseRestoreMode::kReplace;
  request_.strategy = ReplaceStrategy::kInPlace;
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "SafetyBackupRequired");
  EXPECT_TRUE(server_.log.empty());
  EXPECT_FALSE(Ran("pg_restore"));
}

TEST_F(RestoreRunnerTest, InPlaceReplaceWithTheSafetyBackupDropsAndRecreates) {
  server_.databases["shop_restored"] = {};
  request_.mode = DatabaseRestoreMode::kReplace;
  request_.strategy = ReplaceStrategy::kInPlace;
  request_.safety_backup_done = true;
  RestoreOutcome out = Run();
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_THAT(server_.log, ::testing::ElementsAre("drop shop_restored", "create shop_restored"));
  EXPECT_EQ(out.database.target_dropped, true);
}

TEST_F(RestoreRunnerTest, SwapReplaceRestoresBesideTheLiveDatabaseAndLeavesItUntouched) {
  server_.databases["shop_restored"] = {{"public", "live", 1, ""}};
  request_.mode = DatabaseRestoreMode::kReplace;
  request_.staging_database = "shop_staged";
  request_.request_marker = "ns/fix";
  RestoreOutcome out = Run();
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_THAT(server_.log, ::testing::ElementsAre("create shop_staged"));
  EXPECT_EQ(server_.databases["shop_restored"][0].name, "live");
  EXPECT_EQ(server_.comments["shop_staged"], "Restored by Lifeboat RestoreRequest ns/fix from backup b1");
  EXPECT_FALSE(out.database.target_dropped);
}

TEST_F(RestoreRunnerTest, ARetriedStagedRestoreReplacesItsOwnLeftoverButNeverSomeoneElsesDatabase) {
  request_.staging_database = "shop_staged";
  request_.request_marker = "ns/fix";
  server_.databases["shop_staged"] = {};
  server_.comments["shop_staged"] = "Restored by Lifeboat RestoreRequest ns/fix from backup b1";
  ASSERT_TRUE(Run().status.ok());
  EXPECT_THAT(server_.log, ::testing::ElementsAre("drop shop_staged", "create shop_staged", "rename shop_staged shop_restored"));

  server_.log.clear();
  request_.target_database = "other";
  server_.databases["shop_staged"] = {{"public", "theirs", 1, ""}};
  server_.comments["shop_staged"] = "reporting copy";
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "TargetExists");
  EXPECT_THAT(out.status.message(), HasSubstr("was not made by it"));
  EXPECT_TRUE(server_.log.empty());
  EXPECT_EQ(server_.databases["shop_staged"][0].name, "theirs");
}

TEST_F(RestoreRunnerTest, AFailedNewDatabaseRestoreDropsTheDatabaseItCreated) {
  restored_tables_ = {{"public", "orders", 9, "-5"}};  // Verification fails.
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "VerificationFailed");
  EXPECT_EQ(server_.databases.count("shop_restored_restoring"), 0u);
  EXPECT_EQ(server_.databases.count("shop_restored"), 0u);
  EXPECT_EQ(out.database.staging_dropped, true);
}

TEST_F(RestoreRunnerTest, AFailedNewDatabaseRestoreIsKeptUnderTheMarkedNameWhenAsked) {
  restored_tables_ = {{"public", "orders", 9, "-5"}};
  request_.keep_failed_as = "shop_restored_failed";
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "VerificationFailed");
  EXPECT_EQ(server_.databases.count("shop_restored_failed"), 1u);
  EXPECT_EQ(server_.databases.count("shop_restored"), 0u);
  EXPECT_EQ(out.database.kept_as, "shop_restored_failed");
}

constexpr char kGlobals[] =
    "CREATE ROLE app_owner;\n"
    "ALTER ROLE app_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-x';\n"
    "CREATE ROLE reporting;\n"
    "ALTER ROLE reporting WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS;\n"
    "CREATE ROLE unrelated;\n"
    "ALTER ROLE unrelated WITH NOLOGIN;\n";

TEST_F(RestoreRunnerTest, CreatesTheRolesTheBackupNeedsThatTheTargetLacksBeforeAnythingElse) {
  manifest_.globals = {true, 0, kGlobals};
  manifest_.databases[0].owner = "app_owner";
  manifest_.databases[0].roles_recorded = true;
  manifest_.databases[0].roles = {"app_owner", "postgres", "reporting"};
  RestoreOutcome out = Run();
  ASSERT_TRUE(out.status.ok()) << out.status;
  EXPECT_THAT(server_.log, ::testing::ElementsAre("role app_owner", "exec ALTER ROLE app_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-x';",
                                                  "role reporting", ::testing::StartsWith("exec ALTER ROLE reporting"),
                                                  "create shop_restored_restoring", ::testing::StartsWith("rename")));
  EXPECT_EQ(out.database.roles_created, (std::vector<std::string>{"app_owner", "reporting"}));
  EXPECT_EQ(out.database.roles_without_password, std::vector<std::string>{"reporting"});
  EXPECT_EQ(server_.roles.count("unrelated"), 0u);
}

TEST_F(RestoreRunnerTest, ABackupFromBeforeRolesWereRecordedCreatesEveryMissingRoleOfItsGlobals) {
  manifest_.globals = {true, 0, kGlobals};
  ASSERT_TRUE(Run().status.ok());
  EXPECT_EQ(server_.roles, (std::set<std::string>{"app_owner", "postgres", "reporting", "unrelated"}));
}

TEST_F(RestoreRunnerTest, ANeededRoleTheGlobalsDoNotDefineChangesNothing) {
  manifest_.databases[0].roles_recorded = true;
  manifest_.databases[0].roles = {"app_owner"};
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "RolesMissing");
  EXPECT_THAT(out.status.message(), HasSubstr("app_owner"));
  EXPECT_THAT(out.status.message(), HasSubstr("spec.database.owner"));
  EXPECT_TRUE(server_.log.empty());
  EXPECT_FALSE(Ran("pg_restore"));
}

TEST_F(RestoreRunnerTest, RoleCreationThatIsRefusedChangesNothingAndSaysWhatToDo) {
  manifest_.globals = {true, 0, kGlobals};
  manifest_.databases[0].roles_recorded = true;
  manifest_.databases[0].roles = {"app_owner", "reporting"};
  server_.fail_statement_containing = "CREATE ROLE reporting";
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "RoleCreationFailed");
  EXPECT_THAT(out.status.message(), HasSubstr("CREATEROLE"));
  EXPECT_EQ(server_.roles, (std::set<std::string>{"postgres"}));  // One transaction: app_owner is not left either.
  EXPECT_EQ(server_.databases.count("shop_restored_restoring"), 0u);
}

TEST_F(RestoreRunnerTest, WithAnOwnerEverythingIsRestoredAsThatRoleAndNoRoleIsCreated) {
  manifest_.globals = {true, 0, kGlobals};
  server_.roles.insert("tenant");
  request_.owner = "tenant";
  ASSERT_TRUE(Run().status.ok());
  EXPECT_EQ(server_.roles, (std::set<std::string>{"postgres", "tenant"}));
  for (const auto& c : runner_->Calls()) {
    const auto& argv = c.kind == "pipeline" ? c.consumer.argv : c.spec.argv;
    if (argv[0] != "pg_restore") continue;
    EXPECT_THAT(argv, ::testing::IsSupersetOf({"--no-owner", "--no-privileges", "--role=tenant"}));
  }
  request_.owner = "nobody";
  request_.target_database = "another";
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "OwnerRoleNotFound");
}

TEST_F(RestoreRunnerTest, ARowCountMismatchFailsVerification) {
  restored_tables_ = {{"public", "orders", 9, "-5"}};
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "VerificationFailed");
  EXPECT_THAT(out.status.message(), HasSubstr("public.orders rows: expected 10, got 9"));
  EXPECT_EQ(out.mismatches.size(), 1u);
}

TEST_F(RestoreRunnerTest, AFailingCheckFailsTheRestore) {
  server_.query_results["select 1"] = {{std::string("1")}};
  request_.checks = {{.name = "one", .sql = "select 1", .expect = std::string("2")}};
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "CheckFailed");
}

TEST_F(RestoreRunnerTest, AnUnknownBackupIsNotFound) {
  request_.backup_id = "nope";
  runner_ = std::make_unique<FakeProcessRunner>([](const FakeCall& c) {
    FakeResponse r;
    if (c.Subcommand() == "dump") {  // What restic 0.14 says when no snapshot matches.
      r.result.exit_code = 1;
      r.result.stderr_tail = "latest snapshot for criteria not found: no snapshot found Paths:[] Hosts:[lifeboat]\n";
    }
    return r;
  });
  ResticClient restic(*runner_, ResticInvocation{}, nullptr);
  testing::FakePgConnector pg(server_);
  lifeboat::testing::FakeClock clock;
  RestoreRunner runner(restic, pg, *runner_, clock, [](const std::string&, const std::string&) {});
  RestoreOutcome out = runner.Run(request_);
  EXPECT_EQ(out.reason, "BackupNotFound");
  EXPECT_EQ(out.status.code(), StatusCode::kNotFound);
}

TEST_F(RestoreRunnerTest, ABackupWithSeveralDatabasesNeedsASourceChoice) {
  DatabaseBackup other = manifest_.databases[0];
  other.source = "billing";
  manifest_.databases.push_back(other);
  RestoreOutcome out = Run();
  EXPECT_EQ(out.reason, "SourceNotFound");
  EXPECT_THAT(out.status.message(), HasSubstr("--database-source"));
  request_.database_source = "billing";
  EXPECT_TRUE(Run().status.ok());
}

}  // namespace
}  // namespace lifeboat::agent
