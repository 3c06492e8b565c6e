#include "operator/api/dr_drill.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"
#include "tests/api/test_files.h"

namespace lifeboat::api {
namespace {

nlohmann::json Sample() { return testing::LoadManifest("config/samples/lifeboat_v1alpha1_drdrill.yaml"); }

std::string ErrorsOf(const nlohmann::json& object) { return CheckDRDrill(object).ToString(); }

TEST(DRDrillTest, SampleIsValid) {
  DRDrill drill;
  FieldErrors errors = CheckDRDrill(Sample(), &drill);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(drill.spec.schedule, "0 4 * * SUN");
  EXPECT_EQ(drill.spec.policy_name, "shop");
  EXPECT_EQ(drill.spec.postgres_size_limit, "20Gi");
  EXPECT_TRUE(drill.spec.checks.amcheck);
  EXPECT_EQ(drill.spec.objective_rto, "30m");
  EXPECT_EQ(drill.spec.history_limit, 12);
}

TEST(DRDrillTest, AScheduleIsOptionalForAOneShotDrill) {
  nlohmann::json object = Sample();
  object["spec"].erase("schedule");
  EXPECT_EQ(ErrorsOf(object), "");
  object["spec"]["startingDeadlineSeconds"] = 60;
  EXPECT_EQ(ErrorsOf(object),
            "spec.startingDeadlineSeconds: Forbidden: only applies with spec.schedule (a one-shot drill has no deadline)");
}

TEST(DRDrillTest, RejectsBadScheduleTimeZoneAndObjectives) {
  nlohmann::json object = Sample();
  object["spec"]["schedule"] = "0 4 * *";
  object["spec"]["timeZone"] = "Berlin";
  object["spec"]["objectives"]["rto"] = "half an hour";
  object["spec"]["objectives"]["rpo"] = "0s";
  FieldErrors errors = CheckDRDrill(object);
  EXPECT_TRUE(errors.Has("spec.schedule")) << errors.ToString();
  EXPECT_TRUE(errors.Has("spec.timeZone")) << errors.ToString();
  EXPECT_TRUE(errors.Has("spec.objectives.rto")) << errors.ToString();
  EXPECT_NE(errors.ToString().find("spec.objectives.rpo: Invalid value: \"0s\": must be greater than zero"), std::string::npos);
}

TEST(DRDrillTest, RecoveryTargetIsLatestOrUnset) {
  DRDrill drill;
  nlohmann::json object = Sample();
  EXPECT_TRUE(CheckDRDrill(object, &drill).empty());
  EXPECT_EQ(drill.spec.recovery_target, "");
  object["spec"]["recoveryTarget"] = "latest";
  EXPECT_TRUE(CheckDRDrill(object, &drill).empty());
  EXPECT_EQ(drill.spec.recovery_target, "latest");
  object["spec"]["recoveryTarget"] = "2026-11-22T06:00:00Z";
  EXPECT_EQ(ErrorsOf(object), "spec.recoveryTarget: Unsupported value: \"2026-11-22T06:00:00Z\": supported values: \"latest\"");
}

TEST(DRDrillTest, RequiresThePolicy) {
  nlohmann::json object = Sample();
  object["spec"].erase("policyRef");
  EXPECT_EQ(ErrorsOf(object), "spec.policyRef: Required value");
}

TEST(DRDrillTest, RejectsBadSizesAndDuplicateSources) {
  nlohmann::json object = Sample();
  object["spec"]["scratch"]["postgres"]["sizeLimit"] = "20 gigs";
  object["spec"]["sources"] = {"database", "database"};
  EXPECT_EQ(ErrorsOf(object),
            "spec.sources[1]: Duplicate value: \"database\"; "
            "spec.scratch.postgres.sizeLimit: Invalid value: \"20 gigs\": must be a quantity such as 10Gi or 500M");
}

TEST(DRDrillTest, StatusRoundTripsAndHistoryKeepsOnlyCounts) {
  WallTime t0 = *ParseRfc3339("2026-11-22T03:00:00Z");
  DrillRun run{"shop-weekly-29380500", "Scheduled", t0, t0 + std::chrono::minutes(12), "Succeeded", "shop-weekly-29380500",
               {{"shop-database-1", "database", t0, t0, 10, {"aa"}}}, "12m3s", "5h", true, 14, 0, "All checks passed",
               DrillReportRef{"4f2a9c1e", "9b1c"},
               {{"public.orders", "RowCount", "1200", "1200", true, ""}, {"amcheck", "Amcheck", "", "ok", true, ""}},
               DrillRunRecovery{"latest", "2026-11-22T02:59:04.500000Z", "shop-base-3"}};
  DRDrillStatus status;
  status.observed_generation = 2;
  status.conditions = {{"ObjectivesMet", ConditionStatus::kTrue, "WithinObjectives", "RTO 12m3s <= 30m", t0, 2}};
  status.last_schedule_time = t0;
  status.next_schedule_time = t0 + std::chrono::hours(24 * 7);
  status.missed_runs = 0;
  status.last_on_demand_token = "now-1";
  status.last_run = run;
  DrillRun summary = run;
  summary.checks.clear();
  status.history = {summary};

  nlohmann::json json = DRDrillStatusToJson(status);
  EXPECT_EQ(json["lastRun"]["checks"].size(), 2u);
  EXPECT_FALSE(json["history"][0].contains("checks"));
  EXPECT_EQ(json["lastRun"]["report"]["snapshotId"], "4f2a9c1e");
  FieldErrors errors;
  DRDrillStatus parsed = ParseDRDrillStatus(json, &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(parsed, status);
  EXPECT_EQ(DRDrillStatusToJson(parsed), json);
}

}  // namespace
}  // namespace lifeboat::api
