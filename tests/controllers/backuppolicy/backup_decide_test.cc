#include "controllers/backuppolicy/backup_decide.h"

#include <gtest/gtest.h>

#include "tests/controllers/backuppolicy/decide_fixture.h"

namespace lifeboat::controllers::backuppolicy {
namespace {

using BackupDecideTest = DecideFixture;

TEST_F(BackupDecideTest, NewPolicyWaitsForItsFirstScheduledTime) {
  auto plan = Decide(observed_, At("2026-11-22T01:00:00Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_EQ(plan.status.next_schedule_time, At("2026-11-22T06:00:00Z"));
  ASSERT_NE(Cond(plan.status, "Ready"), nullptr);
  EXPECT_EQ(Cond(plan.status, "Ready")->status, ConditionStatus::kTrue);
  EXPECT_EQ(Cond(plan.status, "LastBackupSucceeded")->status, ConditionStatus::kUnknown);
  EXPECT_EQ(Cond(plan.status, "RPOMet")->reason, "NoObjective");
  ASSERT_TRUE(plan.requeue_after.has_value());
  EXPECT_LE(*plan.requeue_after, kMaxRequeue);
}

TEST_F(BackupDecideTest, ScheduledRunFiresOneJobForEverySourceDueAtThatInstant) {
  auto plan = DecideAndApply(At("2026-11-22T06:00:10Z"));
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  const auto& job = plan.create_jobs[0];
  EXPECT_EQ(JobName(job), "shop-202611220600");
  EXPECT_EQ(job["metadata"]["annotations"][kSourcesAnnotation], "database,uploads");
  EXPECT_EQ(job["metadata"]["labels"][kManagedByLabel], "lifeboat");
  EXPECT_EQ(job["metadata"]["labels"][kPolicyLabel], "shop");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["uid"], "uid-shop");
  EXPECT_EQ(job["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(plan.status.last_schedule_time, At("2026-11-22T06:00:00Z"));
  EXPECT_EQ(plan.status.next_schedule_time, At("2026-11-22T12:00:00Z"));
  ASSERT_EQ(plan.status.history.size(), 2u);
  EXPECT_EQ(plan.status.history[0].result, "Running");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "BackupStarted");
}

TEST_F(BackupDecideTest, SourcesWithTheirOwnScheduleRunInTheirOwnJobs) {
  spec()["media"][0]["schedule"] = "0 2 * * *";
  spec()["timeZone"] = "Europe/Berlin";  // 02:00 Berlin = 01:00 UTC in November.
  auto plan = DecideAndApply(At("2026-11-22T01:00:30Z"));
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  EXPECT_EQ(plan.create_jobs[0]["metadata"]["annotations"][kSourcesAnnotation], "uploads");
  EXPECT_EQ(JobName(plan.create_jobs[0]), "shop-202611220100");
}

TEST_F(BackupDecideTest, DaylightSavingSpringForwardSkipsTheMissingWallClockTime) {
  // 2027-03-28: Europe/Berlin jumps from 02:00 to 03:00; "30 2 * * *" does not run that day.
  spec()["schedule"] = "30 2 * * *";
  spec()["timeZone"] = "Europe/Berlin";
  spec().erase("media");
  observed_.policy["metadata"]["creationTimestamp"] = "2027-03-27T12:00:00Z";
  auto plan = Decide(observed_, At("2027-03-28T02:00:00Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_EQ(plan.status.next_schedule_time, At("2027-03-29T00:30:00Z"));  // 02:30 CEST
}

TEST_F(BackupDecideTest, SameInputGivesTheSamePlan) {
  Annotate("first");
  const WallTime now = At("2026-11-22T06:00:10Z");
  auto a = Decide(observed_, now);
  auto b = Decide(observed_, now);
  EXPECT_EQ(a.create_jobs, b.create_jobs);
  EXPECT_EQ(a.delete_jobs, b.delete_jobs);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.requeue_after, b.requeue_after);
}

TEST_F(BackupDecideTest, ApplyingAPlanAndDecidingAgainDoesNothingMore) {
  Annotate("first");
  const WallTime now = At("2026-11-22T06:00:10Z");
  auto first = DecideAndApply(now);
  EXPECT_EQ(first.create_jobs.size(), 1u);  // concurrencyPolicy Forbid (default): the on-demand run waits.
  EXPECT_NE(Cond(first.status, "Ready")->message.find("waiting"), std::string::npos);
  auto again = Decide(observed_, now);
  EXPECT_FALSE(again.HasActions()) << api::BackupPolicyStatusToJson(again.status).dump();
}

TEST_F(BackupDecideTest, OnDemandAnnotationRunsOncePerDistinctValue) {
  spec()["concurrencyPolicy"] = "Replace";
  Annotate("2026-11-22T01:30");
  const WallTime now = At("2026-11-22T01:30:00Z");
  auto plan = DecideAndApply(now);
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  const std::string name = JobName(plan.create_jobs[0]);
  EXPECT_EQ(name.rfind("shop-now-", 0), 0u);
  EXPECT_EQ(plan.status.last_on_demand_token, "2026-11-22T01:30");
  EXPECT_EQ(plan.create_jobs[0]["metadata"]["labels"][kTriggerLabel], "on-demand");
  Finish(name, true, now + std::chrono::seconds(5));
  auto after = DecideAndApply(now + std::chrono::seconds(6));
  EXPECT_TRUE(after.create_jobs.empty());
  Annotate("again");
  auto second = DecideAndApply(now + std::chrono::seconds(7));
  ASSERT_EQ(second.create_jobs.size(), 1u);
  EXPECT_NE(JobName(second.create_jobs[0]), name);
}

TEST_F(BackupDecideTest, CrashAfterCreatingTheJobAdoptsItInsteadOfDuplicating) {
  Annotate("x");
  const WallTime now = At("2026-11-22T01:30:00Z");
  auto plan = Decide(observed_, now);
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  // The Job was created, then the operator died before writing status.
  nlohmann::json job = plan.create_jobs[0];
  job["metadata"]["uid"] = "u1";
  job["metadata"]["creationTimestamp"] = FormatRfc3339(now);
  observed_.jobs.push_back({ReadJobState(job), std::nullopt, ""});
  auto replay = Decide(observed_, now + std::chrono::seconds(3));
  EXPECT_TRUE(replay.create_jobs.empty());
  EXPECT_EQ(replay.status.last_on_demand_token, "x");
  ASSERT_EQ(replay.status.history.size(), 2u);
  EXPECT_EQ(replay.status.history[0].job_name, JobName(job));
}

TEST_F(BackupDecideTest, CrashAfterAScheduledCreateAdoptsTheJobOfThatInstant) {
  const WallTime now = At("2026-11-22T06:00:05Z");
  auto plan = Decide(observed_, now);
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  nlohmann::json job = plan.create_jobs[0];
  job["metadata"]["creationTimestamp"] = FormatRfc3339(now);
  observed_.jobs.push_back({ReadJobState(job), std::nullopt, ""});  // status was never written
  auto replay = Decide(observed_, now + std::chrono::minutes(2));
  EXPECT_TRUE(replay.create_jobs.empty());
  EXPECT_EQ(replay.status.last_schedule_time, At("2026-11-22T06:00:00Z"));
}

TEST_F(BackupDecideTest, FinishedJobIsRecordedFromTheAgentResult) {
  const WallTime start = At("2026-11-22T06:00:01Z");
  auto plan = DecideAndApply(start);
  const std::string name = JobName(plan.create_jobs[0]);
  Finish(name, true, start + std::chrono::seconds(9));
  auto done = DecideAndApply(start + std::chrono::seconds(10));
  ASSERT_EQ(done.status.history.size(), 2u);
  for (const auto& run : done.status.history) {
    EXPECT_EQ(run.result, "Succeeded");
    EXPECT_EQ(run.completion_time, start + std::chrono::seconds(9));
  }
  const auto& db = done.status.history[0].source == "database" ? done.status.history[0] : done.status.history[1];
  EXPECT_EQ(db.size_bytes, 1000);
  EXPECT_EQ(db.snapshot_ids, std::vector<std::string>{"db-" + name});
  ASSERT_TRUE(done.status.last_successful_backup.has_value());
  EXPECT_EQ(done.status.last_successful_backup->id, name);
  EXPECT_EQ(Cond(done.status, "LastBackupSucceeded")->status, ConditionStatus::kTrue);
  EXPECT_EQ(done.status.current_rpo, "10s");  // The data's age: from the start of the dump.
  ASSERT_EQ(done.finished_runs.size(), 2u);
  EXPECT_TRUE(done.finished_runs[0].succeeded);
  ASSERT_EQ(done.events.size(), 1u);
  EXPECT_EQ(done.events[0].reason, "BackupSucceeded");
  EXPECT_FALSE(Decide(observed_, start + std::chrono::seconds(10)).HasActions());
}

TEST_F(BackupDecideTest, FailedRunCarriesTheAgentsReasonAndMessage) {
  Annotate("x");
  const WallTime start = At("2026-11-22T01:00:00Z");
  auto plan = DecideAndApply(start);
  const std::string name = JobName(plan.create_jobs[0]);
  Finish(name, false, start + std::chrono::seconds(2), "RepositoryAccessDenied",
         "wrong password or no key found for the repository");
  auto done = DecideAndApply(start + std::chrono::seconds(3));
  EXPECT_EQ(done.status.history[0].result, "Failed");
  EXPECT_EQ(done.status.history[0].message, "RepositoryAccessDenied: wrong password or no key found for the repository");
  const Condition* c = Cond(done.status, "LastBackupSucceeded");
  EXPECT_EQ(c->status, ConditionStatus::kFalse);
  EXPECT_NE(c->message.find("wrong password"), std::string::npos);
  ASSERT_EQ(done.events.size(), 1u);
  EXPECT_EQ(done.events[0].type, "Warning");
  EXPECT_EQ(done.events[0].reason, "BackupFailed");
}

TEST_F(BackupDecideTest, AFailedJobWithoutAResultStillExplainsItself) {
  Annotate("x");
  const WallTime start = At("2026-11-22T01:00:00Z");
  auto plan = DecideAndApply(start);
  ObservedJob* job = FindJob(JobName(plan.create_jobs[0]));
  job->state.phase = JobPhase::kFailed;
  job->state.failure_reason = "DeadlineExceeded";
  job->state.failure_message = "Job was active longer than specified deadline";
  job->result_error = "the Pod has no termination message";
  auto done = Decide(observed_, start + std::chrono::seconds(5));
  EXPECT_EQ(done.status.history[0].result, "Failed");
  EXPECT_NE(done.status.history[0].message.find("DeadlineExceeded"), std::string::npos);
}

TEST_F(BackupDecideTest, SkipsMissedRunsOlderThanStartingDeadline) {
  spec()["schedule"] = "*/10 * * * *";
  spec()["startingDeadlineSeconds"] = 60;
  // The operator was away from 00:00 to 01:05: 6 runs were missed, the latest 5 minutes ago.
  auto plan = DecideAndApply(At("2026-11-22T01:05:00Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  for (const auto& s : plan.status.sources) EXPECT_EQ(s.missed_runs, 6) << s.name;
  EXPECT_EQ(plan.status.last_schedule_time, At("2026-11-22T01:00:00Z"));
  ASSERT_FALSE(plan.events.empty());
  EXPECT_EQ(plan.events[0].reason, "MissedSchedule");
  // The next one fires on time.
  auto next = DecideAndApply(At("2026-11-22T01:10:20Z"));
  EXPECT_EQ(next.create_jobs.size(), 1u);
}

TEST_F(BackupDecideTest, RunsMissedDuringAnOutageFireOnceNotInABurst) {
  spec()["schedule"] = "*/10 * * * *";
  auto plan = DecideAndApply(At("2026-11-22T01:05:00Z"));
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  EXPECT_EQ(JobName(plan.create_jobs[0]), "shop-202611220100");
  for (const auto& s : plan.status.sources) EXPECT_EQ(s.missed_runs, 5);
}

TEST_F(BackupDecideTest, SuspendStopsScheduledRunsButNotOnDemandOnes) {
  spec()["suspend"] = true;
  auto plan = Decide(observed_, At("2026-11-22T06:00:10Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_EQ(Cond(plan.status, "Ready")->reason, "Suspended");
  EXPECT_FALSE(plan.status.next_schedule_time.has_value());
  Annotate("now");
  EXPECT_EQ(Decide(observed_, At("2026-11-22T06:00:10Z")).create_jobs.size(), 1u);
}

TEST_F(BackupDecideTest, ForbidMakesANewRunWaitForTheRunningOne) {
  spec()["concurrencyPolicy"] = "Forbid";
  Annotate("a");
  DecideAndApply(At("2026-11-22T05:59:00Z"));
  auto plan = DecideAndApply(At("2026-11-22T06:00:05Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_TRUE(plan.delete_jobs.empty());
  EXPECT_NE(Cond(plan.status, "Ready")->message.find("waiting"), std::string::npos);
  // When the running one finishes, the waiting run starts (still within no deadline).
  Finish(observed_.jobs[0].state.name, true, At("2026-11-22T06:01:00Z"));
  auto later = DecideAndApply(At("2026-11-22T06:01:01Z"));
  ASSERT_EQ(later.create_jobs.size(), 1u);
  EXPECT_EQ(JobName(later.create_jobs[0]), "shop-202611220600");
}

TEST_F(BackupDecideTest, ReplaceDeletesTheRunningJobAndMarksItFailed) {
  spec()["concurrencyPolicy"] = "Replace";
  Annotate("a");
  DecideAndApply(At("2026-11-22T05:59:00Z"));
  const std::string old = observed_.jobs[0].state.name;
  auto plan = DecideAndApply(At("2026-11-22T06:00:05Z"));
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  EXPECT_EQ(plan.delete_jobs, std::vector<std::string>{old});
  bool marked = false;
  for (const auto& run : plan.status.history) {
    if (run.job_name == old) {
      EXPECT_EQ(run.result, "Failed");
      marked = true;
    }
  }
  EXPECT_TRUE(marked);
}

TEST_F(BackupDecideTest, InvalidSpecGivesReadyFalseNamingTheFieldAndNoJob) {
  spec()["schedule"] = "0 25 * * *";
  Annotate("now");
  auto plan = Decide(observed_, At("2026-11-22T06:00:10Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  const Condition* ready = Cond(plan.status, "Ready");
  EXPECT_EQ(ready->status, ConditionStatus::kFalse);
  EXPECT_EQ(ready->reason, "InvalidSpec");
  EXPECT_NE(ready->message.find("spec.schedule"), std::string::npos) << ready->message;
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "InvalidSpec");
  Apply(plan, At("2026-11-22T06:00:10Z"));
  EXPECT_FALSE(Decide(observed_, At("2026-11-22T06:00:10Z")).HasActions());  // One Event, not one per reconcile.
}

TEST_F(BackupDecideTest, MissingSecretGivesReadyFalseNamingTheSecretAndNoJob) {
  observed_.secrets.erase("repo");
  Annotate("now");
  auto plan = Decide(observed_, At("2026-11-22T06:00:10Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  const Condition* ready = Cond(plan.status, "Ready");
  EXPECT_EQ(ready->status, ConditionStatus::kFalse);
  EXPECT_EQ(ready->reason, "SecretNotFound");
  EXPECT_EQ(ready->message, "Secret \"repo\" not found (spec.repository.encryption.passwordSecret)");
  EXPECT_TRUE(plan.status.last_on_demand_token.empty());  // It runs once the Secret exists.
  observed_.secrets["repo"] = {"password"};
  EXPECT_EQ(Decide(observed_, At("2026-11-22T06:00:10Z")).create_jobs.size(), 1u);
}

TEST_F(BackupDecideTest, AMissingOwnerWorkloadStopsRunsUntilItExists) {
  spec()["media"][0]["workload"] = {{"kind", "Deployment"}, {"name", "web"}};
  auto plan = Decide(observed_, At("2026-11-22T06:00:10Z"));
  EXPECT_TRUE(plan.create_jobs.empty()) << "a Job as the wrong user would only fail reading the volume";
  const Condition* ready = Cond(plan.status, "Ready");
  EXPECT_EQ(ready->reason, "WorkloadNotFound");
  EXPECT_NE(ready->message.find("Deployment \"web\" not found (spec.media[0].workload)"), std::string::npos) << ready->message;
  api::SecurityContext web;
  web.run_as_user = 33;
  observed_.workloads["Deployment/web"] = web;
  plan = Decide(observed_, At("2026-11-22T06:00:10Z"));
  ASSERT_EQ(plan.create_jobs.size(), 1u);
  EXPECT_EQ(plan.create_jobs[0]["spec"]["template"]["spec"]["securityContext"]["runAsUser"], 33);
}

TEST_F(BackupDecideTest, MissingSecretKeyIsNamed) {
  observed_.secrets["pg"] = {"username"};
  auto plan = Decide(observed_, At("2026-11-22T06:00:10Z"));
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_EQ(Cond(plan.status, "Ready")->reason, "SecretKeyNotFound");
  EXPECT_NE(Cond(plan.status, "Ready")->message.find("\"password\""), std::string::npos);
}

TEST_F(BackupDecideTest, FinishedJobsBeyondTheHistoryLimitsAreDeleted) {
  spec()["successfulJobsHistoryLimit"] = 1;
  spec()["failedJobsHistoryLimit"] = 1;
  WallTime t = At("2026-11-22T01:00:00Z");
  for (int i = 0; i < 3; ++i) {
    Annotate("run" + std::to_string(i));
    auto plan = DecideAndApply(t);
    ASSERT_EQ(plan.create_jobs.size(), 1u) << i;
    Finish(JobName(plan.create_jobs[0]), true, t + std::chrono::seconds(5));
    t += std::chrono::minutes(1);
  }
  auto plan = DecideAndApply(t);
  EXPECT_EQ(plan.delete_jobs.size(), 1u);  // The first went at the third run already.
  EXPECT_EQ(observed_.jobs.size(), 1u);
  EXPECT_EQ(plan.status.history.size(), 6u);  // 3 runs x 2 sources survive the Jobs.
  EXPECT_FALSE(Decide(observed_, t).HasActions());
}

TEST_F(BackupDecideTest, HistoryIsBoundedNewestFirst) {
  spec()["historyLimit"] = 3;
  WallTime t = At("2026-11-22T01:00:00Z");
  for (int i = 0; i < 3; ++i) {
    Annotate("run" + std::to_string(i));
    auto plan = DecideAndApply(t);
    Finish(JobName(plan.create_jobs[0]), true, t + std::chrono::seconds(5));
    t += std::chrono::minutes(1);
  }
  auto plan = DecideAndApply(t);
  ASSERT_EQ(plan.status.history.size(), 3u);
  EXPECT_GE(plan.status.history[0].start_time, plan.status.history[2].start_time);
}

TEST_F(BackupDecideTest, JobsOlderThanAFullHistoryAreNotRecordedTwice) {
  spec()["historyLimit"] = 2;  // One run of two sources.
  spec()["successfulJobsHistoryLimit"] = 3;
  WallTime t = At("2026-11-22T01:00:00Z");
  for (int i = 0; i < 3; ++i) {
    Annotate("run" + std::to_string(i));
    auto plan = DecideAndApply(t);
    Finish(JobName(plan.create_jobs[0]), true, t + std::chrono::seconds(5));
    DecideAndApply(t + std::chrono::seconds(6));
    t += std::chrono::minutes(1);
  }
  auto plan = Decide(observed_, t);
  EXPECT_TRUE(plan.finished_runs.empty());
  EXPECT_TRUE(plan.events.empty());
  EXPECT_EQ(plan.status.history.size(), 2u);
  EXPECT_EQ(plan.status.history, Status().history);
}

TEST_F(BackupDecideTest, ARunningEntryWhoseJobIsGoneBecomesFailed) {
  Annotate("x");
  auto plan = DecideAndApply(At("2026-11-22T01:00:00Z"));
  const std::string name = JobName(plan.create_jobs[0]);
  observed_.jobs.clear();
  // Not yet confirmed gone (e.g. the cache lags): nothing changes.
  EXPECT_EQ(Decide(observed_, At("2026-11-22T01:00:01Z")).status.history[0].result, "Running");
  observed_.lost_jobs.insert(name);
  auto lost = Decide(observed_, At("2026-11-22T01:00:02Z"));
  EXPECT_EQ(lost.status.history[0].result, "Failed");
  EXPECT_NE(lost.status.history[0].message.find("deleted"), std::string::npos);
}

TEST_F(BackupDecideTest, RPOMetComparesTheNewestGoodBackupWithTargetRPO) {
  spec()["targetRPO"] = "7h";
  Annotate("x");
  const WallTime start = At("2026-11-22T01:00:00Z");
  auto first = DecideAndApply(start);
  ASSERT_EQ(first.create_jobs.size(), 1u) << api::BackupPolicyStatusToJson(first.status).dump();
  EXPECT_EQ(Cond(first.status, "RPOMet")->status, ConditionStatus::kFalse);
  EXPECT_EQ(Cond(first.status, "RPOMet")->reason, "NoSuccessfulBackup");
  Finish(JobName(first.create_jobs[0]), true, start + std::chrono::seconds(30));
  auto met = DecideAndApply(start + std::chrono::minutes(1));
  EXPECT_EQ(Cond(met.status, "RPOMet")->status, ConditionStatus::kTrue);
  // Looks again when the RPO would be exceeded.
  ASSERT_TRUE(met.requeue_after.has_value());
  EXPECT_LE(*met.requeue_after, kMaxRequeue);
  auto late = Decide(observed_, start + std::chrono::hours(8));
  EXPECT_EQ(Cond(late.status, "RPOMet")->status, ConditionStatus::kFalse);
  EXPECT_EQ(Cond(late.status, "RPOMet")->reason, "TargetExceeded");
  EXPECT_EQ(late.status.current_rpo, "8h");
}

TEST_F(BackupDecideTest, OddStatesStillGiveAPlan) {
  // A Job without Lifeboat annotations, a garbage status, no creationTimestamp, a broken result.
  observed_.policy["status"] = {{"history", "garbage"}, {"sources", {{{"name", 3}}}}};
  observed_.policy["metadata"].erase("creationTimestamp");
  nlohmann::json stray = {{"metadata", {{"name", "stray"}, {"uid", "s"}}}};
  observed_.jobs.push_back({ReadJobState(stray), std::nullopt, "no Pod"});
  observed_.lost_jobs.insert("never-existed");
  Annotate("x");
  auto plan = Decide(observed_, At("2026-11-22T01:00:00Z"));
  // The stray Job is owned by the policy and running, so concurrencyPolicy Forbid makes the run wait.
  EXPECT_TRUE(plan.create_jobs.empty());
  EXPECT_NE(Cond(plan.status, "Ready")->message.find("waiting"), std::string::npos);
  observed_.jobs[0].state.phase = JobPhase::kFailed;
  EXPECT_EQ(Decide(observed_, At("2026-11-22T01:00:00Z")).create_jobs.size(), 1u);
  observed_.policy = nlohmann::json::object();
  auto empty = Decide(observed_, At("2026-11-22T01:00:00Z"));
  EXPECT_TRUE(empty.create_jobs.empty());
  EXPECT_EQ(Cond(empty.status, "Ready")->status, ConditionStatus::kFalse);
}

}  // namespace
}  // namespace lifeboat::controllers::backuppolicy
