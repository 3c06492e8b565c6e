#include "operator/kube/lease_decision.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"

namespace lifeboat::kube {
namespace {

using namespace std::chrono_literals;

LeaderElectionConfig Config(const std::string& identity) {
  LeaderElectionConfig config;
  config.identity = identity;
  return config;
}

const WallTime kNow = *ParseRfc3339("2026-11-22T01:00:00Z");
const SteadyTime kSteady = SteadyTime{} + 1000h;

TEST(LeaseDecisionTest, CreatesTheLeaseWhenThereIsNone) {
  auto decision = DecideLease(Config("a"), {}, std::nullopt, kNow, kSteady);
  EXPECT_EQ(decision.action, LeaseAction::kCreate);
  EXPECT_EQ(decision.desired.holder, "a");
  EXPECT_EQ(decision.desired.lease_duration_seconds, 15);
  EXPECT_EQ(decision.desired.acquire_time, kNow);
  EXPECT_EQ(decision.desired.renew_time, kNow);
  EXPECT_EQ(decision.desired.transitions, 0);
}

TEST(LeaseDecisionTest, WaitsWhileAnotherHolderRenewsWithinTheLeaseDuration) {
  LeaseRecord held{"b", 15, kNow - 1h, kNow - 1h, 3};  // Clock skew: renewTime in the past does not matter.
  auto first = DecideLease(Config("a"), {}, held, kNow, kSteady);
  EXPECT_EQ(first.action, LeaseAction::kWait);
  EXPECT_EQ(first.current_holder, "b");
  // 14 s later, unchanged record: still valid (observed locally 14 s ago).
  auto later = DecideLease(Config("a"), first.memory, held, kNow + 14s, kSteady + 14s);
  EXPECT_EQ(later.action, LeaseAction::kWait);
}

TEST(LeaseDecisionTest, TakesOverALeaseNotRenewedForTheLeaseDuration) {
  LeaseRecord held{"b", 15, kNow, kNow, 3};
  auto first = DecideLease(Config("a"), {}, held, kNow, kSteady);
  auto expired = DecideLease(Config("a"), first.memory, held, kNow + 16s, kSteady + 16s);
  ASSERT_EQ(expired.action, LeaseAction::kUpdate);
  EXPECT_FALSE(expired.renewing);
  EXPECT_EQ(expired.desired.holder, "a");
  EXPECT_EQ(expired.desired.transitions, 4);
  EXPECT_EQ(expired.desired.acquire_time, kNow + 16s);
}

TEST(LeaseDecisionTest, ARenewalByTheHolderRestartsTheExpiryClock) {
  LeaseRecord held{"b", 15, kNow, kNow, 0};
  auto first = DecideLease(Config("a"), {}, held, kNow, kSteady);
  LeaseRecord renewed = held;
  renewed.renew_time = kNow + 10s;
  auto seen = DecideLease(Config("a"), first.memory, renewed, kNow + 10s, kSteady + 10s);
  EXPECT_EQ(seen.action, LeaseAction::kWait);
  auto after = DecideLease(Config("a"), seen.memory, renewed, kNow + 20s, kSteady + 20s);
  EXPECT_EQ(after.action, LeaseAction::kWait) << "only 10 s since the renewal was observed";
  auto expired = DecideLease(Config("a"), after.memory, renewed, kNow + 26s, kSteady + 26s);
  EXPECT_EQ(expired.action, LeaseAction::kUpdate);
}

TEST(LeaseDecisionTest, TheHolderRenewsKeepingAcquireTimeAndTransitions) {
  LeaseRecord mine{"a", 15, kNow - 1min, kNow - 2s, 7};
  auto decision = DecideLease(Config("a"), {}, mine, kNow, kSteady);
  ASSERT_EQ(decision.action, LeaseAction::kUpdate);
  EXPECT_TRUE(decision.renewing);
  EXPECT_EQ(decision.desired.acquire_time, kNow - 1min);
  EXPECT_EQ(decision.desired.renew_time, kNow);
  EXPECT_EQ(decision.desired.transitions, 7);
}

TEST(LeaseDecisionTest, AReleasedLeaseIsTakenAtOnce) {
  LeaseRecord released = ReleasedRecord(LeaseRecord{"b", 15, kNow, kNow, 2}, kNow);
  EXPECT_EQ(released.holder, "");
  EXPECT_EQ(released.lease_duration_seconds, 1);
  EXPECT_EQ(released.transitions, 2);
  auto decision = DecideLease(Config("a"), {}, released, kNow, kSteady);
  ASSERT_EQ(decision.action, LeaseAction::kUpdate);
  EXPECT_EQ(decision.desired.holder, "a");
  EXPECT_EQ(decision.desired.transitions, 3);
}

TEST(LeaseDecisionTest, HonoursTheHoldersLongerLeaseDuration) {
  LeaseRecord held{"b", 60, kNow, kNow, 0};
  auto first = DecideLease(Config("a"), {}, held, kNow, kSteady);
  EXPECT_EQ(DecideLease(Config("a"), first.memory, held, kNow + 30s, kSteady + 30s).action, LeaseAction::kWait);
  EXPECT_EQ(DecideLease(Config("a"), first.memory, held, kNow + 61s, kSteady + 61s).action, LeaseAction::kUpdate);
}

TEST(LeaseDecisionTest, TheLeaderStopsWhenItCannotRenewWithinTheDeadline) {
  auto config = Config("a");
  EXPECT_FALSE(RenewDeadlineExceeded(config, kSteady, kSteady + 10s));
  EXPECT_TRUE(RenewDeadlineExceeded(config, kSteady, kSteady + 10s + 1ms));
}

TEST(LeaseDecisionTest, ConfigMustOrderLeaseDurationRenewDeadlineAndRetryPeriod) {
  EXPECT_TRUE(Config("a").Validate().ok());
  auto bad = Config("a");
  bad.renew_deadline = 20s;
  EXPECT_FALSE(bad.Validate().ok());
  bad = Config("a");
  bad.retry_period = 10s;
  EXPECT_FALSE(bad.Validate().ok());
  EXPECT_FALSE(Config("").Validate().ok());
}

TEST(LeaseDecisionTest, LeaseJsonHasTheRealShapeWithMicroTime) {
  LeaseRecord record{"pod-1_abc", 15, kNow + 123456us, kNow + 2s, 1};
  auto lease = LeaseToJson("lifeboat-system", "lifeboat-operator", "77", record);
  EXPECT_EQ(lease["apiVersion"], "coordination.k8s.io/v1");
  EXPECT_EQ(lease["kind"], "Lease");
  EXPECT_EQ(lease["metadata"]["resourceVersion"], "77");
  EXPECT_EQ(lease["spec"]["holderIdentity"], "pod-1_abc");
  EXPECT_EQ(lease["spec"]["leaseDurationSeconds"], 15);
  EXPECT_EQ(lease["spec"]["acquireTime"], "2026-11-22T01:00:00.123456Z");
  EXPECT_EQ(lease["spec"]["renewTime"], "2026-11-22T01:00:02.000000Z");
  EXPECT_EQ(lease["spec"]["leaseTransitions"], 1);
  auto parsed = LeaseRecordFromJson(lease);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, record);
}

TEST(LeaseDecisionTest, ReadsLeasesWrittenByOtherClients) {
  nlohmann::json lease = {{"spec", {{"holderIdentity", "kube-controller-manager_x"},
                                    {"leaseDurationSeconds", 15},
                                    {"acquireTime", "2026-11-21T23:55:00.000000Z"},
                                    {"renewTime", "2026-11-21T23:55:28.123456Z"},
                                    {"leaseTransitions", 0}}}};
  auto parsed = LeaseRecordFromJson(lease);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->holder, "kube-controller-manager_x");
  EXPECT_EQ(FormatRfc3339Micro(*parsed->renew_time), "2026-11-21T23:55:28.123456Z");
  EXPECT_TRUE(LeaseRecordFromJson({{"spec", nullptr}}).ok());
  EXPECT_FALSE(LeaseRecordFromJson({{"spec", {{"renewTime", "yesterday"}}}}).ok());
}

}  // namespace
}  // namespace lifeboat::kube
