// RestoreRequest with spec.database.recoveryTarget: the restore Job asks the agent for a
// point-in-time recovery from the policy's base backups and WAL instead of a backup chosen by the
// catalog; everything around it (quiesce, safety backup, verification, resume, the NewDatabase and
// Replace guards) is the dump restore's.
#include <gtest/gtest.h>

#include <algorithm>

#include "controllers/restorerequest/restore_decide.h"
#include "controllers/restorerequest/restore_jobs.h"
#include "tests/controllers/restorerequest/restore_world.h"

namespace lifeboat::controllers::restorerequest {
namespace {

using namespace std::chrono_literals;

const WallTime kNow = At("2026-11-22T02:00:10Z");

nlohmann::json BaseBackupPolicy() {
  nlohmann::json policy = PolicyObject();
  policy["spec"]["database"]["method"] = "BaseBackup";
  policy["spec"]["database"].erase("databases");
  return policy;
}

// A Replace (Swap) of database shop to a time, from policy shop (method BaseBackup).
nlohmann::json PointInTimeSpec(const std::string& target = "2026-11-22T01:45:00Z") {
  nlohmann::json spec = SwapSpec();
  spec["database"]["recoveryTarget"] = target;
  return spec;
}

// The catalog's recoverability window of policy shop.
nlohmann::json WalArchive(const std::string& first = "2026-11-21T00:00:05.000000Z",
                          const std::string& last = "2026-11-22T01:59:30.123456Z") {
  return {{"baseBackups", 2}, {"walGroups", 40}, {"supersededUploads", 0}, {"lastSegment", "000000010000000000000042"},
          {"firstRecoverableTime", first}, {"lastRecoverableTime", last}, {"lastLsn", "0/42000100"}};
}

// What the agent reports for a point-in-time restore: reached (or, failing, the reason and message).
nlohmann::json RecoveryResult(bool ok, const std::string& reason = "Completed", const std::string& message = "") {
  agent::RestoreResult fields;
  fields.policy = "shop";
  fields.backup_time = ok ? "2026-11-22T01:44:59.876543Z" : "";
  fields.recovery = agent::RecoveryReport{};
  fields.recovery->target = "2026-11-22T01:45:00Z";
  fields.recovery->base_backup_id = "shop-base-2";
  fields.recovery->base_consistent_time = "2026-11-22T00:00:09.000000Z";
  fields.recovery->reached_time = ok ? "2026-11-22T01:44:59.876543Z" : "";
  fields.recovery->reached_lsn = ok ? "0/41000F00" : "";
  fields.recovery->archive_until = "2026-11-22T01:59:30.123456Z";
  fields.recovery->wal_snapshots = 7;
  if (ok) {
    fields.database = agent::DatabaseRestoreReport{};
    fields.database->source = fields.database->target = "shop";
    fields.database->tables_verified = 3;
  }
  nlohmann::json r = AgentResult("restore", ok, reason, message);
  r.update(agent::RestoreResultToJson(fields));
  return r;
}

// A world whose catalog reports the WAL archive and whose restore Job recovers (or fails with `fail_reason`).
void UsePointInTime(RestoreWorld& world, nlohmann::json spec = PointInTimeSpec(), nlohmann::json archive = WalArchive(),
                    std::string fail_reason = "", std::string fail_message = "") {
  world.request() = RestoreRequestObject("fix", std::move(spec));
  world.observed().policy = BaseBackupPolicy();
  world.SetOutcome([&world, archive, fail_reason, fail_message](const std::string& name) {
    if (name.ends_with("-catalog")) {
      JobOutcome out = world.CatalogOutcome(name);
      if (!archive.is_null()) out.result["walArchive"] = archive;
      return out;
    }
    if (name.ends_with("-restore-db")) {
      if (!fail_reason.empty()) return JobOutcome{false, RecoveryResult(false, fail_reason, fail_message)};
      return JobOutcome{true, RecoveryResult(true)};
    }
    return world.DefaultOutcome(name);
  });
}

TEST(RestorePointInTimeTest, RestoreJobAsksForTheRecoveryTargetOfThePolicyNotABackupId) {
  RestoreWorld world;
  nlohmann::json spec = PointInTimeSpec();
  spec["database"]["tables"] = {"public.orders", "billing.invoices"};
  spec["database"]["mode"] = "NewDatabase";
  spec["database"].erase("confirm");
  UsePointInTime(world, spec);
  WallTime now = kNow;
  world.RunToEnd(now);
  const nlohmann::json& job = world.CreatedJob("fix-restore-db");
  EXPECT_EQ(ArgValue(job, "--recovery-target"), "2026-11-22T01:45:00Z");
  EXPECT_EQ(ArgValue(job, "--policy"), "shop");
  EXPECT_FALSE(HasArg(job, "--backup-id"));
  std::vector<std::string> args = Args(job);
  std::vector<std::string> tables;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--table") tables.push_back(args[i + 1]);
  }
  EXPECT_EQ(tables, (std::vector<std::string>{"public.orders", "billing.invoices"}));
  // The recovered cluster lives in the Job's scratch emptyDir.
  const nlohmann::json& pod = job["spec"]["template"]["spec"];
  EXPECT_TRUE(std::any_of(pod["volumes"].begin(), pod["volumes"].end(), [](const nlohmann::json& v) { return v.contains("emptyDir"); }));
  // The catalog was asked for the policy's archive, not for a database backup.
  const nlohmann::json& catalog = world.CreatedJob("fix-catalog");
  EXPECT_EQ(ArgValue(catalog, "--policy"), "shop");
  EXPECT_FALSE(HasArg(catalog, "--select"));
}

TEST(RestorePointInTimeTest, StatusRecordsThePointActuallyReachedAndTheBackupAgeFromIt) {
  RestoreWorld world;
  UsePointInTime(world);
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus st = world.Status();
  ASSERT_EQ(st.phase, api::kPhaseSucceeded) << FindCondition(st.conditions, api::kConditionSucceeded)->message;
  ASSERT_TRUE(st.recovery.has_value());
  EXPECT_EQ(st.recovery->target, "2026-11-22T01:45:00Z");
  EXPECT_EQ(st.recovery->reached_time, "2026-11-22T01:44:59.876543Z");
  EXPECT_EQ(st.recovery->reached_lsn, "0/41000F00");
  EXPECT_EQ(st.recovery->base_backup_id, "shop-base-2");
  EXPECT_EQ(st.recovery->base_backup_time, "2026-11-22T00:00:09.000000Z");
  EXPECT_EQ(st.recovery->last_recoverable_time, "2026-11-22T01:59:30.123456Z");
  EXPECT_EQ(st.recovery->wal_snapshots, 7);
  ASSERT_EQ(st.restored_backups.size(), 1u);
  EXPECT_EQ(st.restored_backups[0].target, "database/shop");
  EXPECT_EQ(st.restored_backups[0].backup.id, "shop-base-2");
  // Started 02:00:10, reached 01:44:59.9 (restoredBackups keeps whole seconds: 01:44:59): the
  // data after the point reached is what this restore leaves out.
  EXPECT_EQ(st.backup_age, "15m11s");
  const Condition* validated = FindCondition(st.conditions, api::kConditionValidated);
  EXPECT_EQ(validated->reason, "WalArchiveFound");
  EXPECT_NE(validated->message.find("recoverable from 2026-11-21T00:00:05.000000Z to 2026-11-22T01:59:30.123456Z"), std::string::npos)
      << validated->message;
  EXPECT_NE(StepNamed(st, api::kStepRestoreDatabase)->message.find("reached 2026-11-22T01:44:59.876543Z"), std::string::npos);
}

TEST(RestorePointInTimeTest, EveryGuardOfADumpRestoreStillApplies) {
  RestoreWorld world;
  UsePointInTime(world);  // A Swap Replace with a quiesce and a post-restore Job.
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus st = world.Status();
  ASSERT_EQ(st.phase, api::kPhaseSucceeded);
  for (const char* step : {api::kStepRestoreDatabase, api::kStepQuiesce, api::kStepSafetyBackup, api::kStepSwapDatabase,
                           api::kStepPostRestore, api::kStepVerify, api::kStepResume}) {
    EXPECT_EQ(StepNamed(st, step)->state, api::kStepSucceeded) << step;
  }
  EXPECT_EQ(ArgValue(world.CreatedJob("fix-restore-db"), "--staging-database"), StagingDatabaseName("shop", "fix"));
  EXPECT_EQ(ArgValue(world.CreatedJob("fix-restore-db"), "--strategy"), "Swap");
  EXPECT_EQ(st.safety_backups.size(), 1u);
  EXPECT_EQ(st.quiesced_workloads.size(), 1u);
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
}

TEST(RestorePointInTimeTest, SingleTablesAreReplacedInPlaceAfterTheQuiesceAndSafetyBackup) {
  RestoreWorld world;
  nlohmann::json spec = PointInTimeSpec("latest");
  spec["database"]["tables"] = {"votes"};
  UsePointInTime(world, spec);
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus st = world.Status();
  ASSERT_EQ(st.phase, api::kPhaseSucceeded);
  // Not a Swap: no staging database, no rename; the tables change in one transaction after the
  // application was stopped and the database backed up.
  std::vector<std::string> order;
  for (const api::Step& s : st.steps) order.push_back(s.name);
  EXPECT_EQ(order, api::RestoreRequestSpec{}.Steps());
  EXPECT_EQ(StepNamed(st, api::kStepSafetyBackup)->state, api::kStepSucceeded);
  const nlohmann::json& job = world.CreatedJob("fix-restore-db");
  EXPECT_FALSE(HasArg(job, "--staging-database"));
  EXPECT_FALSE(HasArg(job, "--strategy"));
  EXPECT_TRUE(HasArg(job, "--safety-backup-done"));
  EXPECT_EQ(ArgValue(job, "--mode"), "Replace");
  EXPECT_EQ(st.recovery->tables, (std::vector<std::string>{"votes"}));
  EXPECT_NE(StepNamed(st, api::kStepRestoreDatabase)->message.find("Replaced tables votes in database shop"), std::string::npos);
}

TEST(RestorePointInTimeTest, TargetNotReachedFailsWithTheAgentsReasonAndLastRecoverableTime) {
  RestoreWorld world;
  const std::string message =
      "the archive ends before the recovery target 2026-11-22T01:45:00.000000Z: the last recoverable time is "
      "2026-11-22T01:40:00.000000Z (WAL up to 0/40000000)";
  UsePointInTime(world, PointInTimeSpec(), WalArchive(), "RecoveryTargetNotReached", message);
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus st = world.Status();
  ASSERT_EQ(st.phase, api::kPhaseFailed);
  const Condition* succeeded = FindCondition(st.conditions, api::kConditionSucceeded);
  EXPECT_EQ(succeeded->reason, "RecoveryTargetNotReached");
  EXPECT_NE(succeeded->message.find("the last recoverable time is 2026-11-22T01:40:00.000000Z"), std::string::npos)
      << succeeded->message;
  const std::vector<PlannedEvent>& events = world.Events();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [&](const PlannedEvent& e) {
    return e.type == "Warning" && e.message.find("the last recoverable time is") != std::string::npos;
  }));
  // The live database was never touched (a Swap restores beside it); the workloads were never stopped.
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
  ASSERT_TRUE(st.recovery.has_value());
  EXPECT_EQ(st.recovery->reached_time, "");
  EXPECT_EQ(st.recovery->last_recoverable_time, "2026-11-22T01:59:30.123456Z");
}

TEST(RestorePointInTimeTest, AFailedTableReplaceLeavesTheDatabaseAsItWasAndResumes) {
  RestoreWorld world;
  nlohmann::json spec = PointInTimeSpec("latest");
  spec["database"]["tables"] = {"votes"};
  UsePointInTime(world, spec);
  world.SetOutcome([&world](const std::string& name) {
    if (name.ends_with("-catalog")) {
      JobOutcome out = world.CatalogOutcome(name);
      out.result["walArchive"] = WalArchive();
      return out;
    }
    if (name.ends_with("-restore-db")) {
      nlohmann::json r = RecoveryResult(false, "RestoreFailed", "pg_restore of the tables failed (nothing was changed)");
      r["database"] = {{"source", "shop"}, {"target", "shop"}};
      return JobOutcome{false, r};
    }
    return world.DefaultOutcome(name);
  });
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus st = world.Status();
  ASSERT_EQ(st.phase, api::kPhaseFailed);
  EXPECT_EQ(FindCondition(st.conditions, api::kConditionSucceeded)->reason, "RestoreFailed");
  EXPECT_EQ(StepNamed(st, api::kStepRollBack)->state, api::kStepSkipped);
  EXPECT_NE(StepNamed(st, api::kStepRollBack)->message.find("one transaction"), std::string::npos);
  EXPECT_EQ(StepNamed(st, api::kStepResume)->state, api::kStepSucceeded);
  EXPECT_EQ(world.observed().workloads["Deployment/web"].spec_replicas, 3);
}

TEST(RestorePointInTimeTest, NoBaseBackupFailsValidationBeforeAnythingChanges) {
  RestoreWorld world;
  UsePointInTime(world, PointInTimeSpec(), nullptr);
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus st = world.Status();
  ASSERT_EQ(st.phase, api::kPhaseFailed);
  EXPECT_EQ(FindCondition(st.conditions, api::kConditionSucceeded)->reason, "BackupNotFound");
  EXPECT_EQ(world.creations().count("fix-restore-db"), 0u);
  EXPECT_EQ(world.creations().count("fix-safety"), 0u);
  EXPECT_TRUE(world.scale_history().empty());
}

TEST(RestorePointInTimeTest, ATargetBeforeTheFirstRecoverableTimeFailsValidation) {
  RestoreWorld world;
  UsePointInTime(world, PointInTimeSpec("2026-11-20T12:00:00Z"));
  WallTime now = kNow;
  world.RunToEnd(now);
  api::RestoreRequestStatus st = world.Status();
  ASSERT_EQ(st.phase, api::kPhaseFailed);
  const Condition* validated = FindCondition(st.conditions, api::kConditionValidated);
  EXPECT_EQ(validated->reason, "BackupNotFound");
  EXPECT_NE(validated->message.find("the first recoverable time is 2026-11-21T00:00:05.000000Z"), std::string::npos);
  EXPECT_EQ(world.creations().count("fix-restore-db"), 0u);
}

TEST(RestorePointInTimeTest, APolicyThatArchivesNoWalIsRefusedBeforeTheStart) {
  RestoreWorld world;
  UsePointInTime(world);
  world.observed().policy = PolicyObject();  // method Dump
  RestorePlan plan = Decide(world.observed(), kNow);
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_FALSE(plan.status.start_time.has_value());
  const Condition* validated = FindCondition(plan.status.conditions, api::kConditionValidated);
  ASSERT_NE(validated, nullptr);
  EXPECT_EQ(validated->reason, "PolicyNotBaseBackup");
  EXPECT_NE(validated->message.find("uses method Dump"), std::string::npos) << validated->message;
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "PolicyNotBaseBackup");
}

TEST(RestorePointInTimeTest, DecidingAgainAfterTheEndChangesNothing) {
  RestoreWorld world;
  UsePointInTime(world);
  WallTime now = kNow;
  world.RunToEnd(now);
  ASSERT_TRUE(world.Final());
  RestorePlan again = Decide(world.observed(), now + 1s);
  EXPECT_FALSE(again.status_changed);
  EXPECT_TRUE(again.create_jobs.empty());
}

TEST(RestorePointInTimeTest, ACrashBetweenAnyTwoActionsLosesNothingAndDuplicatesNothing) {
  for (int round = 0; round < 12; ++round) {
    for (int kept = 0; kept < 3; ++kept) {
      SCOPED_TRACE("crash in round " + std::to_string(round) + " after " + std::to_string(kept) + " actions");
      RestoreWorld world;
      UsePointInTime(world);
      WallTime now = kNow;
      world.RunWithCrash(now, round, kept);
      ASSERT_TRUE(world.Final());
      api::RestoreRequestStatus st = world.Status();
      EXPECT_EQ(st.phase, api::kPhaseSucceeded);
      ASSERT_TRUE(st.recovery.has_value());
      EXPECT_EQ(st.recovery->reached_time, "2026-11-22T01:44:59.876543Z");
      for (const auto& [name, count] : world.creations()) EXPECT_EQ(count, 1) << name;
    }
  }
}

}  // namespace
}  // namespace lifeboat::controllers::restorerequest
