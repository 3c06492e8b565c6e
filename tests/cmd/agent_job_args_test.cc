// Every argument list a Job builder puts into a Job parses with the agent's own command line
// (`lifeboat agent ...`, the parser the Job's container runs), in-process: a flag renamed or removed
// on one side fails here, not only in an end-to-end run.
#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>

#include "controllers/backuppolicy/backup_job.h"
#include "controllers/drdrill/drill_job.h"
#include "controllers/restorerequest/restore_jobs.h"
#include "operator/api/backup_policy.h"
#include "operator/api/restore_request.h"
#include "operator/cmd/commands.h"
#include "tests/api/test_files.h"

namespace lifeboat::cmd {
namespace {

// Sets the Job container's literal environment values (LIFEBOAT_*, PGHOST, ...) for one parse, as
// the Pod would; restores what was there before.
class ScopedJobEnvironment {
 public:
  explicit ScopedJobEnvironment(const nlohmann::json& container) {
    for (const nlohmann::json& e : container.value("env", nlohmann::json::array())) {
      if (!e.contains("value")) continue;  // secretKeyRef: not needed to parse.
      std::string name = e["name"];
      const char* before = std::getenv(name.c_str());
      saved_[name] = before != nullptr ? std::optional<std::string>(before) : std::nullopt;
      setenv(name.c_str(), e["value"].get<std::string>().c_str(), 1);
    }
  }
  ~ScopedJobEnvironment() {
    for (const auto& [name, value] : saved_) {
      if (value) setenv(name.c_str(), value->c_str(), 1); else unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// "" when the Job's `lifeboat` arguments parse, else the parser's error and the arguments.
std::string ParseErrorOf(const nlohmann::json& job) {
  const nlohmann::json& container = job["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["command"], nlohmann::json({"lifeboat"}));
  std::vector<std::string> args = container["args"];
  ScopedJobEnvironment environment(container);
  CLI::App app{"lifeboat"};
  CommandRegistry registry;
  AddAgentCommand(app, registry);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first.
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::string line;
    for (const auto& a : args) line += " " + a;
    return std::string(e.what()) + " in: lifeboat" + line;
  }
  return "";
}

api::BackupPolicy SamplePolicy() {
  api::FieldErrors errors;
  api::BackupPolicy policy =
      api::ParseBackupPolicy(api::testing::LoadManifest("config/samples/lifeboat_v1alpha1_backuppolicy.yaml"), &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  policy.metadata.namespace_ = "shop";
  return policy;
}

api::RestoreRequest SampleRestore(const std::string& strategy, bool owner) {
  nlohmann::json object = api::testing::LoadManifest("config/samples/lifeboat_v1alpha1_restorerequest.yaml");
  object["metadata"]["namespace"] = "shop";
  object["spec"]["database"]["strategy"] = strategy;
  object["spec"]["database"]["keepFailed"] = true;
  if (owner) object["spec"]["database"]["owner"] = "shop_app";
  object["spec"]["source"]["before"] = "2026-11-22T06:00:00Z";
  object["spec"]["verify"]["sql"] = {{{"name", "one"}, {"query", "SELECT 1"}, {"expected", "1"}}};
  api::FieldErrors errors;
  api::RestoreRequest request = api::ParseRestoreRequest(object, &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  return request;
}

TEST(AgentJobArgsTest, EveryBackupJobParses) {
  api::BackupPolicy policy = SamplePolicy();
  std::vector<std::string> sources = {api::kDatabaseSourceName};
  for (const auto& m : policy.spec.media) sources.push_back(m.name);
  for (const std::string& trigger : {std::string(controllers::backuppolicy::kTriggerScheduled),
                                     std::string(controllers::backuppolicy::kTriggerOnDemand)}) {
    controllers::backuppolicy::BackupRunRequest run{"shop-202611220600", trigger, std::nullopt, "token", sources};
    EXPECT_EQ(ParseErrorOf(controllers::backuppolicy::BuildBackupJob(policy, run, "lifeboat:test")), "");
  }
}

TEST(AgentJobArgsTest, EveryRestoreRequestJobParses) {
  using namespace controllers::restorerequest;
  for (const std::string strategy : {"Swap", "InPlace"}) {
    for (bool owner : {false, true}) {
      SCOPED_TRACE(strategy + (owner ? " with an owner" : ""));
      api::RestoreRequest r = SampleRestore(strategy, owner);
      JobContext c;
      c.policy_name = "shop";
      c.default_image = "lifeboat:test";
      c.repository = SamplePolicy().spec.repository;
      EXPECT_EQ(ParseErrorOf(BuildCatalogJob(r, c)), "");
      EXPECT_EQ(ParseErrorOf(BuildSafetyBackupJob(r, c)), "");
      EXPECT_EQ(ParseErrorOf(BuildDatabaseRestoreJob(r, c, "shop-1", true)), "");
      EXPECT_EQ(ParseErrorOf(BuildMediaRestoreJob(r, c, 0, "shop-1", true)), "");
      EXPECT_EQ(ParseErrorOf(BuildVerifyJob(r, c)), "");
      EXPECT_EQ(ParseErrorOf(BuildSwapJob(r, c)), "");
      EXPECT_EQ(ParseErrorOf(BuildRollbackJob(r, c, "fix-safety")), "");
      EXPECT_EQ(ParseErrorOf(BuildDropPreviousJob(r, c)), "");
    }
  }
}

TEST(AgentJobArgsTest, PointInTimeRestoreJobsParse) {
  using namespace controllers::restorerequest;
  nlohmann::json object = api::testing::LoadManifest("config/samples/lifeboat_v1alpha1_restorerequest_pitr.yaml");
  object["metadata"]["namespace"] = "provote";
  for (bool tables : {true, false}) {
    SCOPED_TRACE(tables ? "single tables" : "the whole database");
    if (!tables) object["spec"]["database"].erase("tables");
    api::FieldErrors errors;
    api::RestoreRequest r = api::ParseRestoreRequest(object, &errors);
    ASSERT_TRUE(errors.empty()) << errors.ToString();
    JobContext c;
    c.policy_name = "provote";
    c.default_image = "lifeboat:test";
    c.repository = SamplePolicy().spec.repository;
    EXPECT_EQ(ParseErrorOf(BuildCatalogJob(r, c)), "");
    EXPECT_EQ(ParseErrorOf(BuildDatabaseRestoreJob(r, c, "", true)), "");
  }
}

TEST(AgentJobArgsTest, EveryDrillJobParses) {
  api::FieldErrors errors;
  api::DRDrill drill = api::ParseDRDrill(api::testing::LoadManifest("config/samples/lifeboat_v1alpha1_drdrill.yaml"), &errors);
  ASSERT_TRUE(errors.empty()) << errors.ToString();
  drill.metadata.namespace_ = "shop";
  EXPECT_EQ(ParseErrorOf(controllers::drdrill::BuildDrillJob(drill, SamplePolicy().spec, {"shop-weekly-1", "OnDemand"}, "l:t")), "");
  drill.spec.sources = {"database", "uploads"};
  drill.spec.checks.amcheck = drill.spec.checks.file_checksums = false;
  drill.spec.checks.row_counts = drill.spec.checks.table_checksums = false;
  drill.spec.checks.heap = true;
  drill.spec.objective_rto = "30m";
  drill.spec.objective_rpo = "26h";
  EXPECT_EQ(ParseErrorOf(controllers::drdrill::BuildDrillJob(drill, SamplePolicy().spec, {"shop-weekly-1", "OnDemand"}, "l:t")), "");
  drill.spec.recovery_target = "latest";
  EXPECT_EQ(ParseErrorOf(controllers::drdrill::BuildDrillJob(drill, SamplePolicy().spec, {"shop-weekly-1", "OnDemand"}, "l:t")), "");
}

TEST(AgentJobArgsTest, AFlagTheAgentDoesNotKnowIsCaught) {
  using namespace controllers::restorerequest;
  api::RestoreRequest r = SampleRestore("Swap", false);
  JobContext c;
  c.repository = SamplePolicy().spec.repository;
  nlohmann::json job = BuildSwapJob(r, c);
  job["spec"]["template"]["spec"]["containers"][0]["args"].push_back("--staging-db");
  EXPECT_NE(ParseErrorOf(job).find("--staging-db"), std::string::npos);
}

}  // namespace
}  // namespace lifeboat::cmd
