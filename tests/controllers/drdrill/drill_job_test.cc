// The drill's Job: only the repository and scratch space, never the production database; the
// sources, checks and scratch limits of the DRDrill reach the agent.
#include "controllers/drdrill/drill_job.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "controllers/common/run_as.h"
#include "tests/api/test_files.h"

namespace lifeboat::controllers::drdrill {
namespace {

class DrillJobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    api::FieldErrors errors;
    drill_ = api::ParseDRDrill(api::testing::LoadManifest("config/samples/lifeboat_v1alpha1_drdrill.yaml"), &errors);
    ASSERT_TRUE(errors.empty()) << errors.ToString();
    drill_.metadata.namespace_ = "shop";
    drill_.metadata.uid = "uid-1";
    policy_ = api::ParseBackupPolicy(api::testing::LoadManifest("config/samples/lifeboat_v1alpha1_backuppolicy.yaml"), &errors).spec;
    ASSERT_TRUE(errors.empty()) << errors.ToString();
  }
  nlohmann::json Build() { return BuildDrillJob(drill_, policy_, {"shop-weekly-1", "OnDemand"}, "lifeboat:test"); }
  static std::vector<std::string> Args(const nlohmann::json& job) {
    return job["spec"]["template"]["spec"]["containers"][0]["args"].get<std::vector<std::string>>();
  }
  api::DRDrill drill_;
  api::BackupPolicySpec policy_;
};

TEST_F(DrillJobTest, NeverReferencesTheProductionDatabaseOrItsSecret) {
  const std::string text = Build().dump();
  ASSERT_TRUE(policy_.database.has_value());
  EXPECT_EQ(text.find(policy_.database->connection.host), std::string::npos) << "the production host";
  EXPECT_EQ(text.find(policy_.database->connection.credentials_secret), std::string::npos) << "the database Secret";
  EXPECT_EQ(text.find("PGPASSWORD"), std::string::npos);
  EXPECT_EQ(text.find("PGHOST"), std::string::npos);
  EXPECT_NE(text.find(policy_.repository.password_secret.name), std::string::npos) << "the repository's password it needs";
  for (const SecretKeyNeed& need : RequiredSecretKeys(drill_.spec, policy_)) {
    EXPECT_NE(need.secret, policy_.database->connection.credentials_secret);
  }
}

TEST_F(DrillJobTest, ScratchSpaceIsLimitedAsTheSpecSays) {
  const nlohmann::json job = Build();
  const auto& volumes = job["spec"]["template"]["spec"]["volumes"];
  auto named = [&](const std::string& name) {
    return *std::find_if(volumes.begin(), volumes.end(), [&](const nlohmann::json& v) { return v["name"] == name; });
  };
  EXPECT_EQ(named("scratch")["emptyDir"]["sizeLimit"], "20Gi");
  EXPECT_EQ(named("scratch-media")["emptyDir"]["sizeLimit"], "50Gi");
  drill_.spec.media_storage_class_name = "fast";
  const nlohmann::json ephemeral = BuildDrillJob(drill_, policy_, {"shop-weekly-1", "OnDemand"}, "lifeboat:test");
  const nlohmann::json& ephemeral_volumes = ephemeral["spec"]["template"]["spec"]["volumes"];
  const auto media = std::find_if(ephemeral_volumes.begin(), ephemeral_volumes.end(),
                                  [](const nlohmann::json& v) { return v["name"] == "scratch-media"; });
  ASSERT_NE(media, ephemeral_volumes.end());
  const nlohmann::json& claim = (*media)["ephemeral"]["volumeClaimTemplate"]["spec"];
  EXPECT_EQ(claim["storageClassName"], "fast");
  EXPECT_EQ(claim["resources"]["requests"]["storage"], "50Gi");
}

TEST_F(DrillJobTest, TheAgentGetsThePolicyTheChecksAndTheSources) {
  drill_.spec.sources = {"database", "uploads"};
  drill_.spec.checks.amcheck = false;
  const std::vector<std::string> args = Args(Build());
  auto has = [&](std::vector<std::string> seq) { return std::search(args.begin(), args.end(), seq.begin(), seq.end()) != args.end(); };
  EXPECT_TRUE(has({"agent", "drill", "--policy", "shop"}));
  EXPECT_TRUE(has({"--source", "database:shop", "--source", "media:uploads"}));
  EXPECT_TRUE(has({"--no-amcheck"}));
  EXPECT_TRUE(has({"--checks-json"}));
  EXPECT_FALSE(has({"--no-file-checksums"}));
  EXPECT_FALSE(has({"--no-row-counts"}));
}

TEST_F(DrillJobTest, TheRunsReportIsChainedUnderTheDrillsNameWithItsObjectives) {
  drill_.spec.objective_rto = "30m";
  drill_.spec.objective_rpo = "26h";
  drill_.spec.checks.table_checksums = false;
  const std::vector<std::string> args = Args(Build());
  auto has = [&](std::vector<std::string> seq) { return std::search(args.begin(), args.end(), seq.begin(), seq.end()) != args.end(); };
  EXPECT_TRUE(has({"--drill", drill_.metadata.namespace_ + "/" + drill_.metadata.name, "--run"}));
  EXPECT_TRUE(has({"--rto-objective", "30m"}));
  EXPECT_TRUE(has({"--rpo-objective", "26h"}));
  EXPECT_TRUE(has({"--no-table-checksums"}));
}

TEST_F(DrillJobTest, RunsAsTheImagesNonRootUserWhichThePostgresServerRequires) {
  const nlohmann::json job = Build();
  const nlohmann::json& context = job["spec"]["template"]["spec"]["securityContext"];
  EXPECT_EQ(context["runAsUser"], kImageUser);
  EXPECT_EQ(context["runAsNonRoot"], true);
}

TEST_F(DrillJobTest, ADrillToLatestAsksTheAgentForARecoveryInTheSameScratchSpace) {
  const nlohmann::json dumps = Build();
  drill_.spec.recovery_target = "latest";
  const nlohmann::json job = Build();
  std::vector<std::string> args = Args(job);
  auto it = std::find(args.begin(), args.end(), "--recovery-target");
  ASSERT_NE(it, args.end());
  EXPECT_EQ(*(it + 1), "latest");
  EXPECT_EQ(job["spec"]["template"]["spec"]["volumes"], dumps["spec"]["template"]["spec"]["volumes"]);
  EXPECT_EQ(Args(dumps).size() + 2, args.size());
}

}  // namespace
}  // namespace lifeboat::controllers::drdrill
