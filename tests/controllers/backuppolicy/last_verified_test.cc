// A BackupPolicy says when its backups were last proven restorable: the newest successful run of
// the DRDrills that name it (lastRun or history), never a failed one, never another policy's, and a
// proof once recorded stays when its drill is deleted.
#include "controllers/backuppolicy/last_verified.h"

#include <gtest/gtest.h>

#include "operator/api/dr_drill.h"
#include "tests/controllers/backuppolicy/decide_fixture.h"

namespace lifeboat::controllers::backuppolicy {
namespace {

api::DrillRun DrillRunOf(const std::string& id, const std::string& result, const std::string& completion,
                  const std::string& backup = "shop-1") {
  api::DrillRun run;
  run.id = id;
  run.trigger = "Scheduled";
  run.result = result;
  run.start_time = At(completion) - std::chrono::minutes(5);
  run.completion_time = At(completion);
  run.objectives_met = true;
  api::BackupRef ref;
  ref.id = backup;
  ref.source = "database:shop";
  ref.start_time = At("2026-11-22T00:00:00Z");
  run.backups = {ref};
  return run;
}

nlohmann::json Drill(const std::string& name, const std::string& policy, std::optional<api::DrillRun> last,
                     std::vector<api::DrillRun> history = {}, const std::string& ns = "default") {
  api::DRDrillStatus status;
  status.last_run = std::move(last);
  status.history = std::move(history);
  return {{"apiVersion", "lifeboat.dev/v1alpha1"},
          {"kind", "DRDrill"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "uid-" + name}}},
          {"spec", {{"policyRef", {{"name", policy}}}}},
          {"status", api::DRDrillStatusToJson(status)}};
}

TEST(LastVerifiedTest, NoDrillNoProof) {
  EXPECT_FALSE(LastVerifiedFromDrills("default", "shop", {}).has_value());
}

TEST(LastVerifiedTest, TheNewestSuccessfulRunOfAnyDrillIsTheProof) {
  const auto v = LastVerifiedFromDrills(
      "default", "shop",
      {Drill("weekly", "shop", DrillRunOf("weekly-3", "Failed", "2026-11-29T04:10:00Z"),
             {DrillRunOf("weekly-2", "Succeeded", "2026-11-22T04:10:00Z", "shop-2")}),
       Drill("monthly", "shop", DrillRunOf("monthly-1", "Succeeded", "2026-11-25T03:00:00Z", "shop-3"))});
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->drill, "monthly");
  EXPECT_EQ(v->run, "monthly-1");
  EXPECT_EQ(v->backup_id, "shop-3");
  EXPECT_EQ(v->result, "Succeeded");
  EXPECT_EQ(*v->time, At("2026-11-25T03:00:00Z"));
  EXPECT_EQ(v->objectives_met, true);
}

TEST(LastVerifiedTest, FailedAndRunningRunsProveNothing) {
  api::DrillRun running = DrillRunOf("weekly-4", "Running", "2026-11-29T04:10:00Z");
  running.completion_time.reset();
  EXPECT_FALSE(LastVerifiedFromDrills("default", "shop",
                                      {Drill("weekly", "shop", running, {DrillRunOf("weekly-3", "Failed", "2026-11-22T04:10:00Z")})})
                   .has_value());
}

TEST(LastVerifiedTest, AnotherPolicysOrNamespacesDrillsDoNotCount) {
  EXPECT_FALSE(LastVerifiedFromDrills("default", "shop",
                                      {Drill("weekly", "billing", DrillRunOf("w-1", "Succeeded", "2026-11-22T04:10:00Z")),
                                       Drill("weekly", "shop", DrillRunOf("w-1", "Succeeded", "2026-11-22T04:10:00Z"), {}, "other")})
                   .has_value());
}

class LastVerifiedDecideTest : public DecideFixture {};

TEST_F(LastVerifiedDecideTest, StatusNamesTheProofAndKeepsItWhenTheDrillIsDeleted) {
  const WallTime now = At("2026-11-30T00:00:00Z");
  observed_.drills = {Drill("weekly", "shop", DrillRunOf("weekly-2", "Succeeded", "2026-11-29T04:10:00Z"))};
  auto proven = DecideAndApply(now);
  EXPECT_TRUE(proven.status_changed);
  ASSERT_TRUE(proven.status.last_verified.has_value());
  EXPECT_EQ(proven.status.last_verified->run, "weekly-2");
  EXPECT_EQ(api::BackupPolicyStatusToJson(proven.status)["lastVerified"]["time"], "2026-11-29T04:10:00Z");

  observed_.drills.clear();
  auto kept = DecideAndApply(now + std::chrono::minutes(1));
  ASSERT_TRUE(kept.status.last_verified.has_value());
  EXPECT_EQ(kept.status.last_verified->run, "weekly-2");

  // An older proof never replaces a newer one.
  observed_.drills = {Drill("old", "shop", DrillRunOf("old-1", "Succeeded", "2026-11-01T00:00:00Z"))};
  EXPECT_EQ(Decide(observed_, now + std::chrono::minutes(2)).status.last_verified->run, "weekly-2");
}

}  // namespace
}  // namespace lifeboat::controllers::backuppolicy
