// The atomic Replace (strategy Swap, the default), the RollBack step and what a restore onto a fresh
// server reports: RestoreRequest Decide, step by step, on the simulated cluster of restore_world.h.
#include <gtest/gtest.h>

#include <algorithm>

#include "controllers/restorerequest/restore_decide.h"
#include "controllers/restorerequest/restore_jobs.h"
#include "tests/controllers/restorerequest/restore_world.h"

namespace lifeboat::controllers::restorerequest {
namespace {

using namespace std::chrono_literals;

const WallTime kNow = At("2026-11-22T02:00:10Z");

bool HasArgs(const nlohmann::json& job, const std::vector<std::string>& wanted) {
  auto args = Args(job);
  return std::search(args.begin(), args.end(), wanted.begin(), wanted.end()) != args.end();
}
std::vector<std::string> States(const api::RestoreRequestStatus& s) {
  std::vector<std::string> out;
  for (const auto& step : s.steps) out.push_back(step.name + "=" + step.state);
  return out;
}
const api::Step& StepNamed(const api::RestoreRequestStatus& s, const std::string& name) {
  for (const auto& step : s.steps) {
    if (step.name == name) return step;
  }
  ADD_FAILURE() << "no step " << name;
  static api::Step none;
  return none;
}
const Condition& Succeeded(const api::RestoreRequestStatus& s) {
  static Condition none;
  const Condition* c = FindCondition(s.conditions, api::kConditionSucceeded);
  return c != nullptr ? *c : none;
}

// A world restoring with the default Swap strategy; `fail` makes the Jobs ending in these suffixes
// fail with the given results (null: no result, as when the container was killed).
struct SwapWorld : RestoreWorld {
  explicit SwapWorld(std::map<std::string, nlohmann::json> fail = {}) {
    request() = RestoreRequestObject("fix", SwapSpec());
    SetOutcome([this, fail](const std::string& name) -> JobOutcome {
      for (const auto& [suffix, result] : fail) {
        if (name.ends_with(suffix)) return {false, result};
      }
      return DefaultOutcome(name);
    });
  }
};

TEST(RestoreSwapTest, RestoresBesideTheLiveDatabaseBeforeQuiescingThenSwapsItIn) {
  SwapWorld world;
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  ASSERT_EQ(s.phase, "Succeeded") << Succeeded(s).message;
  EXPECT_EQ(States(s), (std::vector<std::string>{"Validate=Succeeded", "RestoreDatabase=Succeeded", "Quiesce=Succeeded",
                                                 "SafetyBackup=Succeeded", "SwapDatabase=Succeeded", "RestoreMedia=Skipped",
                                                 "PostRestore=Succeeded", "Verify=Succeeded", "RollBack=Skipped",
                                                 "Resume=Succeeded"}));
  // The restore Job fills the staging database while the app still runs: nothing was scaled yet.
  const api::Step& restore = StepNamed(s, "RestoreDatabase");
  const api::Step& quiesce = StepNamed(s, "Quiesce");
  EXPECT_LE(*restore.completion_time, *quiesce.start_time);
  const nlohmann::json& job = world.CreatedJob("fix-restore-db");
  EXPECT_TRUE(HasArgs(job, {"--staging-database", "shop_restoring_fix"}));
  EXPECT_TRUE(HasArgs(job, {"--strategy", "Swap"}));
  EXPECT_TRUE(HasArgs(job, {"--request", "default/fix"}));
  EXPECT_FALSE(HasArgs(job, {"--safety-backup-done"}));
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-swap"), {"swap-database", "--database", "shop", "--staging", "shop_restoring_fix",
                                                    "--previous", "shop_before_fix", "--request", "default/fix"}));
  EXPECT_NE(StepNamed(s, "SwapDatabase").message.find("unavailable for 0.012 s"), std::string::npos);
  ASSERT_TRUE(s.previous_database.has_value());
  EXPECT_EQ(s.previous_database->name, "shop_before_fix");
  EXPECT_EQ(*s.previous_database->keep_until, *StepNamed(s, "SwapDatabase").completion_time + 24h);
  // The safety backup is taken after the quiesce, of the live database still in place.
  EXPECT_LE(*quiesce.completion_time, *StepNamed(s, "SafetyBackup").start_time);
}

TEST(RestoreSwapTest, AFailedStagedRestoreLeavesTheLiveDatabaseAloneAndNeverQuiesces) {
  nlohmann::json failed = AgentResult("restore", false, "RestoreFailed", "pg_restore exited with 1: no space left on device");
  failed["database"] = {{"stagingDatabase", "shop_restoring_fix"}, {"stagingDropped", true}};
  SwapWorld world({{"-restore-db", failed}});
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  EXPECT_EQ(Succeeded(s).reason, "RestoreFailed");
  EXPECT_EQ(StepNamed(s, "Quiesce").state, "Skipped");
  EXPECT_EQ(StepNamed(s, "RollBack").state, "Skipped");
  EXPECT_NE(StepNamed(s, "RollBack").message.find("shop was not touched; the partly restored staging database was dropped"),
            std::string::npos);
  for (const ScaleAction& a : world.scale_history()) ADD_FAILURE() << "scaled " << a.name << " to " << a.replicas;
  EXPECT_EQ(world.creations().count("fix-rollback"), 0u);
}

TEST(RestoreSwapTest, ARestoreJobKilledWithoutAResultIsCleanedUpByTheRollbackJob) {
  SwapWorld world({{"-restore-db", nullptr}});
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  EXPECT_EQ(StepNamed(s, "RollBack").state, "Succeeded");
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-rollback"), {"swap-database", "--database", "shop"}));
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-rollback"), {"--rollback"}));
}

TEST(RestoreSwapTest, AFailedSwapIsRolledBackAndTheAppResumedOnTheUntouchedDatabase) {
  SwapWorld world({{"-swap", AgentResult("swap-database", false, "SwapFailed", "sessions of database shop did not end")}});
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  EXPECT_EQ(Succeeded(s).reason, "SwapFailed");
  EXPECT_EQ(StepNamed(s, "RollBack").state, "Succeeded");
  EXPECT_EQ(StepNamed(s, "Resume").state, "Succeeded");
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
  EXPECT_NE(Succeeded(s).message.find("Rolled back: Database shop is the one from before the restore"), std::string::npos)
      << Succeeded(s).message;
  EXPECT_FALSE(s.previous_database.has_value());
}

TEST(RestoreSwapTest, WhenTheRollbackFailsTooTheWorkloadsStayQuiescedAndTheConditionSaysWhatToDo) {
  SwapWorld world({{"-swap", nullptr}, {"-rollback", AgentResult("swap-database", false, "DatabaseUnavailable", "connection refused")}});
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  EXPECT_EQ(Succeeded(s).status, ConditionStatus::kFalse);
  EXPECT_EQ(Succeeded(s).reason, "RollbackFailed");
  EXPECT_EQ(StepNamed(s, "Resume").state, "Skipped");
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 0) << "never resumed onto a database in doubt";
  const std::string& message = Succeeded(s).message;
  EXPECT_NE(message.find("the rollback failed too"), std::string::npos) << message;
  EXPECT_NE(message.find("ALTER DATABASE shop WITH ALLOW_CONNECTIONS true"), std::string::npos) << message;
  EXPECT_NE(message.find("scale the workloads back (Deployment/web=3)"), std::string::npos) << message;
  EXPECT_TRUE(world.request()["metadata"]["finalizers"].empty());
}

TEST(RestoreSwapTest, TheRolesTheRestoreCreatedAreListedInStatus) {
  SwapWorld world;
  world.SetOutcome([&world](const std::string& name) -> JobOutcome {
    JobOutcome o = world.DefaultOutcome(name);
    if (name.ends_with("-restore-db")) o.result["database"]["rolesCreated"] = {"app_owner", "reporting"};
    return o;
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.roles_created, (std::vector<std::string>{"app_owner", "reporting"}));
  EXPECT_NE(StepNamed(s, "RestoreDatabase").message.find("created roles app_owner, reporting"), std::string::npos);
}

TEST(RestoreSwapTest, TheOwnerOptionAndKeepFailedReachTheRestoreJob) {
  SwapWorld world;
  world.request()["spec"]["database"]["owner"] = "tenant";
  world.request()["spec"]["database"]["keepFailed"] = true;
  WallTime now = kNow;
  world.RunToEnd(now);
  const nlohmann::json& job = world.CreatedJob("fix-restore-db");
  EXPECT_TRUE(HasArgs(job, {"--owner", "tenant"}));
  EXPECT_TRUE(HasArgs(job, {"--keep-failed-as", "shop_failed_fix"}));
}

TEST(RestoreSwapTest, ThePreviousDatabaseIsDroppedWhenKeepPreviousForIsOver) {
  SwapWorld world;
  world.request()["spec"]["database"]["keepPreviousFor"] = "2h";
  WallTime now = kNow;
  world.RunToEnd(now);
  ASSERT_EQ(world.Status().phase, "Succeeded");
  WallTime keep_until = *world.Status().previous_database->keep_until;
  RestorePlan early = Decide(world.observed(), keep_until - 1min);
  EXPECT_TRUE(early.create_jobs.empty());
  ASSERT_TRUE(early.requeue_after.has_value());
  EXPECT_EQ(*early.requeue_after, 1min);
  now = keep_until;
  for (int i = 0; i < 5; ++i) {
    RestorePlan plan = Decide(world.observed(), now);
    world.Apply(plan, now);
    world.Progress(now);
    now += 1s;
  }
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-drop-previous"), {"--previous", "shop_before_fix"}));
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-drop-previous"), {"--drop-previous"}));
  ASSERT_TRUE(world.Status().previous_database->dropped_time.has_value());
  EXPECT_EQ(world.creations().at("fix-drop-previous"), 1);
  RestorePlan after = Decide(world.observed(), now + 48h);
  EXPECT_FALSE(after.HasActions());
}

TEST(RestoreSwapTest, APreviousDatabaseThatCouldNotBeDroppedIsReportedNotRetriedForever) {
  SwapWorld world({{"-drop-previous", AgentResult("swap-database", false, "DropFailed", "database shop_before_fix was not kept by this request")}});
  world.request()["spec"]["database"]["keepPreviousFor"] = "0s";
  WallTime now = kNow;
  for (int i = 0; i < 60; ++i) {
    world.Apply(Decide(world.observed(), now), now);
    world.Progress(now);
    now += 1s;
  }
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Succeeded");
  EXPECT_NE(s.previous_database->message.find("was not kept by this request"), std::string::npos);
  EXPECT_EQ(world.creations().at("fix-drop-previous"), 1);
}

TEST(RestoreInPlaceTest, AFailureAfterTheDropRestoresTheSafetyBackupBeforeResuming) {
  RestoreWorld world;  // strategy InPlace
  nlohmann::json failed = AgentResult("restore", false, "RestoreFailed", "pg_restore: could not extend file");
  failed["database"] = {{"targetDropped", true}};
  world.SetOutcome([&world, failed](const std::string& name) -> JobOutcome {
    if (name.ends_with("-restore-db")) return {false, failed};
    return world.DefaultOutcome(name);
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  EXPECT_EQ(StepNamed(s, "RollBack").state, "Succeeded");
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-rollback"), {"restore", "--backup-id", "fix-safety", "--database-source", "shop"}));
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-rollback"), {"--strategy", "InPlace", "--safety-backup-done"}));
  // The rollback ran before the workloads came back.
  EXPECT_LE(*StepNamed(s, "RollBack").completion_time, *StepNamed(s, "Resume").start_time);
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
  EXPECT_NE(Succeeded(s).message.find("holds safety backup fix-safety again"), std::string::npos) << Succeeded(s).message;
}

TEST(RestoreInPlaceTest, AFailureBeforeTheDropNeedsNoRollback) {
  RestoreWorld world;
  nlohmann::json failed = AgentResult("restore", false, "RolesMissing", "the backup's objects need role(s) app_owner");
  failed["database"] = nlohmann::json::object();
  world.SetOutcome([&world, failed](const std::string& name) -> JobOutcome {
    if (name.ends_with("-restore-db")) return {false, failed};
    return world.DefaultOutcome(name);
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(Succeeded(s).reason, "RolesMissing");
  EXPECT_EQ(StepNamed(s, "RollBack").state, "Skipped");
  EXPECT_EQ(world.creations().count("fix-rollback"), 0u);
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
}

TEST(RestoreInPlaceTest, AFailedRollbackOfADroppedDatabaseKeepsTheAppDownAndNamesTheSafetyBackup) {
  RestoreWorld world;
  world.SetOutcome([&world](const std::string& name) -> JobOutcome {
    if (name.ends_with("-restore-db") || name.ends_with("-rollback")) return {false, nullptr};
    return world.DefaultOutcome(name);
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(Succeeded(s).reason, "RollbackFailed");
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 0);
  EXPECT_NE(Succeeded(s).message.find("Restore safety backup fix-safety"), std::string::npos) << Succeeded(s).message;
}

TEST(RestoreInPlaceTest, DeletionWhileTheDatabaseIsBeingReplacedInPlaceDoesNotResumeTheApp) {
  RestoreWorld world;
  world.SetOutcome([&world](const std::string& name) -> JobOutcome {
    if (name.ends_with("-restore-db")) return {false, nullptr};
    return world.DefaultOutcome(name);
  });
  WallTime now = kNow;
  for (int i = 0; i < 40 && !world.observed().jobs.count("fix-restore-db"); ++i) {
    world.Apply(Decide(world.observed(), now), now);
    if (!world.observed().jobs.count("fix-restore-db")) world.Progress(now);
    now += 1s;
  }
  ASSERT_EQ(world.observed().jobs.count("fix-restore-db"), 1u);
  world.observed().jobs.erase("fix-restore-db");  // Stopped by the deletion.
  world.MarkDeleted(now);
  RestorePlan plan = Decide(world.observed(), now);
  world.Apply(plan, now);
  EXPECT_TRUE(plan.scales.empty());
  ASSERT_FALSE(plan.events.empty());
  EXPECT_EQ(plan.events[0].reason, "NotResuming");
  EXPECT_TRUE(world.gone());
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 0);
}

TEST(RestoreSwapTest, DeletionMidStagedRestoreStopsItDropsTheStagingDatabaseThenReleases) {
  SwapWorld world;
  world.SetOutcome([&world](const std::string& name) -> JobOutcome { return world.DefaultOutcome(name); });
  WallTime now = kNow;
  for (int i = 0; i < 40 && !world.observed().jobs.count("fix-restore-db"); ++i) {
    world.Apply(Decide(world.observed(), now), now);
    if (!world.observed().jobs.count("fix-restore-db")) world.Progress(now);
    now += 1s;
  }
  world.MarkDeleted(now);
  RestorePlan stop = Decide(world.observed(), now);
  EXPECT_EQ(stop.delete_jobs, std::vector<std::string>{"fix-restore-db"});
  world.Apply(stop, now);
  for (int i = 0; i < 10 && !world.gone(); ++i) {
    world.Apply(Decide(world.observed(), now), now);
    world.Progress(now);
    now += 1s;
  }
  EXPECT_TRUE(world.gone());
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-rollback"), {"--rollback"}));
  EXPECT_TRUE(world.scale_history().empty()) << "the app was never stopped: the live database was never touched";
}

TEST(RestoreNewDatabaseTest, AKilledRestoreIsCleanedUpAndTheTargetNameNeverHeldAHalfRestore) {
  RestoreWorld world;
  world.request()["spec"]["database"] = {{"connection", {{"host", "db.example"}, {"credentialsSecret", {{"name", "pg"}}}}},
                                         {"database", "shop_copy"}, {"sourceDatabase", "shop"}};
  world.request()["spec"].erase("quiesce");
  world.SetOutcome([&world](const std::string& name) -> JobOutcome {
    if (name.ends_with("-restore-db")) return {false, nullptr};
    return world.DefaultOutcome(name);
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus s = world.Status();
  EXPECT_EQ(s.phase, "Failed");
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-restore-db"), {"--staging-database", "shop_copy_restoring_fix"}));
  EXPECT_TRUE(HasArgs(world.CreatedJob("fix-rollback"), {"--staging", "shop_copy_restoring_fix", "--previous"}));
  EXPECT_EQ(StepNamed(s, "RollBack").state, "Succeeded");
}

TEST(RestoreSwapPropertyTest, ACrashBetweenAnyTwoActionsStillSwapsExactlyOnce) {
  for (int crash_round = 0; crash_round < 16; ++crash_round) {
    for (int kept = 0; kept < 4; ++kept) {
      SwapWorld world;
      WallTime now = kNow;
      world.RunWithCrash(now, crash_round, kept);
      SCOPED_TRACE("crash in round " + std::to_string(crash_round) + " after " + std::to_string(kept) + " actions");
      ASSERT_TRUE(world.Final());
      EXPECT_EQ(world.Status().phase, "Succeeded");
      for (const auto& [name, count] : world.creations()) EXPECT_EQ(count, 1) << name;
      EXPECT_EQ(world.creations().at("fix-swap"), 1);
      EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
      EXPECT_TRUE(world.Status().previous_database.has_value());
    }
  }
}

TEST(RestoreNamingTest, DatabaseNamesFitPostgresLimitAndStayDistinct) {
  EXPECT_EQ(StagingDatabaseName("shop", "fix"), "shop_restoring_fix");
  EXPECT_EQ(PreviousDatabaseName("shop", "fix"), "shop_before_fix");
  std::string long_db(60, 'd');
  std::string a = PreviousDatabaseName(long_db, "restore-a"), b = PreviousDatabaseName(long_db, "restore-b");
  EXPECT_LE(a.size(), 63u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, PreviousDatabaseName(long_db, "restore-a")) << "stable across reconciles";
}

}  // namespace
}  // namespace lifeboat::controllers::restorerequest
