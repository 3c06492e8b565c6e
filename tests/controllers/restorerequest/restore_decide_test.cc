#include "controllers/restorerequest/restore_decide.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "controllers/restorerequest/restore_jobs.h"
#include "controllers/common/run_as.h"
#include "tests/controllers/restorerequest/restore_world.h"

namespace lifeboat::controllers::restorerequest {
namespace {

using namespace std::chrono_literals;

const Condition* Cond(const api::RestoreRequestStatus& s, const std::string& type) {
  return FindCondition(s.conditions, type);
}

// Nothing in the world is touched: no metadata patch, no scale, no Job.
void ExpectNothingChanged(const RestorePlan& plan) {
  EXPECT_TRUE(plan.metadata_patch.is_null());
  EXPECT_TRUE(plan.scales.empty());
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_TRUE(plan.delete_jobs.empty());
  EXPECT_FALSE(plan.status.start_time.has_value());
}

const WallTime kNow = At("2026-11-22T02:00:10Z");

// ---- before the start: each refusal changes nothing and says why ----

struct RefusalCase {
  std::string name;
  std::function<void(RestoreWorld&)> setup;
  std::string reason;
  std::string message_part;
};

class RestoreRefusalTest : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(RestoreRefusalTest, ChangesNothingAndSaysWhy) {
  RestoreWorld world;
  GetParam().setup(world);
  RestorePlan plan = Decide(world.observed(), kNow);
  ExpectNothingChanged(plan);
  const Condition* validated = Cond(plan.status, api::kConditionValidated);
  ASSERT_NE(validated, nullptr);
  EXPECT_EQ(validated->status, ConditionStatus::kFalse);
  EXPECT_EQ(validated->reason, GetParam().reason);
  EXPECT_NE(validated->message.find(GetParam().message_part), std::string::npos) << validated->message;
  const Condition* succeeded = Cond(plan.status, api::kConditionSucceeded);
  ASSERT_NE(succeeded, nullptr);
  EXPECT_EQ(succeeded->status, ConditionStatus::kFalse);
  EXPECT_EQ(plan.status.phase, "Pending");
  ASSERT_FALSE(plan.events.empty());
  EXPECT_EQ(plan.events[0].type, "Warning");
}

INSTANTIATE_TEST_SUITE_P(
    EveryRefusal, RestoreRefusalTest,
    ::testing::Values(
        RefusalCase{"ReplaceWithoutConfirm", [](RestoreWorld& w) { w.request()["spec"]["database"].erase("confirm"); },
                    "ConfirmationRequired", "set confirm to \"shop\""},
        RefusalCase{"ReplaceWithWrongConfirm", [](RestoreWorld& w) { w.request()["spec"]["database"]["confirm"] = "shpo"; },
                    "ConfirmationRequired", "must equal spec.database.database"},
        RefusalCase{"InvalidSpec", [](RestoreWorld& w) { w.request()["spec"]["database"]["jobs"] = 99; }, "InvalidSpec",
                    "spec.database.jobs"},
        RefusalCase{"MissingPolicy", [](RestoreWorld& w) { w.observed().policy.reset(); }, "BackupPolicyNotFound",
                    "BackupPolicy \"shop\""},
        RefusalCase{"MissingRepositorySecret", [](RestoreWorld& w) { w.observed().secrets.erase("repo"); }, "SecretNotFound",
                    "Secret \"repo\""},
        RefusalCase{"MissingDatabaseSecret", [](RestoreWorld& w) { w.observed().secrets.erase("pg"); }, "SecretNotFound",
                    "spec.database.connection.credentialsSecret"},
        RefusalCase{"MissingSecretKey", [](RestoreWorld& w) { w.observed().secrets["pg"] = {"username"}; },
                    "SecretKeyNotFound", "no key \"password\""},
        RefusalCase{"MissingWorkload", [](RestoreWorld& w) { w.observed().workloads.clear(); }, "WorkloadNotFound",
                    "Deployment \"web\""}),
    [](const auto& info) { return info.param.name; });

TEST(RestoreDecideTest, FixingTheConfirmationStartsTheRestore) {
  RestoreWorld world;
  world.request()["spec"]["database"].erase("confirm");
  world.Apply(Decide(world.observed(), kNow), kNow);
  world.request()["spec"]["database"]["confirm"] = "shop";
  world.request()["metadata"]["generation"] = 2;
  RestorePlan plan = Decide(world.observed(), kNow + 1s);
  EXPECT_EQ(plan.status.phase, "Running");
  EXPECT_EQ(Cond(plan.status, api::kConditionValidated)->status, ConditionStatus::kUnknown);
  ASSERT_EQ(plan.create_jobs.size(), 1u);
}

// ---- the start ----

TEST(RestoreDecideTest, StartWritesFinalizerAndStartedSpecThenLooksUpTheBackup) {
  RestoreWorld world;
  RestorePlan plan = Decide(world.observed(), kNow);
  ASSERT_FALSE(plan.metadata_patch.is_null());
  EXPECT_EQ(plan.metadata_patch["metadata"]["finalizers"], nlohmann::json::array({kFinalizer}));
  // The spec as started goes to status: the operator never writes the user's annotations.
  EXPECT_FALSE(plan.metadata_patch["metadata"].contains("annotations"));
  ASSERT_TRUE(plan.status.started_spec.has_value());
  EXPECT_EQ(*plan.status.started_spec, world.request()["spec"]);
  EXPECT_EQ(plan.metadata_patch["metadata"]["resourceVersion"], "1");
  EXPECT_EQ(plan.status.phase, "Running");
  EXPECT_EQ(plan.status.start_time, kNow);
  EXPECT_EQ(plan.status.started_generation, 1);
  ASSERT_EQ(plan.status.steps.size(), 9u);  // InPlace: the eight runbook steps and RollBack.
  EXPECT_EQ(plan.status.steps[0].name, "Validate");
  EXPECT_EQ(plan.status.steps[0].state, "Running");
  EXPECT_EQ(plan.status.steps[1].state, "Pending");
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  const nlohmann::json& job = plan.create_jobs[0];
  EXPECT_EQ(job["metadata"]["name"], "fix-catalog");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["uid"], "uid-fix");
  EXPECT_EQ(Args(job), (std::vector<std::string>{"agent", "catalog", "--policy", "shop", "--select", "database:shop@"}));
  EXPECT_TRUE(plan.scales.empty()) << "nothing is scaled before the backup is known";
}

TEST(RestoreDecideTest, ExplicitBackupIdIsLookedUpByTheCatalog) {
  RestoreWorld world;
  world.request()["spec"]["database"]["backupID"] = "shop-1";
  RestorePlan plan = Decide(world.observed(), kNow);
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  EXPECT_TRUE(HasArg(plan.create_jobs[0], "database:shop@shop-1"));
}

TEST(RestoreDecideTest, AMediaTargetsOwnerIsTheUserItsRestoreRunsAs) {
  RestoreWorld world;
  world.request()["spec"]["media"] = {
      {{"sourceName", "uploads"}, {"claimName", "media"}, {"mode", "Merge"}, {"owner", {{"uid", 33}, {"gid", 33}}}}};
  WallTime now = kNow;
  world.RunToEnd(now);
  const nlohmann::json& job = world.CreatedJob("fix-media-0");
  EXPECT_EQ(job["spec"]["template"]["spec"]["securityContext"]["runAsUser"], 33);
  EXPECT_EQ(job["spec"]["template"]["spec"]["securityContext"]["runAsGroup"], 33);
  EXPECT_TRUE(HasArg(job, "--media-owner"));
  EXPECT_TRUE(HasArg(job, "33:33"));
  EXPECT_EQ(world.CreatedJob("fix-restore-db")["spec"]["template"]["spec"]["securityContext"]["runAsUser"], kImageUser)
      << "the database Jobs run as the image's user";
}

TEST(RestoreDecideTest, FilesNotGivenBackToTheirOwnerAreAWarningNotAFailure) {
  RestoreWorld world;
  world.request()["spec"]["media"] = {{{"sourceName", "uploads"}, {"claimName", "media"}, {"mode", "Merge"}}};
  world.SetOutcome([&world](const std::string& name) -> JobOutcome {
    if (name.find("-media-") == std::string::npos) return world.DefaultOutcome(name);
    agent::RestoreResult fields;
    fields.backup_time = "2026-11-22T01:30:00Z";
    fields.media = agent::MediaRestoreReport{"uploads", "/media/0", "Merge", "x-shop-2", 10, 0, 10,
                                             "10 of 10 restored files could not be given to their owner ..."};
    nlohmann::json r = AgentResult("restore", true);
    r.update(agent::RestoreResultToJson(fields));
    return {true, r};
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Succeeded") << "the data is restored";
  EXPECT_NE(StepNamed(s, "RestoreMedia")->message.find("10 files could not be given back to their owner"), std::string::npos)
      << StepNamed(s, "RestoreMedia")->message;
  auto warning = std::find_if(world.Events().begin(), world.Events().end(),
                              [](const PlannedEvent& e) { return e.reason == "OwnersNotRestored"; });
  ASSERT_NE(warning, world.Events().end());
  EXPECT_EQ(warning->type, "Warning");
  EXPECT_NE(warning->message.find("media (spec.media[0]): 10 of 10"), std::string::npos) << warning->message;
}

TEST(RestoreDecideTest, AMissingOwnerWorkloadHoldsTheRestoreBeforeAnythingChanges) {
  RestoreWorld world;
  world.request()["spec"]["media"] = {{{"sourceName", "uploads"}, {"claimName", "media"}, {"mode", "Merge"},
                                       {"workload", {{"kind", "Deployment"}, {"name", "uploads-app"}}}}};
  WallTime now = kNow;
  world.RunToEnd(now, 5);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_NE(s.phase, "Succeeded");
  EXPECT_TRUE(world.Events().empty() || std::none_of(world.Events().begin(), world.Events().end(), [](const PlannedEvent& e) {
    return e.reason == "RestoreStarted";
  }));
  const std::string message = nlohmann::json(api::RestoreRequestStatusToJson(s)).dump();
  EXPECT_NE(message.find("WorkloadNotFound"), std::string::npos) << message;
  EXPECT_NE(message.find("spec.media[0].workload"), std::string::npos) << message;
  api::SecurityContext app;
  app.run_as_user = 33;
  world.observed().media_workloads["Deployment/uploads-app"] = app;
  world.RunToEnd(now);
  EXPECT_EQ(world.Status().phase, "Succeeded");
  EXPECT_EQ(world.CreatedJob("fix-media-0")["spec"]["template"]["spec"]["securityContext"]["runAsUser"], 33);
}

TEST(RestoreDecideTest, BeforeRestoresTheNewestBackupTakenAtOrBeforeIt) {
  RestoreWorld world;
  world.request()["spec"]["source"]["before"] = "2026-11-22T01:00:00Z";
  world.request()["spec"]["media"] = {{{"sourceName", "uploads"}, {"claimName", "media"}, {"mode", "Merge"}}};
  WallTime now = kNow;
  world.RunToEnd(now);
  EXPECT_TRUE(HasArg(world.CreatedJob("fix-catalog"), "--before"));
  EXPECT_TRUE(HasArg(world.CreatedJob("fix-catalog"), "2026-11-22T01:00:00Z"));
  EXPECT_TRUE(HasArg(world.CreatedJob("fix-catalog"), "media:uploads@"));
  api::RestoreRequestStatus s = world.Status();
  ASSERT_EQ(s.restored_backups.size(), 2u);
  for (const api::RestoredBackup& r : s.restored_backups) {
    EXPECT_EQ(r.backup.id, "shop-1") << r.target << ": shop-2 (01:30) is after spec.source.before";
  }
  EXPECT_TRUE(HasArg(world.CreatedJob("fix-restore-db"), "shop-1"));
  EXPECT_TRUE(HasArg(world.CreatedJob("fix-media-0"), "shop-1"));
  EXPECT_NE(StepNamed(s, "Validate")->message.find("newest at or before 2026-11-22T01:00:00Z"), std::string::npos)
      << StepNamed(s, "Validate")->message;
}

TEST(RestoreDecideTest, LatestNeverPicksASafetyBackupOfAnEarlierRestore) {
  RestoreWorld world;
  // An inline repository (no policy filter) whose newest backup is an earlier restore's safety backup.
  world.request()["spec"]["source"] = {
      {"repository", PolicyObject()["spec"]["repository"]}};
  world.repository().insert(world.repository().begin(),
                            RestoreWorld::BackupOf("old-safety", "2026-11-22T01:50:00Z", "pre-restore", "pre-restore"));
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  ASSERT_EQ(s.restored_backups.size(), 1u);
  EXPECT_EQ(s.restored_backups[0].backup.id, "shop-2");
  ASSERT_TRUE(s.restored_backups[0].backup.start_time.has_value());
  EXPECT_EQ(*s.restored_backups[0].backup.start_time, At("2026-11-22T01:30:00Z"));
}

TEST(RestoreDecideTest, NoBackupBeforeTheTimeFailsBeforeTouchingAnything) {
  RestoreWorld world;
  world.request()["spec"]["source"]["before"] = "2026-11-01T00:00:00Z";
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  const Condition* validated = Cond(s, api::kConditionValidated);
  EXPECT_EQ(validated->reason, "BackupNotFound");
  EXPECT_NE(validated->message.find("taken at or before 2026-11-01T00:00:00Z (the oldest is shop-1"), std::string::npos)
      << validated->message;
  EXPECT_TRUE(world.scale_history().empty());
  EXPECT_EQ(world.creations().size(), 1u) << "only the catalog Job ran";
}

// ---- the whole runbook ----

TEST(RestoreDecideTest, InPlaceReplaceRunsEveryStepInOrderAndSucceeds) {
  RestoreWorld world;
  WallTime now = kNow;
  world.RunToEnd(now);
  ASSERT_TRUE(world.Final());
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Succeeded");
  const Condition* succeeded = Cond(s, api::kConditionSucceeded);
  ASSERT_NE(succeeded, nullptr);
  EXPECT_EQ(succeeded->status, ConditionStatus::kTrue);
  EXPECT_EQ(succeeded->reason, "RestoreSucceeded");
  std::vector<std::string> states;
  for (const auto& step : s.steps) states.push_back(step.name + "=" + step.state);
  EXPECT_EQ(states, (std::vector<std::string>{"Validate=Succeeded", "Quiesce=Succeeded", "SafetyBackup=Succeeded",
                                              "RestoreDatabase=Succeeded", "RestoreMedia=Skipped", "PostRestore=Succeeded",
                                              "Verify=Succeeded", "RollBack=Skipped", "Resume=Succeeded"}));
  for (const auto& step : s.steps) {
    EXPECT_TRUE(step.start_time.has_value()) << step.name;
    EXPECT_TRUE(step.completion_time.has_value()) << step.name;
    EXPECT_FALSE(step.message.empty()) << step.name;
  }
  ASSERT_EQ(s.quiesced_workloads.size(), 1u);
  EXPECT_EQ(s.quiesced_workloads[0].replicas, 3);
  ASSERT_EQ(s.safety_backups.size(), 1u);
  EXPECT_EQ(s.safety_backups[0].id, "fix-safety");
  ASSERT_EQ(s.restored_backups.size(), 1u);
  EXPECT_EQ(s.restored_backups[0].backup.id, "shop-2");
  EXPECT_EQ(s.restored_backups[0].target, "database/shop");
  // RPO: the restore started at 02:00:10, the backup at 01:30:00.
  EXPECT_EQ(s.backup_age, "30m10s");
  EXPECT_FALSE(s.duration.empty());
  EXPECT_TRUE(s.completion_time.has_value());
  EXPECT_FALSE(s.checks.empty());
  for (const auto& c : s.checks) EXPECT_TRUE(c.passed) << c.name;
  // The app is back, every Job ran exactly once, the finalizer is gone.
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
  for (const auto& [name, count] : world.creations()) EXPECT_EQ(count, 1) << name;
  EXPECT_EQ(world.creations().size(), 4u);  // catalog, safety, restore-db, post-migrate
  EXPECT_TRUE(world.request()["metadata"]["finalizers"].empty());
  // The restore Job was allowed to replace only after the safety backup.
  EXPECT_TRUE(HasArg(world.CreatedJob("fix-restore-db"), "--safety-backup-done"));
  EXPECT_TRUE(HasArg(world.CreatedJob("fix-restore-db"), "Replace"));
  EXPECT_EQ(world.CreatedJob("fix-post-migrate")["spec"]["template"]["spec"]["containers"][0]["image"], "shop:1");
}

TEST(RestoreDecideTest, ReplicaCountsAreSavedInTheSamePlanThatScalesToZero) {
  RestoreWorld world;
  WallTime now = kNow;
  // Validate.
  world.Apply(Decide(world.observed(), now), now);
  world.Progress(now);
  RestorePlan plan = Decide(world.observed(), now += 1s);
  ASSERT_EQ(plan.scales.size(), 1u);
  EXPECT_EQ(plan.scales[0], (ScaleAction{"Deployment", "web", 0}));
  ASSERT_EQ(plan.status.quiesced_workloads.size(), 1u);
  EXPECT_EQ(plan.status.quiesced_workloads[0].replicas, 3);
  EXPECT_TRUE(plan.status_changed);
  // A crash right after the status write: the saved count survives, the next plan scales.
  world.Apply(plan, now, /*max_actions=*/1);
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
  RestorePlan again = Decide(world.observed(), now += 1s);
  ASSERT_EQ(again.scales.size(), 1u);
  EXPECT_EQ(again.status.quiesced_workloads[0].replicas, 3);
}

TEST(RestoreDecideTest, SavedReplicasAreNeverOverwrittenByTheQuiescedCount) {
  RestoreWorld world;
  WallTime now = kNow;
  for (int i = 0; i < 3; ++i) {
    world.Apply(Decide(world.observed(), now), now);
    world.Progress(now);
    now += 1s;
  }
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 0);
  EXPECT_EQ(world.Status().quiesced_workloads[0].replicas, 3);
}

TEST(RestoreDecideTest, NewDatabaseFromAnInlineRepositoryTakesNoSafetyBackup) {
  RestoreWorld world;
  world.observed().policy.reset();
  world.request() = RestoreRequestObject(
      "copy", {{"source",
                {{"repository",
                  {{"persistentVolumeClaim", {{"claimName", "backups"}, {"path", "restic"}}},
                   {"encryption", {{"passwordSecret", {{"name", "repo"}}}}}}}}},
               {"database",
                {{"connection", {{"host", "db.example"}, {"credentialsSecret", {{"name", "pg"}}}}},
                 {"database", "shop_copy"},
                 {"sourceDatabase", "shop"}}}});
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Succeeded");
  EXPECT_EQ(StepNamed(s, "SafetyBackup")->state, "Skipped");
  EXPECT_EQ(StepNamed(s, "Quiesce")->state, "Skipped");
  EXPECT_TRUE(s.safety_backups.empty());
  EXPECT_EQ(world.creations().count("copy-safety"), 0u);
  EXPECT_EQ(Args(world.CreatedJob("copy-catalog")), (std::vector<std::string>{"agent", "catalog", "--select", "database:shop@"}));
  const nlohmann::json& restore = world.CreatedJob("copy-restore-db");
  EXPECT_TRUE(HasArg(restore, "NewDatabase"));
  EXPECT_TRUE(HasArg(restore, "shop_copy"));
  EXPECT_FALSE(HasArg(restore, "--safety-backup-done"));
  nlohmann::json env = restore["spec"]["template"]["spec"]["containers"][0]["env"];
  for (const auto& e : env) {
    if (e["name"] == "PGPASSWORD" || e["name"] == "RESTIC_PASSWORD") {
      EXPECT_TRUE(e.contains("valueFrom")) << e.dump();
    }
  }
}

TEST(RestoreDecideTest, MediaTargetsAreRestoredWithTheirOwnJobs) {
  RestoreWorld world;
  world.request()["spec"]["media"] = {{{"sourceName", "uploads"}, {"claimName", "media"}, {"mode", "Replace"}}};
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Succeeded");
  EXPECT_EQ(StepNamed(s, "RestoreMedia")->state, "Succeeded");
  const nlohmann::json& job = world.CreatedJob("fix-media-0");
  EXPECT_TRUE(HasArg(job, "--media-target"));
  EXPECT_TRUE(HasArg(job, "--safety-backup-done"));
  EXPECT_TRUE(HasArg(world.CreatedJob("fix-safety"), "uploads=/media/0"));
  EXPECT_EQ(s.restored_backups.size(), 2u);
}

// ---- failures: each ends Succeeded=False with a reason, the app resumed ----

struct FailureCase {
  std::string name;
  std::string failing_job_suffix;
  nlohmann::json result;  // null: the Job fails without a result.
  std::string reason;
  bool safety_backup_listed;
};

class RestoreFailureTest : public ::testing::TestWithParam<FailureCase> {};

TEST_P(RestoreFailureTest, EndsFailedWithTheAppResumed) {
  RestoreWorld world;
  const FailureCase& c = GetParam();
  world.SetOutcome([c, &world](const std::string& name) -> JobOutcome {
    if (name.ends_with(c.failing_job_suffix)) return {false, c.result};
    if (name.ends_with("-catalog")) return world.DefaultOutcome(name);
    if (name.ends_with("-safety")) {
      nlohmann::json r = AgentResult("backup", true);
      r["backupId"] = name;
      return {true, r};
    }
    if (name.ends_with("-restore-db")) {
      nlohmann::json r = AgentResult("restore", true);
      r["database"] = {{"tablesVerified", 1}, {"mismatches", 0}};
      return {true, r};
    }
    if (name.ends_with("-rollback")) return world.DefaultOutcome(name);
    return {true, nullptr};
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  ASSERT_TRUE(world.Final());
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  const Condition* succeeded = Cond(s, api::kConditionSucceeded);
  ASSERT_NE(succeeded, nullptr);
  EXPECT_EQ(succeeded->status, ConditionStatus::kFalse);
  EXPECT_EQ(succeeded->reason, c.reason);
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3) << "the app is resumed";
  // Resume runs whenever something was quiesced (a failed lookup happens before the quiesce).
  EXPECT_EQ(StepNamed(s, "Resume")->state, s.quiesced_workloads.empty() ? "Skipped" : "Succeeded");
  EXPECT_EQ(s.quiesced_workloads.empty(), c.failing_job_suffix == "-catalog");
  EXPECT_EQ(!s.safety_backups.empty(), c.safety_backup_listed);
  if (c.safety_backup_listed) {
    EXPECT_NE(succeeded->message.find("fix-safety"), std::string::npos) << succeeded->message;
  }
  EXPECT_TRUE(world.request()["metadata"]["finalizers"].empty());
  for (const auto& [name, count] : world.creations()) EXPECT_EQ(count, 1) << name;
}

INSTANTIATE_TEST_SUITE_P(
    EveryFailurePath, RestoreFailureTest,
    ::testing::Values(
        FailureCase{"BackupNotFound", "-catalog", AgentResult("catalog", false, "BackupNotFound", "backup \"x\" is not in the repository"),
                    "BackupNotFound", false},
        FailureCase{"WrongRepositoryPassword", "-catalog",
                    AgentResult("catalog", false, "RepositoryAccessDenied", "wrong password or no key found"),
                    "RepositoryAccessDenied", false},
        FailureCase{"SafetyBackupFails", "-safety", AgentResult("backup", false, "DumpFailed", "pg_dump exited with 1"),
                    "SafetyBackupFailed", false},
        FailureCase{"CorruptedBackup", "-restore-db", AgentResult("restore", false, "FetchFailed", "restic dump failed"),
                    "FetchFailed", true},
        FailureCase{"RestoreJobKilled", "-restore-db", nullptr, "RestoreFailed", true},
        FailureCase{"VerificationFails", "-restore-db",
                    AgentResult("restore", false, "VerificationFailed", "public.t rows: expected 10, got 9"),
                    "VerificationFailed", true},
        FailureCase{"MigrationFails", "-post-migrate", nullptr, "PostRestoreFailed", true}),
    [](const auto& info) { return info.param.name; });

// The runbook order: migrate, then check. The manifest comparison happened in the restore Job
// (before the migration changed the data); the user's SQL checks run after the post-restore Jobs.
TEST(RestoreDecideTest, SqlChecksRunInTheirOwnJobAfterThePostRestoreJobs) {
  RestoreWorld world;
  world.request()["spec"]["verify"] = {
      {"sql", {{{"name", "orders"}, {"query", "select count(*) from orders"}, {"expected", "10"}}}}};
  WallTime now = kNow;
  std::vector<std::string> created_in_order;
  for (int i = 0; i < 40 && !world.Final(); ++i) {
    RestorePlan plan = Decide(world.observed(), now);
    for (const auto& job : plan.create_jobs) created_in_order.push_back(job["metadata"]["name"]);
    world.Apply(plan, now);
    world.Progress(now);
    now += 1s;
  }
  EXPECT_EQ(created_in_order, (std::vector<std::string>{"fix-catalog", "fix-safety", "fix-restore-db", "fix-post-migrate",
                                                        "fix-verify"}));
  EXPECT_FALSE(HasArg(world.CreatedJob("fix-restore-db"), "--checks-json")) << "checks wait for the migration";
  EXPECT_EQ(Args(world.CreatedJob("fix-verify")),
            (std::vector<std::string>{"agent", "verify", "--database", "shop", "--checks-json",
                                      R"([{"expectText":"10","name":"orders","sql":"select count(*) from orders"}])"}));
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Succeeded");
  auto sql = std::find_if(s.checks.begin(), s.checks.end(), [](const api::CheckResult& c) { return c.type == "SQL"; });
  ASSERT_NE(sql, s.checks.end());
  EXPECT_EQ(sql->name, "orders");
  EXPECT_TRUE(sql->passed);
  EXPECT_NE(StepNamed(s, "Verify")->message.find("1 SQL checks"), std::string::npos) << StepNamed(s, "Verify")->message;
}

TEST(RestoreDecideTest, AFailedSqlCheckFailsTheRestoreNamingTheCheck) {
  RestoreWorld world;
  world.request()["spec"]["verify"] = {
      {"sql", {{{"name", "orders"}, {"query", "select count(*) from orders"}, {"expected", "10"}}}}};
  world.SetOutcome([&world](const std::string& name) -> JobOutcome {
    if (!name.ends_with("-verify")) return world.DefaultOutcome(name);
    nlohmann::json r = AgentResult("verify", false, "CheckFailed", "check \"orders\" failed: expected \"10\", got \"9\"");
    r.update(agent::VerifyResultToJson({"shop", {{"orders", "shop", false, "expected \"10\", got \"9\""}}, true}));
    return {false, r};
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  const Condition* succeeded = Cond(s, api::kConditionSucceeded);
  EXPECT_EQ(succeeded->reason, "VerificationFailed");
  EXPECT_NE(succeeded->message.find("orders: expected \"10\", got \"9\""), std::string::npos) << succeeded->message;
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3) << "the app is resumed";
}

TEST(RestoreDecideTest, AVerifyJobThatLeftNoResultFailsVerification) {
  RestoreWorld world;
  world.request()["spec"]["verify"] = {
      {"sql", {{{"name", "orders"}, {"query", "select count(*) from orders"}, {"expected", "10"}}}}};
  world.SetOutcome([&world](const std::string& name) -> JobOutcome {
    if (name.ends_with("-verify")) return {false, nullptr};  // Killed: no termination message.
    return world.DefaultOutcome(name);
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  EXPECT_EQ(Cond(s, api::kConditionSucceeded)->reason, "VerificationFailed");
  EXPECT_NE(StepNamed(s, "Verify")->message.find("The SQL checks did not run"), std::string::npos);
}

TEST(RestoreDecideTest, NoBackupInTheRepositoryFailsBeforeTouchingAnything) {
  RestoreWorld world;
  world.repository().clear();
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  EXPECT_EQ(Cond(s, api::kConditionSucceeded)->reason, "BackupNotFound");
  EXPECT_EQ(Cond(s, api::kConditionValidated)->status, ConditionStatus::kFalse);
  EXPECT_TRUE(world.scale_history().empty());
  EXPECT_EQ(world.creations().size(), 1u);
}

TEST(RestoreDecideTest, AnAgentResultNotReadYetIsAwaitedThenReported) {
  RestoreWorld world;
  world.SetOutcome([](const std::string&) -> JobOutcome { return {true, nullptr}; });
  WallTime now = kNow;
  world.Apply(Decide(world.observed(), now), now);
  world.Progress(now);
  RestorePlan waiting = Decide(world.observed(), now += 5s);
  EXPECT_EQ(StepNamed(waiting.status, "Validate")->state, "Running");
  EXPECT_TRUE(waiting.create_jobs.empty());
  ASSERT_TRUE(waiting.requeue_after.has_value());
  world.Apply(waiting, now);
  RestorePlan failed = Decide(world.observed(), now += 60s);
  EXPECT_EQ(StepNamed(failed.status, "Validate")->state, "Failed");
  EXPECT_EQ(Cond(failed.status, api::kConditionSucceeded)->reason, "CatalogFailed");
  EXPECT_EQ(failed.status.phase, "Failed");
  EXPECT_TRUE(failed.scales.empty());
}

TEST(RestoreDecideTest, FailureKeepsSucceededUnknownUntilTheAppIsResumed) {
  RestoreWorld world;
  world.SetOutcome([&world](const std::string& name) -> JobOutcome {
    if (name.ends_with("-catalog")) return world.DefaultOutcome(name);
    if (name.ends_with("-restore-db")) return {false, AgentResult("restore", false, "RestoreFailed", "pg_restore failed")};
    return {true, AgentResult("backup", true)};
  });
  WallTime now = kNow;
  for (int i = 0; i < 30; ++i) {
    RestorePlan plan = Decide(world.observed(), now);
    const api::Step* failed = StepNamed(plan.status, "RestoreDatabase");
    if (failed != nullptr && failed->state == "Failed" && world.observed().workloads["Deployment/web"].spec_replicas == 0) {
      // The failure is known, the app not yet back: not reported as final yet.
      EXPECT_EQ(Cond(plan.status, api::kConditionSucceeded)->status, ConditionStatus::kUnknown);
      EXPECT_EQ(Cond(plan.status, api::kConditionSucceeded)->reason, "RestoreFailed");
      EXPECT_NE(plan.status.phase, "Failed");
      ASSERT_EQ(plan.scales.size(), 1u);
      EXPECT_EQ(plan.scales[0].replicas, 3);
      return;
    }
    world.Apply(plan, now);
    world.Progress(now);
    now += 1s;
  }
  FAIL() << "the restore Job never failed";
}

TEST(RestoreDecideTest, QuiesceTimeoutFailsAndResumes) {
  RestoreWorld world;
  WallTime now = kNow;
  world.Apply(Decide(world.observed(), now), now);
  world.Progress(now);
  world.Apply(Decide(world.observed(), now += 1s), now);
  // The pods never go away.
  world.observed().workloads["Deployment/web"].replicas = 3;
  RestorePlan plan = Decide(world.observed(), now += 61s);
  EXPECT_EQ(StepNamed(plan.status, "Quiesce")->state, "Failed");
  EXPECT_EQ(Cond(plan.status, api::kConditionSucceeded)->reason, "QuiesceTimeout");
  ASSERT_EQ(plan.scales.size(), 1u);
  EXPECT_EQ(plan.scales[0], (ScaleAction{"Deployment", "web", 3}));
  EXPECT_TRUE(plan.create_jobs.empty()) << "no safety backup or restore after a failed quiesce";
}

// ---- deletion mid-run ----

TEST(RestoreDecideTest, DeletionMidRunStopsJobsResumesTheAppThenReleasesTheFinalizer) {
  RestoreWorld world;
  world.SetOutcome([&world](const std::string& name) -> JobOutcome {
    if (name.ends_with("-catalog")) return world.DefaultOutcome(name);
    return {false, AgentResult("catalog", true)};
  });
  WallTime now = kNow;
  // Validate, quiesce, start the safety backup.
  for (int i = 0; i < 4; ++i) {
    world.Apply(Decide(world.observed(), now), now);
    if (i < 2) world.Progress(now);
    now += 1s;
  }
  ASSERT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 0);
  ASSERT_EQ(world.observed().jobs.count("fix-safety"), 1u);
  world.MarkDeleted(now);
  ASSERT_FALSE(world.gone()) << "the finalizer holds the request";
  RestorePlan plan = Decide(world.observed(), now);
  EXPECT_EQ(plan.delete_jobs, (std::vector<std::string>{"fix-safety"}));
  EXPECT_TRUE(plan.scales.empty()) << "the app is not started while a Job of the restore still runs";
  EXPECT_TRUE(plan.metadata_patch.is_null()) << "the finalizer stays until the app is scaled back";
  // The Job is being deleted (foreground: its Pods are still there): still no scale, no second delete.
  world.observed().jobs["fix-safety"].state.deleting = true;
  RestorePlan waiting = Decide(world.observed(), now += 1s);
  EXPECT_TRUE(waiting.delete_jobs.empty());
  EXPECT_TRUE(waiting.scales.empty());
  EXPECT_TRUE(waiting.metadata_patch.is_null());
  ASSERT_TRUE(waiting.requeue_after.has_value());
  // The Job is gone: scale back, then release.
  world.observed().jobs.erase("fix-safety");
  RestorePlan scale = Decide(world.observed(), now += 1s);
  ASSERT_EQ(scale.scales.size(), 1u);
  EXPECT_EQ(scale.scales[0], (ScaleAction{"Deployment", "web", 3}));
  EXPECT_TRUE(scale.metadata_patch.is_null()) << "the finalizer stays until the app is scaled back";
  world.Apply(scale, now);
  RestorePlan last = Decide(world.observed(), now += 1s);
  ASSERT_FALSE(last.metadata_patch.is_null());
  EXPECT_TRUE(last.metadata_patch["metadata"]["finalizers"].empty());
  world.Apply(last, now);
  EXPECT_TRUE(world.gone());
}

TEST(RestoreDecideTest, TheFinalizerIsWrittenOnlyWhenItChanges) {
  RestoreWorld world;
  WallTime now = kNow;
  // A crash after the finalizer patch, before the status write: the retry does not patch again.
  world.Apply(Decide(world.observed(), now), now, /*max_actions=*/1);
  ASSERT_EQ(world.request()["metadata"]["finalizers"], nlohmann::json::array({kFinalizer}));
  RestorePlan retry = Decide(world.observed(), now);
  EXPECT_TRUE(retry.metadata_patch.is_null());
  EXPECT_EQ(retry.status.phase, "Running");
  // At the end, with the finalizer already gone (a crash after removing it), nothing is patched.
  world.RunToEnd(now);
  ASSERT_TRUE(world.Final());
  EXPECT_TRUE(world.request()["metadata"]["finalizers"].empty());
  EXPECT_FALSE(Decide(world.observed(), now).HasActions());
}

TEST(RestoreDecideTest, DeletionBeforeTheStartReleasesAtOnce) {
  RestoreWorld world;
  world.MarkDeleted(kNow);
  EXPECT_TRUE(world.gone());
  RestorePlan plan = Decide(world.observed(), kNow);
  EXPECT_FALSE(plan.HasActions());
}

TEST(RestoreDecideTest, DeletionAfterTheEndTouchesNoWorkload) {
  RestoreWorld world;
  WallTime now = kNow;
  world.RunToEnd(now);
  world.observed().workloads["Deployment/web"].spec_replicas = 7;  // The user scaled up since.
  world.request()["metadata"]["finalizers"] = {kFinalizer};
  world.MarkDeleted(now);
  RestorePlan plan = Decide(world.observed(), now);
  EXPECT_TRUE(plan.scales.empty());
  EXPECT_TRUE(plan.metadata_patch["metadata"]["finalizers"].empty());
}

// ---- spec immutability ----

TEST(RestoreDecideTest, SpecChangeAfterTheStartIsRefusedAndTheRestoreGoesOnAsStarted) {
  RestoreWorld world;
  WallTime now = kNow;
  world.Apply(Decide(world.observed(), now), now);
  world.request()["spec"]["database"]["database"] = "other";
  world.request()["spec"]["database"]["confirm"] = "other";
  world.request()["metadata"]["generation"] = 2;
  world.Progress(now);
  RestorePlan plan = Decide(world.observed(), now += 1s);
  const Condition* changed = Cond(plan.status, api::kConditionSpecChanged);
  ASSERT_NE(changed, nullptr);
  EXPECT_EQ(changed->status, ConditionStatus::kTrue);
  EXPECT_EQ(changed->reason, "SpecImmutable");
  EXPECT_NE(changed->message.find("refused"), std::string::npos);
  world.Apply(plan, now);
  world.RunToEnd(now);
  EXPECT_EQ(world.Status().phase, "Succeeded");
  EXPECT_TRUE(HasArg(world.CreatedJob("fix-restore-db"), "shop"));
  EXPECT_FALSE(HasArg(world.CreatedJob("fix-restore-db"), "other"));
}

// ---- one restore per target ----

TEST(RestoreDecideTest, SecondRequestForTheSameDatabaseWaitsAndSaysWhy) {
  RestoreWorld first;
  WallTime now = kNow;
  first.Apply(Decide(first.observed(), now), now);
  RestoreWorld second;
  second.request()["metadata"]["name"] = "again";
  second.request()["metadata"]["creationTimestamp"] = "2026-11-22T02:00:05Z";
  second.observed().other_requests = {first.request()};
  RestorePlan plan = Decide(second.observed(), now);
  ExpectNothingChanged(plan);
  EXPECT_EQ(plan.status.phase, "Waiting");
  const Condition* blocked = Cond(plan.status, api::kConditionBlocked);
  ASSERT_NE(blocked, nullptr);
  EXPECT_EQ(blocked->status, ConditionStatus::kTrue);
  EXPECT_EQ(blocked->reason, "TargetInUse");
  EXPECT_NE(blocked->message.find("\"fix\""), std::string::npos);
  EXPECT_TRUE(plan.requeue_after.has_value());
  second.Apply(plan, now);
  // When the first one has finished, the second starts.
  first.RunToEnd(now);
  second.observed().other_requests = {first.request()};
  RestorePlan start = Decide(second.observed(), now);
  EXPECT_EQ(start.status.phase, "Running");
  ASSERT_NE(Cond(start.status, api::kConditionBlocked), nullptr);
  EXPECT_EQ(Cond(start.status, api::kConditionBlocked)->status, ConditionStatus::kFalse);
}

TEST(RestoreDecideTest, OfTwoUnstartedRequestsTheOlderGoesFirst) {
  RestoreWorld older;
  RestoreWorld newer;
  newer.request()["metadata"]["name"] = "again";
  newer.request()["metadata"]["creationTimestamp"] = "2026-11-22T02:00:05Z";
  older.observed().other_requests = {newer.request()};
  newer.observed().other_requests = {older.request()};
  EXPECT_EQ(Decide(older.observed(), kNow).status.phase, "Running");
  EXPECT_EQ(Decide(newer.observed(), kNow).status.phase, "Waiting");
}

TEST(RestoreDecideTest, RequestsForDifferentDatabasesRunTogether) {
  RestoreWorld first;
  first.Apply(Decide(first.observed(), kNow), kNow);
  RestoreWorld second;
  second.request()["metadata"]["name"] = "other";
  second.request()["spec"]["database"]["database"] = "billing";
  second.request()["spec"]["database"]["confirm"] = "billing";
  second.observed().other_requests = {first.request()};
  EXPECT_EQ(Decide(second.observed(), kNow).status.phase, "Running");
}

// ---- properties: determinism, convergence, crash safety ----

TEST(RestoreDecidePropertyTest, SameInputGivesTheSamePlan) {
  RestoreWorld world;
  WallTime now = kNow;
  for (int i = 0; i < 12 && !world.Final(); ++i) {
    RestorePlan a = Decide(world.observed(), now);
    RestorePlan b = Decide(world.observed(), now);
    EXPECT_EQ(a.metadata_patch, b.metadata_patch);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.scales, b.scales);
    EXPECT_EQ(a.create_jobs, b.create_jobs);
    EXPECT_EQ(a.delete_jobs, b.delete_jobs);
    EXPECT_EQ(a.events, b.events);
    world.Apply(a, now);
    world.Progress(now);
    now += 1s;
  }
}

TEST(RestoreDecidePropertyTest, ApplyingAPlanAndDecidingAgainConverges) {
  RestoreWorld world;
  WallTime now = kNow;
  for (int i = 0; i < 30 && !world.Final(); ++i) {
    RestorePlan plan = Decide(world.observed(), now);
    world.Apply(plan, now);
    RestorePlan again = Decide(world.observed(), now);
    EXPECT_TRUE(again.metadata_patch.is_null()) << "round " << i;
    EXPECT_FALSE(again.status_changed) << "round " << i;
    EXPECT_TRUE(again.create_jobs.empty()) << "round " << i;
    EXPECT_TRUE(again.delete_jobs.empty()) << "round " << i;
    EXPECT_TRUE(again.events.empty()) << "round " << i;
    // Scales repeat only while the workload has not followed yet (idempotent).
    for (const ScaleAction& s : again.scales) {
      EXPECT_TRUE(std::find(plan.scales.begin(), plan.scales.end(), s) != plan.scales.end());
    }
    world.Progress(now);
    now += 1s;
  }
  EXPECT_TRUE(world.Final());
}

// A crash after each possible number of actions of each plan: the restore still completes, each Job
// is created once, and the app ends at its saved replicas.
TEST(RestoreDecidePropertyTest, CrashBetweenAnyTwoActionsLosesNothingAndDuplicatesNothing) {
  for (int crash_round = 0; crash_round < 14; ++crash_round) {
    for (int kept = 0; kept < 4; ++kept) {
      RestoreWorld world;
      WallTime now = kNow;
      world.RunWithCrash(now, crash_round, kept);
      SCOPED_TRACE("crash in round " + std::to_string(crash_round) + " after " + std::to_string(kept) + " actions");
      ASSERT_TRUE(world.Final());
      EXPECT_EQ(world.Status().phase, "Succeeded");
      for (const auto& [name, count] : world.creations()) EXPECT_EQ(count, 1) << name;
      EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
      EXPECT_EQ(world.Status().quiesced_workloads.at(0).replicas, 3);
      // Never scaled to anything but 0 and the saved 3.
      for (const ScaleAction& s : world.scale_history()) EXPECT_TRUE(s.replicas == 0 || s.replicas == 3);
    }
  }
}

TEST(RestoreDecidePropertyTest, OddStatesStillGiveAPlan) {
  RestoreWorld world;
  world.request()["status"] = {{"phase", "Running"}, {"startTime", "2026-11-22T02:00:00Z"}};  // No steps at all.
  RestorePlan plan = Decide(world.observed(), kNow);
  EXPECT_EQ(plan.status.steps.size(), 9u);
  world.request()["status"] = {{"phase", "Bogus"}};
  world.request()["status"]["startedSpec"] = "not an object";
  Decide(world.observed(), kNow);
  world.request() = {{"kind", "RestoreRequest"}};
  RestorePlan empty = Decide(world.observed(), kNow);
  EXPECT_TRUE(empty.create_jobs.empty());
}

TEST(RestoreDecidePropertyTest, AgentResultsOfUnexpectedTypesNeverThrow) {
  RestoreWorld world;
  RestoreWorld defaults;
  world.SetOutcome([](const std::string& name) -> JobOutcome {
    nlohmann::json r = AgentResult("restore", true);
    r["backupIds"] = "not a list";
    r["latestBackupId"] = 7;
    r["truncated"] = "yes";
    r["backupTime"] = false;
    r["database"] = {{"tablesVerified", "four"}, {"checksumsVerified", nullptr}, {"mismatches", true}};
    r["checks"] = {1, {{"name", 2}, {"passed", "no"}}};
    return {!name.ends_with("-never"), r};
  });
  WallTime now = kNow;
  EXPECT_NO_THROW(world.RunToEnd(now));
  EXPECT_TRUE(world.Final());
  EXPECT_EQ(Cond(world.Status(), api::kConditionSucceeded)->reason, "BackupNotFound");
}

TEST(RestoreDecideTest, FinishedRestoreReportsMetricsOnce) {
  RestoreWorld world;
  WallTime now = kNow;
  int finished = 0;
  for (int i = 0; i < 40; ++i) {
    RestorePlan plan = Decide(world.observed(), now);
    if (plan.finished) {
      ++finished;
      EXPECT_TRUE(plan.finished->succeeded);
      EXPECT_GT(plan.finished->duration_seconds, 0);
      ASSERT_TRUE(plan.finished->backup_age_seconds.has_value());
      EXPECT_EQ(*plan.finished->backup_age_seconds, 30 * 60 + 10);
    }
    world.Apply(plan, now);
    world.Progress(now);
    now += 1s;
  }
  EXPECT_EQ(finished, 1);
}

}  // namespace
}  // namespace lifeboat::controllers::restorerequest
