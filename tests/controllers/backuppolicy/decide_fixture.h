// DecideFixture: a small world for BackupPolicy Decide tests: a policy object, its Secrets and
// Jobs, and helpers that apply a plan the way the reconciler would (create Jobs, delete Jobs, write
// status) and finish Jobs the way the Job controller and the agent would. Not thread-safe.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "controllers/backuppolicy/backup_decide.h"
#include "controllers/common/labels.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers::backuppolicy {

inline WallTime At(const std::string& text) {
  auto t = ParseRfc3339(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : WallTime{};
}

class DecideFixture : public ::testing::Test {
 protected:
  DecideFixture() {
    observed_.policy = {
        {"apiVersion", "lifeboat.dev/v1alpha1"},
        {"kind", "BackupPolicy"},
        {"metadata",
         {{"name", "shop"}, {"namespace", "default"}, {"uid", "uid-shop"}, {"generation", 1},
          {"creationTimestamp", "2026-11-22T00:00:00Z"}}},
        {"spec",
         {{"schedule", "0 */6 * * *"},
          {"database",
           {{"connection", {{"host", "127.0.0.1"}, {"port", 5432}, {"credentialsSecret", {{"name", "pg"}}}}},
            {"databases", {"shop"}}}},
          {"media", {{{"name", "uploads"}, {"claimName", "media"}}}},
          {"repository",
           {{"persistentVolumeClaim", {{"claimName", "backups"}, {"path", "restic"}}},
            {"encryption", {{"passwordSecret", {{"name", "repo"}}}}}}}}},
    };
    observed_.secrets["pg"] = {"username", "password"};
    observed_.secrets["repo"] = {"password"};
    observed_.default_image = "lifeboat:test";
  }

  nlohmann::json& spec() { return observed_.policy["spec"]; }
  void Annotate(const std::string& value) {
    observed_.policy["metadata"]["annotations"][api::kBackupNowAnnotation] = value;
  }

  // Applies a plan as the reconciler does; returns the plan for chaining.
  BackupPolicyPlan Apply(const BackupPolicyPlan& plan, WallTime now) {
    for (const auto& job : plan.create_jobs) {
      nlohmann::json created = job;
      created["metadata"]["uid"] = "uid-" + job["metadata"]["name"].get<std::string>();
      created["metadata"]["creationTimestamp"] = FormatRfc3339(now);
      created["status"] = {{"startTime", FormatRfc3339(now)}};
      observed_.jobs.push_back({ReadJobState(created), std::nullopt, ""});
    }
    for (const auto& name : plan.delete_jobs) {
      std::erase_if(observed_.jobs, [&](const ObservedJob& j) { return j.state.name == name; });
    }
    observed_.policy["status"] = api::BackupPolicyStatusToJson(plan.status);
    return plan;
  }

  BackupPolicyPlan DecideAndApply(WallTime now) { return Apply(Decide(observed_, now), now); }

  ObservedJob* FindJob(const std::string& name) {
    for (auto& j : observed_.jobs)
      if (j.state.name == name) return &j;
    return nullptr;
  }

  // Finishes a Job with an agent result.
  void Finish(const std::string& name, bool succeeded, WallTime end, const std::string& reason = "Completed",
              const std::string& message = "") {
    ObservedJob* job = FindJob(name);
    ASSERT_NE(job, nullptr) << name;
    job->state.phase = succeeded ? JobPhase::kSucceeded : JobPhase::kFailed;
    job->state.completion_time = end;
    nlohmann::json result = {{"schemaVersion", 1},
                             {"command", "backup"},
                             {"result", succeeded ? "Succeeded" : "Failed"},
                             {"reason", reason},
                             {"message", message},
                             {"backupId", name},
                             {"startTime", FormatRfc3339(*job->state.start_time)},
                             {"endTime", FormatRfc3339(end)}};
    if (succeeded) {
      result["databases"] = {{{"source", "shop"}, {"snapshotId", "db-" + name}, {"sizeBytes", 1000}}};
      result["media"] = {{{"source", "uploads"}, {"snapshotId", "media-" + name}, {"bytes", 50}}};
    }
    auto parsed = ParseAgentRunResult(result.dump());
    ASSERT_TRUE(parsed.ok());
    job->result = *parsed;
  }

  api::BackupPolicyStatus Status() {
    api::FieldErrors errors;
    return api::ParseBackupPolicyStatus(observed_.policy["status"], &errors);
  }

  static const Condition* Cond(const api::BackupPolicyStatus& s, const char* type) {
    return FindCondition(s.conditions, type);
  }

  static std::string JobName(const nlohmann::json& job) { return job["metadata"]["name"].get<std::string>(); }

  BackupPolicyObserved observed_;
};

}  // namespace lifeboat::controllers::backuppolicy
