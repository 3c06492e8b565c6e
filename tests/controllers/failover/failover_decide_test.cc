// DecideFailover as a specification: a Switchover fences, waits for the replica, promotes and
// switches, saving what it changes first; bad pairs fail with nothing changed; a failure before a
// promotion undoes the fence, one after it never does; a Failover fences by scaling down and gates
// on the lag; a second Failover of the pair waits; deletion mid-run unfences.
#include "controllers/failover/failover_decide.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"

namespace lifeboat::controllers::failover {
namespace {

using namespace std::chrono_literals;

WallTime At(const std::string& text) { return *ParseRfc3339(text); }

class FailoverDecideTest : public ::testing::Test {
 protected:
  FailoverDecideTest() {
    o_.failover = {
        {"apiVersion", "lifeboat.dev/v1alpha1"},
        {"kind", "Failover"},
        {"metadata", {{"name", "to-b"}, {"namespace", "shop"}, {"uid", "uid-1"}, {"generation", 1},
                      {"creationTimestamp", "2026-12-05T10:00:00Z"}}},
        {"spec",
         {{"mode", "Switchover"},
          {"primary", {{"connection", {{"host", "127.0.0.1"}, {"port", 5001}, {"credentialsSecret", {{"name", "admin"}}}}},
                       {"workload", {{"kind", "StatefulSet"}, {"name", "shop-postgres-a"}}}}},
          {"replica", {{"connection", {{"host", "127.0.0.1"}, {"port", 5002}, {"credentialsSecret", {{"name", "admin"}}}}},
                       {"workload", {{"kind", "StatefulSet"}, {"name", "shop-postgres-b"}}}}},
          {"catchUpTimeoutSeconds", 30},
          {"fencing", {{"readOnly", true}, {"scaleDown", true}}},
          {"service", {{"name", "shop-postgres"}, {"selector", {{"instance", "b"}}}}}}}};
    o_.secrets["admin"] = {"username", "password"};
    MemberProbe p;
    p.reachable = true;
    p.system_identifier = "7300000000000000001";
    p.lsn = "0/3000100";
    p.timeline = "00000001";
    p.active_slots = {"shop_postgres_b"};
    p.streaming_standbys = 1;
    MemberProbe r = p;
    r.in_recovery = true;
    r.lsn = "0/3000000";
    r.receive_lsn = "0/3000100";
    r.receiver_status = "streaming";
    r.receiver_slot = "shop_postgres_b";
    r.sender = "127.0.0.1:5001";
    r.active_slots.clear();
    o_.primary = p;
    o_.replica = r;
    o_.primary_workload_replicas = 1;
    o_.primary_pods = 1;
    o_.service_selector = std::map<std::string, std::string>{{"instance", "a"}};
  }

  // Decides and applies the plan as the shell and the world would: status and finalizer written,
  // the selector and scale set (the follower stops a scaled-down server).
  FailoverPlan Step(WallTime now) {
    FailoverPlan plan = DecideFailover(o_, now);
    o_.failover["status"] = api::FailoverStatusToJson(plan.status);
    if (plan.add_finalizer) o_.failover["metadata"]["finalizers"] = {kFailoverFinalizer};
    if (plan.remove_finalizer) o_.failover["metadata"]["finalizers"] = nlohmann::json::array();
    if (plan.set_service_selector) o_.service_selector = *plan.set_service_selector;
    if (plan.scale && plan.scale->name == "shop-postgres-a") o_.primary_workload_replicas = plan.scale->replicas;
    return plan;
  }
  // Validate, the fence taken, the replica caught up: the plan at +200 ms asks for the promotion.
  FailoverPlan UpToThePromotion() {
    Step(t_);
    o_.primary->read_only = true;
    Step(t_ + 100ms);
    o_.replica->lsn = o_.primary->lsn;
    return Step(t_ + 200ms);
  }
  std::string StepState(const FailoverPlan& plan, const std::string& name) {
    for (const auto& s : plan.status.steps) {
      if (s.name == name) return s.state;
    }
    return "";
  }
  const Condition* Succeeded(const FailoverPlan& plan) { return FindCondition(plan.status.conditions, "Succeeded"); }

  FailoverObserved o_;
  WallTime t_ = At("2026-12-05T10:00:01Z");
};

TEST_F(FailoverDecideTest, ASwitchoverFencesWaitsPromotesAndSwitchesSavingWhatItChangesFirst) {
  FailoverPlan plan = Step(t_);
  EXPECT_TRUE(plan.add_finalizer);
  EXPECT_EQ(plan.status.phase, "Running");
  EXPECT_EQ(StepState(plan, "Validate"), "Succeeded");
  EXPECT_EQ(plan.action, DatabaseAction::kFence);

  o_.primary->read_only = true;  // The fence took; CHECKPOINT moved the LSN on.
  o_.primary->lsn = "0/3000200";
  plan = Step(t_ + 100ms);
  EXPECT_EQ(StepState(plan, "Fence"), "Succeeded");
  EXPECT_EQ(plan.status.primary_lsn, "0/3000200");
  EXPECT_EQ(StepState(plan, "CatchUp"), "Running");
  EXPECT_EQ(plan.action, DatabaseAction::kNone) << "never promote before the replica has replayed the final LSN";

  o_.replica->lsn = "0/3000200";
  plan = Step(t_ + 300ms);
  EXPECT_EQ(StepState(plan, "CatchUp"), "Succeeded");
  EXPECT_EQ(plan.status.data_loss_bytes, 0);
  EXPECT_EQ(plan.action, DatabaseAction::kPromote);

  o_.replica->in_recovery = false;
  o_.replica->timeline = "00000002";
  o_.replica->lsn = "0/3000300";
  plan = Step(t_ + 900ms);
  EXPECT_EQ(StepState(plan, "Promote"), "Succeeded");
  EXPECT_EQ(plan.status.timeline, "00000002");
  EXPECT_EQ(plan.status.replica_lsn, "0/3000300");
  EXPECT_EQ(plan.status.previous_selector, (std::map<std::string, std::string>{{"instance", "a"}})) << "saved first";
  ASSERT_TRUE(plan.set_service_selector.has_value());
  ASSERT_TRUE(plan.scale.has_value()) << "fencing.scaleDown: in the same hand-over the old primary's workload goes to 0";
  EXPECT_EQ(plan.scale->replicas, 0);
  EXPECT_EQ(plan.status.fenced_replicas, 1) << "saved first";
  EXPECT_EQ(plan.requeue_after, std::chrono::duration_cast<Duration>(10ms)) << "an action's result is looked at at once";

  plan = Step(t_ + 1000ms);
  EXPECT_EQ(plan.status.write_unavailability, "1s") << "from the fence (+0s) to the Service seen switched (+1s)";
  ASSERT_TRUE(plan.write_unavailable_seconds.has_value());
  EXPECT_NEAR(*plan.write_unavailable_seconds, 1.0, 0.001);
  EXPECT_EQ(plan.status.phase, "Succeeded");
  EXPECT_EQ(plan.finished, "Succeeded");
  EXPECT_EQ(Succeeded(plan)->status, ConditionStatus::kTrue);
  EXPECT_EQ(api::FailoverStatusToJson(plan.status)["steps"][0]["startTime"], "2026-12-05T10:00:01.000000Z")
      << "step times to the microsecond: a switchover takes about a second";

  plan = Step(t_ + 2s);
  EXPECT_TRUE(plan.remove_finalizer);
  EXPECT_EQ(plan.action, DatabaseAction::kNone);
}

TEST_F(FailoverDecideTest, AfterTheSwitchTheOldPrimaryRejoinsAsAStandbyThroughAJob) {
  o_.primary_data = DataVolume{"data-shop-postgres-a-0", "/var/lib/postgresql/data", "/var/lib/postgresql/data/pgdata"};
  o_.primary_run_as.run_as_user = 999;
  UpToThePromotion();
  o_.replica->in_recovery = false;
  Step(t_ + 300ms);  // Selector.
  Step(t_ + 400ms);  // Scale A to 0.
  FailoverPlan plan = Step(t_ + 500ms);
  EXPECT_EQ(StepState(plan, "Switch"), "Succeeded");
  EXPECT_EQ(plan.status.phase, "Running") << "the rejoin is part of the run";
  EXPECT_EQ(plan.status.write_unavailability, "400ms") << "measured at the switch, not after the rejoin";
  EXPECT_EQ(StepState(plan, "Rejoin"), "Running");

  plan = Step(t_ + 600ms);
  EXPECT_EQ(plan.action, DatabaseAction::kCreateSlot);
  EXPECT_EQ(plan.slot, "shop_postgres_a");
  o_.replica->slots.insert("shop_postgres_a");
  plan = Step(t_ + 700ms);
  EXPECT_FALSE(plan.create_job.has_value()) << "not while the old primary still answers";
  o_.primary->reachable = false;
  plan = Step(t_ + 800ms);
  ASSERT_TRUE(plan.create_job.has_value());
  const nlohmann::json& job = *plan.create_job;
  const std::string text = job.dump();
  EXPECT_NE(text.find("data-shop-postgres-a-0"), std::string::npos);
  EXPECT_NE(text.find("/var/lib/postgresql/data/pgdata"), std::string::npos);
  EXPECT_EQ(job["spec"]["template"]["spec"]["securityContext"]["runAsUser"], 999) << "as the data's owner";

  ObservedJob done;
  done.state.name = job["metadata"]["name"];
  done.state.phase = JobPhase::kSucceeded;
  o_.rejoin_job = done;
  plan = Step(t_ + 5s);
  ASSERT_TRUE(plan.scale.has_value());
  EXPECT_EQ(plan.scale->replicas, 1) << "started again, as a standby";
  o_.primary->reachable = true;
  o_.primary->in_recovery = true;
  o_.primary->receiver_status = "streaming";
  o_.replica->active_slots.insert("shop_postgres_a");
  plan = Step(t_ + 6s);
  EXPECT_EQ(StepState(plan, "Rejoin"), "Succeeded");
  EXPECT_EQ(plan.status.phase, "Succeeded");
}

TEST_F(FailoverDecideTest, AFailedRejoinSaysTheSwitchoverItselfSucceeded) {
  o_.primary_data = DataVolume{"data-shop-postgres-a-0", "/data", "/data"};
  UpToThePromotion();
  o_.replica->in_recovery = false;
  o_.replica->slots.insert("shop_postgres_a");
  o_.primary->reachable = false;
  for (int i = 3; i < 8; ++i) Step(t_ + i * 100ms);
  ObservedJob failed;
  failed.state.name = "to-b-rejoin";
  failed.state.phase = JobPhase::kFailed;
  failed.result_error = "pg_rewind exited with status 1: could not find common ancestor";
  o_.rejoin_job = failed;
  FailoverPlan plan = Step(t_ + 2s);
  EXPECT_EQ(plan.status.phase, "Failed");
  EXPECT_EQ(Succeeded(plan)->reason, "RejoinFailed");
  EXPECT_NE(Succeeded(plan)->message.find("the switchover itself succeeded"), std::string::npos);
  EXPECT_EQ(plan.action, DatabaseAction::kNone) << "never unfenced after a promotion";
}

TEST(RejoinJobTest, TheDataVolumeIsWhereTheStatefulSetMountsIt) {
  const nlohmann::json sts = {
      {"metadata", {{"name", "shop-postgres-a"}}},
      {"spec",
       {{"volumeClaimTemplates", {{{"metadata", {{"name", "data"}}}}}},
        {"template",
         {{"spec",
           {{"containers",
             {{{"name", "postgres"},
               {"env", {{{"name", "PGDATA"}, {"value", "/var/lib/postgresql/data/pgdata"}}}},
               {"volumeMounts", {{{"name", "data"}, {"mountPath", "/var/lib/postgresql/data"}}}}}}}}}}}}}};
  auto data = StatefulSetDataVolume(sts);
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->claim, "data-shop-postgres-a-0");
  EXPECT_EQ(data->data_dir, "/var/lib/postgresql/data/pgdata");
  EXPECT_EQ(RejoinSlotName("Shop-Postgres.A"), "shop_postgres_a");
}

TEST_F(FailoverDecideTest, TwoPrimariesAreASplitBrainAndNothingIsTouched) {
  o_.replica->in_recovery = false;
  FailoverPlan plan = Step(t_);
  EXPECT_EQ(plan.status.phase, "Failed");
  EXPECT_EQ(Succeeded(plan)->reason, "SplitBrain");
  EXPECT_NE(Succeeded(plan)->message.find("refusing"), std::string::npos);
  EXPECT_EQ(plan.action, DatabaseAction::kNone);
  EXPECT_FALSE(plan.scale.has_value());
  EXPECT_FALSE(plan.set_service_selector.has_value());
}

TEST_F(FailoverDecideTest, AReplicaStreamingFromAnotherServerIsRefused) {
  o_.replica->receiver_slot = "other_slot";
  o_.replica->sender = "10.0.0.9:5432";
  FailoverPlan plan = Step(t_);
  EXPECT_EQ(Succeeded(plan)->reason, "NotStreamingFromPrimary");
  EXPECT_NE(Succeeded(plan)->message.find("10.0.0.9:5432"), std::string::npos) << Succeeded(plan)->message;
  EXPECT_EQ(plan.action, DatabaseAction::kNone);
}

TEST_F(FailoverDecideTest, WrongCredentialsAreNamedAsARefusedLogin) {
  o_.primary = MemberProbe{};
  o_.primary->error = "password authentication failed for user \"lifeboat_admin\"";
  o_.primary->login_refused = true;
  FailoverPlan plan = Step(t_);
  EXPECT_EQ(Succeeded(plan)->reason, "PrimaryLoginRefused");
  EXPECT_EQ(plan.status.phase, "Failed");
}

TEST_F(FailoverDecideTest, DifferentClustersAreRefused) {
  o_.replica->system_identifier = "7300000000000000999";
  EXPECT_EQ(Succeeded(Step(t_))->reason, "SystemIdentifierMismatch");
}

TEST_F(FailoverDecideTest, ACatchUpTimeoutUnfencesThePrimaryBeforeFailing) {
  Step(t_);
  o_.primary->read_only = true;
  Step(t_ + 100ms);
  FailoverPlan plan = Step(t_ + 31s);
  EXPECT_EQ(StepState(plan, "CatchUp"), "Failed");
  EXPECT_EQ(plan.status.phase, "Running") << "not over until the primary takes writes again";
  EXPECT_EQ(plan.action, DatabaseAction::kUnfence);
  EXPECT_EQ(Succeeded(plan)->reason, "CatchUpTimeout");
  plan = Step(t_ + 31200ms);
  EXPECT_EQ(plan.action, DatabaseAction::kUnfence) << "again until the probe shows it";
  o_.primary->read_only = false;
  plan = Step(t_ + 31400ms);
  EXPECT_EQ(plan.status.phase, "Failed");
  EXPECT_EQ(Succeeded(plan)->reason, "CatchUpTimeout");
  EXPECT_NE(Succeeded(plan)->message.find("the primary takes writes again"), std::string::npos);
}

TEST_F(FailoverDecideTest, AFenceThatNeverTakesFailsInsteadOfWaitingForever) {
  Step(t_);
  FailoverPlan plan = Step(t_ + 31s);  // The role may not ALTER SYSTEM: read_only never shows.
  EXPECT_EQ(plan.status.phase, "Failed");
  EXPECT_EQ(Succeeded(plan)->reason, "FenceFailed");
  EXPECT_EQ(plan.action, DatabaseAction::kNone);
}

TEST_F(FailoverDecideTest, AFailureAfterThePromotionStartedNeverUnfences) {
  UpToThePromotion();  // Promote runs.
  o_.replica->in_recovery = false;
  o_.service_selector.reset();  // The Service was deleted meanwhile.
  FailoverPlan plan = Step(t_ + 300ms);
  EXPECT_EQ(plan.status.phase, "Failed");
  EXPECT_EQ(Succeeded(plan)->reason, "ServiceNotFound");
  EXPECT_EQ(plan.action, DatabaseAction::kNone) << "unfencing beside a promoted replica would make two primaries";
}

TEST_F(FailoverDecideTest, ACrashAfterPromotingIsResumedWithoutASecondPromotion) {
  ASSERT_EQ(UpToThePromotion().action, DatabaseAction::kPromote);
  // The operator died after pg_promote(); the replica left recovery meanwhile.
  o_.replica->in_recovery = false;
  const FailoverPlan a = DecideFailover(o_, t_ + 5s);
  const FailoverPlan b = DecideFailover(o_, t_ + 5s);
  EXPECT_EQ(a.action, DatabaseAction::kNone);
  EXPECT_EQ(api::FailoverStatusToJson(a.status), api::FailoverStatusToJson(b.status)) << "same input, same plan";
}

TEST_F(FailoverDecideTest, WritesThatSlipPastTheFenceAreWaitedForBeforePromoting) {
  UpToThePromotion();
  o_.primary->lsn = "0/3000900";  // A session overrode the read-only default and committed.
  FailoverPlan plan = Step(t_ + 300ms);
  EXPECT_EQ(plan.action, DatabaseAction::kNone);
  EXPECT_EQ(plan.status.primary_lsn, "0/3000900");
}

TEST_F(FailoverDecideTest, AFailoverFencesByScalingDownAndGatesOnTheLag) {
  o_.failover["spec"]["mode"] = "Failover";
  o_.failover["spec"]["maxLagBytes"] = 1024;
  FailoverPlan plan = Step(t_);
  EXPECT_EQ(plan.status.primary_lsn, "0/3000100") << "read before the fence stops it";
  EXPECT_EQ(plan.status.lag_source, "Primary");
  ASSERT_TRUE(plan.scale.has_value());
  EXPECT_EQ(plan.scale->replicas, 0);
  EXPECT_EQ(plan.status.fenced_replicas, 1);
  plan = Step(t_ + 100ms);
  EXPECT_EQ(StepState(plan, "Fence"), "Running") << "a Pod is left and the server answers";
  o_.primary_pods = 0;
  o_.primary->reachable = false;
  o_.replica->receive_lsn = "0/3000100";
  plan = Step(t_ + 2s);
  EXPECT_EQ(StepState(plan, "CatchUp"), "Succeeded");
  EXPECT_EQ(plan.status.data_loss_bytes, 0);
  EXPECT_EQ(plan.action, DatabaseAction::kPromote);
}

TEST_F(FailoverDecideTest, ALagAboveTheLimitScalesThePrimaryBackAndFails) {
  o_.failover["spec"]["mode"] = "Failover";
  o_.failover["spec"]["maxLagBytes"] = 16;
  o_.replica->receive_lsn = "0/3000000";  // 256 bytes behind the primary's 0/3000100.
  Step(t_);
  o_.primary_pods = 0;
  o_.primary->reachable = false;
  FailoverPlan plan = Step(t_ + 1s);
  EXPECT_EQ(StepState(plan, "CatchUp"), "Failed");
  EXPECT_EQ(Succeeded(plan)->reason, "LagTooHigh");
  ASSERT_TRUE(plan.scale.has_value());
  EXPECT_EQ(plan.scale->replicas, 1) << "scaled back to what was saved";
  o_.primary_pods = 1;
  plan = Step(t_ + 2s);
  EXPECT_EQ(plan.status.phase, "Failed");
  EXPECT_EQ(plan.action, DatabaseAction::kNone) << "never promoted";
}

TEST_F(FailoverDecideTest, WithThePrimaryGoneTheLagIsWhatTheReplicaReceivedAndTheLossIsUnknown) {
  o_.failover["spec"]["mode"] = "Failover";
  o_.failover["spec"]["maxLagBytes"] = 1024;
  o_.primary = MemberProbe{};
  o_.primary->error = "connection refused";
  o_.primary_pods = 0;
  Step(t_);  // Validate; scale to 0.
  FailoverPlan plan = Step(t_ + 1s);
  EXPECT_EQ(plan.status.lag_source, "ReplicaReceived");
  EXPECT_FALSE(plan.status.data_loss_bytes.has_value());
  EXPECT_EQ(plan.action, DatabaseAction::kPromote);
}

TEST_F(FailoverDecideTest, ASecondFailoverOfThePairWaits) {
  o_.blocked_by = {"earlier"};
  FailoverPlan plan = Step(t_);
  EXPECT_EQ(plan.status.phase, "Pending");
  EXPECT_EQ(Succeeded(plan)->reason, "Blocked");
  EXPECT_EQ(plan.action, DatabaseAction::kNone);
  EXPECT_FALSE(plan.add_finalizer);
  o_.blocked_by.clear();
  EXPECT_EQ(Step(t_ + 5s).status.phase, "Running");
}

TEST_F(FailoverDecideTest, DeletedMidRunBeforeAPromotionItUnfencesThenLetsGo) {
  Step(t_);
  o_.primary->read_only = true;
  Step(t_ + 100ms);
  o_.failover["metadata"]["deletionTimestamp"] = "2026-12-05T10:00:02Z";
  FailoverPlan plan = Step(t_ + 1s);
  EXPECT_EQ(plan.action, DatabaseAction::kUnfence);
  EXPECT_FALSE(plan.remove_finalizer);
  o_.primary->read_only = false;
  plan = Step(t_ + 2s);
  EXPECT_TRUE(plan.remove_finalizer);
}

TEST_F(FailoverDecideTest, DeletedAfterThePromotionItLetsGoWithoutUnfencing) {
  UpToThePromotion();
  o_.failover["metadata"]["deletionTimestamp"] = "2026-12-05T10:00:02Z";
  FailoverPlan plan = Step(t_ + 1s);
  EXPECT_EQ(plan.action, DatabaseAction::kNone);
  EXPECT_TRUE(plan.remove_finalizer);
}

TEST_F(FailoverDecideTest, AnInvalidSpecOrAMissingSecretFailsBeforeAnything) {
  o_.secrets.clear();
  FailoverPlan plan = Step(t_);
  EXPECT_EQ(Succeeded(plan)->reason, "SecretNotFound");
  EXPECT_FALSE(plan.add_finalizer);
}

TEST(FailoverPairTest, FailoversSharingAServerOrWorkloadConcernTheSamePair) {
  api::FailoverSpec a, b;
  api::PostgresConnection db_a;
  db_a.host = "db-a";
  a.primary.connection = db_a;
  b.replica.connection = db_a;
  EXPECT_TRUE(SamePair(a, b));
  b.replica.connection->host = "db-c";
  EXPECT_FALSE(SamePair(a, b));
}

}  // namespace
}  // namespace lifeboat::controllers::failover
