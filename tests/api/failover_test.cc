#include "operator/api/failover.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"
#include "tests/api/test_files.h"

namespace lifeboat::api {
namespace {

nlohmann::json Sample() { return testing::LoadManifest("config/samples/lifeboat_v1alpha1_failover.yaml"); }

std::string ErrorsOf(const nlohmann::json& object) { return CheckFailover(object).ToString(); }

TEST(FailoverTest, SampleSwitchoverIsValid) {
  Failover failover;
  FieldErrors errors = CheckFailover(Sample(), &failover);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(failover.spec.mode, "Switchover");
  EXPECT_EQ(failover.spec.primary.workload->name, "shop-postgres-a");
  EXPECT_EQ(failover.spec.replica.connection->host, "shop-postgres-b.shop.svc");
  EXPECT_EQ(failover.spec.service_selector.at("app.kubernetes.io/instance"), "shop-postgres-b");
  EXPECT_TRUE(failover.spec.fence_read_only);
  EXPECT_EQ(failover.spec.catch_up_timeout_seconds, 60);
}

TEST(FailoverTest, SwitchoverNeedsThePrimaryAndNeverAcceptsLag) {
  nlohmann::json object = Sample();
  object["spec"]["primary"].erase("connection");
  object["spec"]["maxLagBytes"] = 1024;
  EXPECT_EQ(ErrorsOf(object),
            "spec.primary.connection: Required value: a Switchover must reach the primary to fence it and wait until the "
            "replica has caught up; "
            "spec.maxLagBytes: Forbidden: a Switchover never loses data; maxLagBytes applies to mode Failover only");
}

TEST(FailoverTest, FailoverMustStateTheAcceptableLag) {
  nlohmann::json object = Sample();
  object["spec"]["mode"] = "Failover";
  object["spec"]["primary"].erase("connection");
  EXPECT_EQ(ErrorsOf(object),
            "spec.maxLagBytes: Required value: mode Failover promotes a replica that may be behind: state how many bytes of "
            "WAL you accept to lose (0 for none)");
  object["spec"]["maxLagBytes"] = 16 * 1024 * 1024;
  EXPECT_EQ(ErrorsOf(object), "");
}

TEST(FailoverTest, PrimaryAndReplicaMustDiffer) {
  nlohmann::json object = Sample();
  object["spec"]["replica"] = object["spec"]["primary"];
  FieldErrors errors = CheckFailover(object);
  EXPECT_TRUE(errors.Has("spec.replica.connection.host")) << errors.ToString();
  EXPECT_TRUE(errors.Has("spec.replica.workload.name")) << errors.ToString();
}

TEST(FailoverTest, ServiceSelectorMustBeValidLabels) {
  nlohmann::json object = Sample();
  object["spec"]["service"]["selector"] = {{"bad key!", "x"}};
  EXPECT_EQ(ErrorsOf(object),
            "spec.service.selector: Invalid value: \"bad key!\": must be a label key such as app or app.kubernetes.io/name");
  object["spec"]["service"]["selector"] = nlohmann::json::object();
  EXPECT_EQ(ErrorsOf(object), "spec.service.selector: Required value: the labels of the new primary's Pods");
}

TEST(FailoverTest, UnknownModeIsReported) {
  nlohmann::json object = Sample();
  object["spec"]["mode"] = "Promote";
  EXPECT_EQ(ErrorsOf(object), "spec.mode: Unsupported value: \"Promote\": supported values: \"Switchover\", \"Failover\"");
}

TEST(FailoverTest, LsnParsingAndFormatting) {
  EXPECT_EQ(ParseLsn("0/3000060"), 0x3000060u);
  EXPECT_EQ(ParseLsn("16/B374D848"), (0x16ull << 32) | 0xB374D848ull);
  EXPECT_EQ(FormatLsn((0x16ull << 32) | 0xB374D848ull), "16/B374D848");
  EXPECT_FALSE(ParseLsn("16-B374").has_value());
  EXPECT_FALSE(ParseLsn("").has_value());
}

TEST(FailoverTest, StatusRoundTripsThroughJson) {
  WallTime t0 = *ParseRfc3339("2026-11-22T02:00:00Z");
  FailoverStatus status;
  status.observed_generation = 1;
  status.phase = "Succeeded";
  status.conditions = {{"Succeeded", ConditionStatus::kTrue, "Switched", "shop-postgres now selects shop-postgres-b", t0, 1}};
  status.start_time = t0;
  status.completion_time = t0 + std::chrono::seconds(9);
  status.steps = {{"Fence", "Succeeded", t0, t0, {}, ""}, {"CatchUp", "Succeeded", t0, t0, {}, "Replayed to 0/3000060"},
                  {"Promote", "Succeeded", t0, t0, {}, ""}, {"Switch", "Succeeded", t0, t0, {}, ""}};
  status.primary_lsn = "0/3000060";
  status.replica_lsn = "0/3000060";
  status.data_loss_bytes = 0;
  status.write_unavailability = "4.2s";
  status.previous_selector = {{"app.kubernetes.io/instance", "shop-postgres-a"}};
  status.fenced_replicas = 1;
  nlohmann::json json = FailoverStatusToJson(status);
  FieldErrors errors;
  FailoverStatus parsed = ParseFailoverStatus(json, &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(parsed, status);
  EXPECT_EQ(json["dataLossBytes"], 0);
  json["primaryLSN"] = "nope";
  ParseFailoverStatus(json, &errors);
  EXPECT_TRUE(errors.Has("status.primaryLSN"));
}

}  // namespace
}  // namespace lifeboat::api
