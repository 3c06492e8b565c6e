#include "controllers/backuppolicy/backup_job.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "controllers/common/run_as.h"
#include "tests/controllers/backuppolicy/decide_fixture.h"

namespace lifeboat::controllers::backuppolicy {
namespace {

class BackupJobTest : public DecideFixture {
 protected:
  nlohmann::json Build(std::vector<std::string> sources) {
    api::BackupPolicy policy;
    auto errors = api::CheckBackupPolicy(observed_.policy, &policy);
    EXPECT_TRUE(errors.empty()) << errors.ToString();
    return BuildBackupJob(policy, {"shop-1", kTriggerOnDemand, std::nullopt, "t", std::move(sources)}, "img:1");
  }
  // The container's literal environment (what controllers/common/job_wiring.h passes).
  static std::map<std::string, std::string> Env(const nlohmann::json& job) {
    std::map<std::string, std::string> env;
    for (const auto& e : job["spec"]["template"]["spec"]["containers"][0]["env"]) {
      if (e.contains("value")) env[e["name"]] = e["value"];
    }
    return env;
  }
  static bool HasArgs(const nlohmann::json& job, std::vector<std::string> seq) {
    auto args = job["spec"]["template"]["spec"]["containers"][0]["args"].get<std::vector<std::string>>();
    return std::search(args.begin(), args.end(), seq.begin(), seq.end()) != args.end();
  }
};

TEST_F(BackupJobTest, SecretsArriveAsSecretKeyRefsNeverAsValues) {
  auto job = Build({"database", "uploads"});
  const auto& container = job["spec"]["template"]["spec"]["containers"][0];
  std::map<std::string, nlohmann::json> env;
  for (const auto& e : container["env"]) env[e["name"]] = e;
  EXPECT_EQ(env["RESTIC_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"], "repo");
  EXPECT_EQ(env["RESTIC_PASSWORD"]["valueFrom"]["secretKeyRef"]["key"], "password");
  EXPECT_EQ(env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"], "pg");
  EXPECT_EQ(env["PGUSER"]["valueFrom"]["secretKeyRef"]["key"], "username");
  for (const auto& [name, e] : env) EXPECT_FALSE(e.contains("value") && name.find("PASSWORD") != std::string::npos);
  EXPECT_EQ(container["image"], "img:1");
  EXPECT_EQ(container["name"], "agent");
  EXPECT_EQ(job["spec"]["template"]["spec"]["restartPolicy"], "Never");
  EXPECT_EQ(job["spec"]["backoffLimit"], 0);
}

TEST_F(BackupJobTest, ADatabaseRunRunsAsTheImagesUserWithinTheRestrictedProfile) {
  auto job = Build({"database"});
  const auto& pod = job["spec"]["template"]["spec"];
  EXPECT_EQ(pod["securityContext"]["runAsUser"], kImageUser);
  EXPECT_EQ(pod["securityContext"]["runAsGroup"], kImageUser);
  EXPECT_EQ(pod["securityContext"]["runAsNonRoot"], true);
  EXPECT_EQ(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_EQ(pod["containers"][0]["securityContext"]["allowPrivilegeEscalation"], false);
  EXPECT_EQ(pod["containers"][0]["securityContext"]["capabilities"]["drop"], nlohmann::json({"ALL"}));
  EXPECT_EQ(Env(job)["LIFEBOAT_REPOSITORY_GROUP"], std::to_string(kImageUser));
}

TEST_F(BackupJobTest, AMediaRunReadsTheVolumeAsItsOwnerFromTheWorkload) {
  spec()["media"][0]["workload"] = {{"kind", "Deployment"}, {"name", "web"}};
  api::BackupPolicy policy;
  ASSERT_TRUE(api::CheckBackupPolicy(observed_.policy, &policy).empty());
  api::SecurityContext web;
  web.run_as_user = 33;
  web.run_as_group = 33;
  auto job = BuildBackupJob(policy, {"shop-1", kTriggerOnDemand, std::nullopt, "t", {"database", "uploads"}}, "img:1",
                            {{"Deployment/web", web}});
  const auto& context = job["spec"]["template"]["spec"]["securityContext"];
  EXPECT_EQ(context["runAsUser"], 33);
  EXPECT_EQ(context["runAsGroup"], 33);
  EXPECT_EQ(context["supplementalGroups"], nlohmann::json({kImageUser})) << "and it shares the repository's group";
  const auto& volumes = job["spec"]["template"]["spec"]["volumes"];
  for (const auto& v : volumes) {
    if (v.contains("persistentVolumeClaim") && v["persistentVolumeClaim"]["claimName"] == "media") {
      EXPECT_EQ(v["persistentVolumeClaim"]["readOnly"], true) << "a backup never writes the application's volume";
    }
  }
}

TEST_F(BackupJobTest, ASecondMediaSourceIsReadThroughItsGroup) {
  spec()["media"][0]["securityContext"] = {{"runAsUser", 33}};
  spec()["media"].push_back({{"name", "reports"}, {"claimName", "reports"}, {"securityContext", {{"runAsUser", 1000}, {"runAsGroup", 1001}}}});
  auto job = Build({"uploads", "reports"});
  const auto& context = job["spec"]["template"]["spec"]["securityContext"];
  EXPECT_EQ(context["runAsUser"], 33) << "one Job runs as one user: the first source's";
  EXPECT_EQ(context["supplementalGroups"], nlohmann::json({1001, kImageUser}));
}

TEST_F(BackupJobTest, RepositoryClaimAndMediaAreMountedAndPassed) {
  spec()["media"][0]["subPath"] = "uploads";
  spec()["media"][0]["exclude"] = {"cache"};
  auto job = Build({"database", "uploads"});
  EXPECT_EQ(Env(job)["LIFEBOAT_REPOSITORY_PATH"], "/repository/restic");
  EXPECT_TRUE(HasArgs(job, {"--media", "uploads=/media/uploads/uploads"}));
  EXPECT_TRUE(HasArgs(job, {"--media-exclude", "uploads=cache"}));
  EXPECT_TRUE(HasArgs(job, {"--database", "shop"}));
  EXPECT_EQ(Env(job)["PGHOST"], "127.0.0.1");
  EXPECT_EQ(Env(job)["PGPORT"], "5432");
  EXPECT_EQ(Env(job)["LIFEBOAT_WORK_DIR"], "/scratch");
  EXPECT_TRUE(HasArgs(job, {"--backup-id", "shop-1"}));
  bool claim = false;
  for (const auto& v : job["spec"]["template"]["spec"]["volumes"]) {
    if (v.contains("persistentVolumeClaim") && v["persistentVolumeClaim"]["claimName"] == "backups") claim = true;
  }
  EXPECT_TRUE(claim);
}

TEST_F(BackupJobTest, OnlyTheRunsSourcesAreBackedUp) {
  auto job = Build({"uploads"});
  EXPECT_FALSE(HasArgs(job, {"--database", "shop"}));
  EXPECT_TRUE(HasArgs(job, {"--media", "uploads=/media/uploads"}));
}

TEST_F(BackupJobTest, RetentionAndVerificationRunInTheBackupJob) {
  spec()["retention"] = {{"keepLast", 3}, {"keepWithin", "36h"}};
  spec()["verification"] = {{"enabled", true}, {"readDataSubset", "10%"}};
  auto job = Build({"database"});
  EXPECT_TRUE(HasArgs(job, {"--keep-last", "3"}));
  EXPECT_TRUE(HasArgs(job, {"--keep-within", "1d12h"}));
  EXPECT_TRUE(HasArgs(job, {"--check-read-data-subset", "10%"}));
}

TEST_F(BackupJobTest, KeepWithinIsConvertedToResticUnits) {
  EXPECT_EQ(ResticKeepWithin("30d"), "30d");
  EXPECT_EQ(ResticKeepWithin("90m"), "2h");
  EXPECT_EQ(ResticKeepWithin("25h"), "1d1h");
  EXPECT_EQ(ResticKeepWithin("nonsense"), std::nullopt);
}

TEST_F(BackupJobTest, RequiredSecretKeysNameTheirFields) {
  api::BackupPolicy policy;
  api::CheckBackupPolicy(observed_.policy, &policy);
  auto needs = RequiredSecretKeys(policy.spec);
  ASSERT_EQ(needs.size(), 3u);
  EXPECT_EQ(needs[0].field, "spec.repository.encryption.passwordSecret");
  EXPECT_EQ(ReferencedSecrets(observed_.policy), (std::set<std::string>{"pg", "repo"}));
}

}  // namespace
}  // namespace lifeboat::controllers::backuppolicy
