// RestoreWorld: a small simulated cluster for RestoreRequest Decide tests: the request object, its
// BackupPolicy, Secrets, workloads and Jobs, with helpers that apply a plan the way the reconciler
// does (metadata patch, status, scales, Jobs; optionally only the first N actions, to simulate a
// crash between two actions) and that move the world on the way Kubernetes and the agent would
// (workloads follow their spec, Jobs finish with the result a test chose; the catalog Job answers
// from a simulated repository with the agent's own selection). Not thread-safe; not copyable (the
// default outcome refers to the world).
#pragma once

#include <algorithm>

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>

#include "controllers/common/labels.h"
#include "controllers/restorerequest/restore_decide.h"
#include "operator/agent/catalog.h"
#include "operator/agent/maintenance_results.h"
#include "operator/agent/restore_result.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers::restorerequest {

// The agent container's arguments of a Job.
inline std::vector<std::string> Args(const nlohmann::json& job) {
  return job["spec"]["template"]["spec"]["containers"][0]["args"].get<std::vector<std::string>>();
}
inline bool HasArg(const nlohmann::json& job, const std::string& arg) {
  auto args = Args(job);
  return std::find(args.begin(), args.end(), arg) != args.end();
}
// The value following `flag` in the Job's arguments ("" when absent).
inline std::string ArgValue(const nlohmann::json& job, const std::string& flag) {
  auto args = Args(job);
  auto it = std::find(args.begin(), args.end(), flag);
  return it == args.end() || it + 1 == args.end() ? "" : *(it + 1);
}
inline const api::Step* StepNamed(const api::RestoreRequestStatus& s, const std::string& name) {
  for (const auto& step : s.steps) {
    if (step.name == name) return &step;
  }
  return nullptr;
}

inline WallTime At(const std::string& text) {
  auto t = ParseRfc3339(text);
  EXPECT_TRUE(t.ok()) << text;
  return t.ok() ? *t : WallTime{};
}

// What a finished Job reports: its phase and the agent's result JSON (null: no result).
struct JobOutcome {
  bool succeeded = true;
  nlohmann::json result;
};

inline nlohmann::json AgentResult(const std::string& command, bool ok, const std::string& reason = "Completed",
                                  const std::string& message = "") {
  return {{"schemaVersion", 1}, {"command", command}, {"result", ok ? "Succeeded" : "Failed"},
          {"reason", reason},   {"message", message}, {"startTime", "2026-11-22T01:00:00Z"},
          {"endTime", "2026-11-22T01:00:05Z"}, {"durationSeconds", 5.0}};
}

inline nlohmann::json RestoreRequestObject(const std::string& name, nlohmann::json spec) {
  return {{"apiVersion", "lifeboat.dev/v1alpha1"},
          {"kind", "RestoreRequest"},
          {"metadata",
           {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}, {"generation", 1},
            {"resourceVersion", "1"}, {"creationTimestamp", "2026-11-22T02:00:00Z"}}},
          {"spec", std::move(spec)}};
}

// An InPlace Replace restore of database "shop" with the "web" Deployment quiesced, a migration Job
// and a policy source (SwapSpec: the same with the default Swap strategy).
inline nlohmann::json ReplaceSpec() {
  return {{"source", {{"policyRef", {{"name", "shop"}}}}},
          {"database",
           {{"connection", {{"host", "db.example"}, {"port", 5432}, {"credentialsSecret", {{"name", "pg"}}}}},
            {"database", "shop"},
            {"mode", "Replace"},
            {"strategy", "InPlace"},
            {"confirm", "shop"}}},
          {"quiesce", {{"workloads", {{{"kind", "Deployment"}, {"name", "web"}}}}, {"timeoutSeconds", 60}}},
          {"postRestore", {{"jobs", {{{"name", "migrate"}, {"image", "shop:1"}, {"command", {"rails", "db:migrate"}}}}}}}};
}

inline nlohmann::json SwapSpec() {
  nlohmann::json spec = ReplaceSpec();
  spec["database"].erase("strategy");
  return spec;
}

inline nlohmann::json PolicyObject() {
  return {{"apiVersion", "lifeboat.dev/v1alpha1"},
          {"kind", "BackupPolicy"},
          {"metadata", {{"name", "shop"}, {"namespace", "default"}, {"uid", "uid-shop"}, {"generation", 1}}},
          {"spec",
           {{"schedule", "0 */6 * * *"},
            {"database",
             {{"connection", {{"host", "db.example"}, {"port", 5432}, {"credentialsSecret", {{"name", "pg"}}}}},
              {"databases", {"shop"}}}},
            {"repository",
             {{"persistentVolumeClaim", {{"claimName", "backups"}, {"path", "restic"}}},
              {"encryption", {{"passwordSecret", {{"name", "repo"}}}}}}}}}};
}

class RestoreWorld {
 public:
  RestoreWorld(const RestoreWorld&) = delete;
  RestoreWorld& operator=(const RestoreWorld&) = delete;
  RestoreWorld() {
    observed_.request = RestoreRequestObject("fix", ReplaceSpec());
    observed_.policy = PolicyObject();
    observed_.secrets["pg"] = {"username", "password"};
    observed_.secrets["repo"] = {"password"};
    observed_.workloads["Deployment/web"] = {3, 3, 3};
    observed_.default_image = "lifeboat:test";
    // The repository holds two complete backups of database shop and media uploads.
    repository_ = {BackupOf("shop-2", "2026-11-22T01:30:00Z"), BackupOf("shop-1", "2026-11-21T01:30:00Z")};
    outcome_ = [this](const std::string& name) { return DefaultOutcome(name); };
  }

  static agent::CatalogEntry BackupOf(const std::string& id, const std::string& time, const std::string& policy = "shop",
                                      const std::string& run_kind = "scheduled") {
    return {id, policy, run_kind, time, true, "m-" + id, {{"shop", "d-" + id}}, {{"uploads", "x-" + id}}};
  }

  // By default every Job succeeds with a plausible result; the catalog answers from repository().
  JobOutcome DefaultOutcome(const std::string& name) const {
    if (name.ends_with("-catalog")) return CatalogOutcome(name);
    if (name.ends_with("-safety")) {
      nlohmann::json r = AgentResult("backup", true);
      r["backupId"] = name;
      r["sizeBytes"] = 1234;
      return {true, r};
    }
    if (name.ends_with("-restore-db")) {
      agent::RestoreResult fields;
      fields.backup_time = "2026-11-22T01:30:00Z";
      fields.database = agent::DatabaseRestoreReport{};
      fields.database->source = fields.database->target = "shop";
      fields.database->tables_verified = 4;
      fields.database->checksums_verified = true;
      nlohmann::json r = AgentResult("restore", true);
      r.update(agent::RestoreResultToJson(fields));
      r["backupId"] = "shop-2";
      return {true, r};
    }
    if (name.find("-media-") != std::string::npos) {
      agent::RestoreResult fields;
      fields.backup_time = "2026-11-22T01:30:00Z";
      fields.media = agent::MediaRestoreReport{"uploads", "/media/0", "Merge", "x-shop-2", 10, 0, 0, ""};
      nlohmann::json r = AgentResult("restore", true);
      r.update(agent::RestoreResultToJson(fields));
      return {true, r};
    }
    if (name.ends_with("-swap") || name.ends_with("-rollback") || name.ends_with("-drop-previous")) {
      agent::SwapDatabaseResult fields;
      fields.action = name.ends_with("-swap") ? "swap" : (name.ends_with("-rollback") ? "rollback" : "drop-previous");
      fields.swapped = name.ends_with("-swap");
      fields.unavailable_seconds = 0.012;
      fields.live_intact = fields.staging_dropped = fields.dropped = true;
      fields.state = "Database shop is the one from before the restore, untouched and accepting connections";
      nlohmann::json r = AgentResult("swap-database", true);
      r.update(agent::SwapDatabaseResultToJson(fields));
      return {true, r};
    }
    if (name.ends_with("-verify")) {
      nlohmann::json r = AgentResult("verify", true);
      r.update(agent::VerifyResultToJson({"shop", {{"orders", "shop", true, "ok"}}, true}));
      return {true, r};
    }
    return {true, nullptr};  // A user's Job: no agent result.
  }

  // What `lifeboat agent catalog` answers for the catalog Job `name`: agent::SelectBackup over
  // repository() for each --select of the Job, with its --policy and --before.
  JobOutcome CatalogOutcome(const std::string& name) const {
    std::vector<std::string> args = created_.at(name)["spec"]["template"]["spec"]["containers"][0]["args"];
    std::string policy;
    std::optional<WallTime> before;
    std::vector<agent::BackupSelection> selections;
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == "--policy") policy = args[i + 1];
      if (args[i] == "--before") before = At(args[i + 1]);
      if (args[i] == "--select") selections.push_back(*agent::ParseBackupSelection(args[i + 1]));
    }
    agent::CatalogResult fields;
    for (const agent::CatalogEntry& entry : repository_) fields.backup_ids.push_back(entry.backup_id);
    std::string errors;
    for (const agent::BackupSelection& selection : selections) {
      agent::SelectedBackup chosen = agent::SelectBackup(repository_, selection, policy, before);
      fields.selected[selection.Key()] = chosen;
      if (!chosen.error.empty()) errors += (errors.empty() ? "" : "; ") + chosen.error;
    }
    nlohmann::json r = errors.empty() ? AgentResult("catalog", true) : AgentResult("catalog", false, "BackupNotFound", errors);
    r.update(agent::CatalogResultToJson(fields));
    return {errors.empty(), r};
  }

  RestoreObserved& observed() { return observed_; }
  nlohmann::json& request() { return observed_.request; }
  void SetOutcome(std::function<JobOutcome(const std::string&)> outcome) { outcome_ = std::move(outcome); }
  bool gone() const { return gone_; }
  const std::map<std::string, int>& creations() const { return creations_; }
  const std::vector<ScaleAction>& scale_history() const { return scale_history_; }
  std::vector<agent::CatalogEntry>& repository() { return repository_; }
  api::RestoreRequestStatus Status() const {
    api::FieldErrors errors;
    if (!observed_.request.contains("status")) return {};
    return api::ParseRestoreRequestStatus(observed_.request["status"], &errors);
  }

  // Applies a plan as the reconciler does, in its order: metadata patch, status, scales, Job
  // creations, Job deletions. With `max_actions`, stops after that many (a crash).
  void Apply(const RestorePlan& plan, WallTime now, int max_actions = 1 << 30) {
    int done = 0;
    auto budget = [&] { return done++ < max_actions; };
    if (!plan.metadata_patch.is_null()) {
      if (!budget()) return;
      const nlohmann::json& m = plan.metadata_patch["metadata"];
      if (m.contains("finalizers")) observed_.request["metadata"]["finalizers"] = m["finalizers"];
      if (m.contains("annotations")) {
        for (const auto& [k, v] : m["annotations"].items()) observed_.request["metadata"]["annotations"][k] = v;
      }
      Touch();
    }
    events_.insert(events_.end(), plan.events.begin(), plan.events.end());
    if (plan.status_changed) {
      if (!budget()) return;
      observed_.request["status"] = api::RestoreRequestStatusToJson(plan.status);
      Touch();
    }
    for (const ScaleAction& s : plan.scales) {
      if (!budget()) return;
      observed_.workloads[s.kind + "/" + s.name].spec_replicas = s.replicas;
      scale_history_.push_back(s);
    }
    for (const nlohmann::json& job : plan.create_jobs) {
      if (!budget()) return;
      std::string name = job["metadata"]["name"];
      if (observed_.jobs.count(name) != 0) continue;  // AlreadyExists: adopted.
      ++creations_[name];
      created_[name] = job;
      nlohmann::json created = job;
      created["metadata"]["uid"] = "uid-" + name;
      created["metadata"]["creationTimestamp"] = FormatRfc3339(now);
      observed_.jobs[name] = {ReadJobState(created), std::nullopt, ""};
    }
    for (const std::string& name : plan.delete_jobs) {
      if (!budget()) return;
      observed_.jobs.erase(name);
    }
    MaybeRemove();
  }

  // Kubernetes and the agent move on: workloads follow their spec, running Jobs finish.
  void Progress(WallTime now) {
    for (auto& [key, w] : observed_.workloads) {
      w.replicas = w.spec_replicas;
      w.ready_replicas = w.spec_replicas;
    }
    for (auto& [name, job] : observed_.jobs) {
      if (job.state.finished()) continue;
      JobOutcome outcome = outcome_(name);
      job.state.phase = outcome.succeeded ? JobPhase::kSucceeded : JobPhase::kFailed;
      job.state.completion_time = now;
      if (!outcome.succeeded) job.state.failure_reason = "BackoffLimitExceeded";
      if (!outcome.result.is_null()) {
        auto parsed = ParseAgentRunResult(outcome.result.dump());
        EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
        if (parsed.ok()) job.result = *parsed;
      }
    }
  }

  const nlohmann::json& CreatedJob(const std::string& name) { return created_.at(name); }
  // Every Event the plans asked for, in order.
  const std::vector<PlannedEvent>& Events() const { return events_; }

  void MarkDeleted(WallTime now) {
    observed_.request["metadata"]["deletionTimestamp"] = FormatRfc3339(now);
    MaybeRemove();
  }

  // Decides, applies (all actions), progresses; until the request is final or `rounds` ran out.
  // Returns the number of rounds.
  int RunToEnd(WallTime& now, int rounds = 50) {
    for (int i = 0; i < rounds; ++i) {
      RestorePlan plan = Decide(observed_, now);
      Apply(plan, now);
      if (gone_ || Final()) return i + 1;
      Progress(now);
      now += std::chrono::seconds(1);
    }
    return rounds;
  }

  // Like RunToEnd, but in round `crash_round` applies only the first `kept` actions of the plan and
  // lets nothing move on (the operator died there); the next round is a new operator.
  void RunWithCrash(WallTime& now, int crash_round, int kept, int rounds = 80) {
    for (int i = 0; i < rounds && !Final(); ++i) {
      RestorePlan plan = Decide(observed_, now);
      Apply(plan, now, i == crash_round ? kept : 1 << 30);
      if (i != crash_round) Progress(now);
      now += std::chrono::seconds(1);
    }
  }

  bool Final() const {
    std::string phase = observed_.request.contains("status") ? observed_.request["status"].value("phase", "") : "";
    return phase == "Succeeded" || phase == "Failed";
  }

 private:
  void Touch() {
    int rv = std::stoi(observed_.request["metadata"].value("resourceVersion", std::string("1")));
    observed_.request["metadata"]["resourceVersion"] = std::to_string(rv + 1);
  }
  void MaybeRemove() {
    const nlohmann::json& m = observed_.request["metadata"];
    if (m.contains("deletionTimestamp") && (!m.contains("finalizers") || m["finalizers"].empty())) gone_ = true;
  }

  RestoreObserved observed_;
  std::function<JobOutcome(const std::string&)> outcome_;
  std::map<std::string, int> creations_;
  std::map<std::string, nlohmann::json> created_;
  std::vector<PlannedEvent> events_;
  std::vector<ScaleAction> scale_history_;
  std::vector<agent::CatalogEntry> repository_;
  bool gone_ = false;
};

}  // namespace lifeboat::controllers::restorerequest
