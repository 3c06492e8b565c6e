// DecideDrill: when a drill runs, what its finished Job's result becomes in status, and what stops
// it from running.
#include "controllers/drdrill/drill_decide.h"

#include <gtest/gtest.h>

#include "controllers/drdrill/drill_job.h"
#include "operator/agent/drill_result.h"
#include "operator/api/backup_policy.h"
#include "operator/core/time_format.h"
#include "tests/api/test_files.h"

namespace lifeboat::controllers::drdrill {
namespace {

using nlohmann::json;

WallTime At(const std::string& text) { return *ParseRfc3339(text); }

class DrillDecideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    observed_.drill = api::testing::LoadManifest("config/samples/lifeboat_v1alpha1_drdrill.yaml");
    observed_.drill["metadata"]["namespace"] = "shop";
    observed_.drill["metadata"]["uid"] = "uid-drill";
    observed_.drill["metadata"]["creationTimestamp"] = "2026-11-20T00:00:00Z";
    observed_.policy = api::testing::LoadManifest("config/samples/lifeboat_v1alpha1_backuppolicy.yaml");
    api::FieldErrors ignored;
    const api::BackupPolicySpec policy = api::ParseBackupPolicy(*observed_.policy, &ignored).spec;
    for (const SecretKeyNeed& need : RequiredSecretKeys(api::ParseDRDrill(observed_.drill, &ignored).spec, policy)) {
      observed_.secrets[need.secret].insert(need.key);
    }
    observed_.default_image = "lifeboat:test";
  }
  // Applies the plan's status as the API server would.
  DrillPlan Step(WallTime now) {
    DrillPlan plan = DecideDrill(observed_, now);
    observed_.drill["status"] = api::DRDrillStatusToJson(plan.status);
    for (const json& job : plan.create_jobs) {
      ObservedJob o;
      o.state.name = job["metadata"]["name"];
      observed_.jobs.push_back(o);
    }
    return plan;
  }
  // The running run's Job finishes with `result`.
  void FinishJob(bool ok, const agent::DrillResult& result, const std::string& message = "") {
    ObservedJob& job = observed_.jobs.back();
    job.state.phase = ok ? JobPhase::kSucceeded : JobPhase::kFailed;
    AgentRunResult r;
    r.command = "drill";
    r.succeeded = ok;
    r.reason = ok ? "Completed" : "VerificationFailed";
    r.message = message;
    r.raw = agent::DrillResultToJson(result);
    job.result = r;
  }
  static const Condition* Cond(const api::DRDrillStatus& s, const char* type) { return FindCondition(s.conditions, type); }
  DrillObserved observed_;
};

agent::DrillResult Result(double rto, double rpo) {
  agent::DrillResult r;
  r.policy = "shop";
  r.sources = {{"database:shop", "shop-1", "2026-11-22T00:00:00Z"}};
  agent::AddDrillCheck(r, {"shop tables", "TableChecksum", "as in the manifest", "4 tables match", true, ""});
  agent::AddDrillCheck(r, {"public.orders_pkey", "Amcheck", "consistent", "consistent", true, ""});
  r.rto_seconds = rto;
  r.rpo_seconds = rpo;
  r.report_snapshot_id = "4f2a9c1e";
  r.report_sha256 = "9b1c";
  return r;
}

TEST_F(DrillDecideTest, ADueScheduleStartsOneJobThatReferencesOnlyTheRepository) {
  // "0 4 * * SUN" in Europe/Berlin: Sunday 2026-11-22 03:00 UTC.
  DrillPlan plan = Step(At("2026-11-22T03:00:20Z"));
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  EXPECT_EQ(plan.status.last_run->trigger, "Scheduled");
  EXPECT_EQ(plan.status.last_run->result, "Running");
  EXPECT_EQ(Cond(plan.status, "Ready")->status, ConditionStatus::kTrue);
  EXPECT_EQ(Step(At("2026-11-22T03:01:00Z")).create_jobs.size(), 0u) << "one run at a time";
}

TEST_F(DrillDecideTest, AFinishedRunRecordsChecksRtoRpoAndTheObjectives) {
  Step(At("2026-11-22T03:00:20Z"));
  FinishJob(true, Result(600, 3600));
  DrillPlan plan = Step(At("2026-11-22T03:10:30Z"));
  const api::DrillRun& run = *plan.status.last_run;
  EXPECT_EQ(run.result, "Succeeded");
  EXPECT_EQ(run.checks.size(), 2u);
  EXPECT_EQ(run.checks_passed, 2);
  EXPECT_EQ(run.measured_rto, "10m");
  EXPECT_EQ(run.measured_rpo, "1h");
  EXPECT_EQ(run.objectives_met, true);
  EXPECT_EQ(run.backups[0].id, "shop-1");
  ASSERT_TRUE(run.report.has_value());
  EXPECT_EQ(run.report->snapshot_id, "4f2a9c1e") << "status names the report stored in the repository";
  EXPECT_EQ(Cond(plan.status, "LastDrillSucceeded")->status, ConditionStatus::kTrue);
  EXPECT_EQ(Cond(plan.status, "ObjectivesMet")->status, ConditionStatus::kTrue);
  ASSERT_EQ(plan.status.history.size(), 1u);
  EXPECT_TRUE(plan.status.history[0].checks.empty()) << "history keeps the counts only";
  EXPECT_EQ(plan.status.history[0].report, run.report);
  ASSERT_TRUE(plan.finished.has_value());
  EXPECT_TRUE(plan.finished->succeeded);
}

TEST_F(DrillDecideTest, AnRtoOverTheObjectiveIsASucceededDrillThatMissedItsObjectives) {
  Step(At("2026-11-22T03:00:20Z"));
  FinishJob(true, Result(45 * 60, 3600));  // Objective: rto 30m.
  DrillPlan plan = Step(At("2026-11-22T03:46:00Z"));
  EXPECT_EQ(Cond(plan.status, "LastDrillSucceeded")->status, ConditionStatus::kTrue);
  EXPECT_EQ(Cond(plan.status, "ObjectivesMet")->status, ConditionStatus::kFalse);
  EXPECT_NE(Cond(plan.status, "ObjectivesMet")->message.find("RTO 45m > objective 30m"), std::string::npos)
      << Cond(plan.status, "ObjectivesMet")->message;
  EXPECT_TRUE(std::any_of(plan.events.begin(), plan.events.end(), [](const PlannedEvent& e) { return e.reason == "ObjectivesMissed"; }));
}

TEST_F(DrillDecideTest, AFailedDrillSaysWhyInItsCondition) {
  Step(At("2026-11-22T03:00:20Z"));
  agent::DrillResult r = Result(60, 60);
  agent::AddDrillCheck(r, {"public.orders", "RowCount", "240", "239", false, "public.orders rows: expected 240, got 239"});
  FinishJob(false, r, "restored database differs from the manifest: public.orders rows: expected 240, got 239");
  DrillPlan plan = Step(At("2026-11-22T03:02:00Z"));
  EXPECT_EQ(plan.status.last_run->result, "Failed");
  EXPECT_EQ(plan.status.last_run->checks.front().name, "public.orders") << "failed checks first";
  EXPECT_EQ(Cond(plan.status, "LastDrillSucceeded")->reason, "DrillFailed");
  EXPECT_NE(Cond(plan.status, "LastDrillSucceeded")->message.find("expected 240, got 239"), std::string::npos);
}

TEST_F(DrillDecideTest, TheDrillNowAnnotationRunsOncePerValue) {
  observed_.drill["metadata"]["annotations"][kDrillNowAnnotation] = "a";
  DrillPlan plan = Step(At("2026-11-21T10:00:00Z"));
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  EXPECT_EQ(plan.status.last_run->trigger, "OnDemand");
  FinishJob(true, Result(1, 1));
  Step(At("2026-11-21T10:01:00Z"));
  EXPECT_TRUE(Step(At("2026-11-21T10:02:00Z")).create_jobs.empty()) << "the same value does not run again";
}

TEST_F(DrillDecideTest, ADrillWithoutScheduleRunsOnceWhenCreated) {
  observed_.drill["spec"].erase("schedule");
  DrillPlan plan = Step(At("2026-11-21T10:00:00Z"));
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  EXPECT_EQ(plan.status.last_run->trigger, "Created");
  FinishJob(true, Result(1, 1));
  Step(At("2026-11-21T10:01:00Z"));
  EXPECT_TRUE(Step(At("2026-11-22T10:00:00Z")).create_jobs.empty());
}

TEST_F(DrillDecideTest, AMissingPolicyHoldsTheDrill) {
  observed_.policy.reset();
  DrillPlan plan = Step(At("2026-11-22T03:00:20Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_EQ(Cond(plan.status, "Ready")->reason, "BackupPolicyNotFound");
}

TEST_F(DrillDecideTest, AnInvalidSpecHoldsTheDrillNamingTheField) {
  observed_.drill["spec"]["objectives"]["rto"] = "soon";
  DrillPlan plan = Step(At("2026-11-22T03:00:20Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_EQ(Cond(plan.status, "Ready")->reason, "InvalidSpec");
  EXPECT_NE(Cond(plan.status, "Ready")->message.find("spec.objectives.rto"), std::string::npos) << Cond(plan.status, "Ready")->message;
}

TEST_F(DrillDecideTest, AMissingRepositorySecretHoldsTheDrill) {
  observed_.secrets.clear();
  DrillPlan plan = Step(At("2026-11-22T03:00:20Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_EQ(Cond(plan.status, "Ready")->reason, "SecretNotFound");
}

TEST_F(DrillDecideTest, AJobDeletedMidRunFailsTheRun) {
  Step(At("2026-11-22T03:00:20Z"));
  const std::string job = observed_.jobs.back().state.name;
  observed_.jobs.clear();
  EXPECT_EQ(Step(At("2026-11-22T03:01:00Z")).status.last_run->result, "Running") << "not yet known to be gone";
  observed_.lost_jobs.insert(job);
  DrillPlan plan = Step(At("2026-11-22T03:02:00Z"));
  EXPECT_EQ(plan.status.last_run->result, "Failed");
  EXPECT_NE(plan.status.last_run->message.find("was deleted"), std::string::npos);
}

// ---- rehearsal of a point-in-time recovery to latest (spec.recoveryTarget) ----

TEST_F(DrillDecideTest, ADrillToLatestNeedsAPolicyThatArchivesWal) {
  observed_.drill["spec"]["recoveryTarget"] = "latest";  // The sample policy makes dumps.
  DrillPlan plan = Step(At("2026-11-22T03:00:20Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_EQ(Cond(plan.status, "Ready")->reason, "PolicyNotBaseBackup");
  EXPECT_NE(Cond(plan.status, "Ready")->message.find("uses method Dump"), std::string::npos);
}

TEST_F(DrillDecideTest, ADrillToLatestRecordsThePointReachedAndJudgesTheTrueRpo) {
  observed_.drill["spec"]["recoveryTarget"] = "latest";
  (*observed_.policy)["spec"]["database"]["method"] = "BaseBackup";
  DrillPlan started = Step(At("2026-11-22T03:00:20Z"));
  ASSERT_EQ(started.create_jobs.size(), 1u);
  EXPECT_NE(Cond(started.status, "Ready")->message.find("point-in-time recovery to latest"), std::string::npos);
  agent::DrillResult r = Result(600, 75.5);  // Drill start − last replayed commit.
  r.sources = {{"recovery:latest", "shop-base-3", "2026-11-22T02:59:04.500000Z"}};
  r.recovery = agent::DrillRecovery{"latest", "shop-base-3", "2026-11-22T02:59:04.500000Z", "0/5000100",
                                    "2026-11-22T02:59:30.000000Z", 9, 4.2};
  agent::AddDrillCheck(r, {"recovery to latest", "Recovery", "WAL replayed to latest", "reached 2026-11-22T02:59:04.500000Z",
                           true, ""});
  FinishJob(true, r);
  DrillPlan plan = Step(At("2026-11-22T03:10:30Z"));
  api::FieldErrors status_errors;  // The status the operator writes is one the CRD and the parser accept.
  api::ParseDRDrillStatus(observed_.drill["status"], &status_errors);
  EXPECT_TRUE(status_errors.empty()) << status_errors.ToString();
  const api::DrillRun& run = *plan.status.last_run;
  EXPECT_EQ(run.measured_rpo, "1m15.5s");
  ASSERT_TRUE(run.recovery.has_value());
  EXPECT_EQ(run.recovery->target, "latest");
  EXPECT_EQ(run.recovery->reached_time, "2026-11-22T02:59:04.500000Z");
  EXPECT_EQ(run.recovery->base_backup_id, "shop-base-3");
  EXPECT_EQ(plan.status.history[0].recovery, run.recovery);
  EXPECT_EQ(run.objectives_met, true);  // Objective rpo 26h.
}

}  // namespace
}  // namespace lifeboat::controllers::drdrill
