#include "controllers/backuppolicy/backup_policy_controller.h"

#include "controllers/backuppolicy/slot_dropper.h"
#include "controllers/common/pg_endpoint.h"

#include <algorithm>

#include "controllers/backuppolicy/wal_streamer.h"
#include "controllers/common/agent_job_reader.h"
#include "controllers/common/controller_shell.h"
#include "controllers/common/agent_run_result.h"
#include "controllers/common/labels.h"
#include "operator/api/backup_policy.h"

namespace lifeboat::controllers::backuppolicy {

BackupPolicyController::BackupPolicyController(std::string default_image) : default_image_(std::move(default_image)) {}

kube::Projection BackupPolicyController::CacheProjection(const kube::ResourceRef& resource) const {
  if (resource != JobResource()) return nullptr;
  // The controller reads Jobs' metadata and status only; the Pod template is the bulk of a Job.
  return [](nlohmann::json& job) {
    if (job.is_object()) job.erase("spec");
  };
}

BackupMetrics& BackupPolicyController::Metrics(runtime::ControllerContext& context) {
  std::call_once(metrics_once_, [&] { metrics_ = std::make_unique<BackupMetrics>(context.metrics_registry()); });
  return *metrics_;
}

namespace {

bool HistoryFinal(const api::BackupPolicyStatus& status, const std::string& job) {
  bool any = false;
  for (const auto& run : status.history) {
    if (run.job_name != job) continue;
    any = true;
    if (run.result == "Running") return false;
  }
  return any;
}

// One of the streamer's access objects (wal_streamer.h BuildWalStreamerAccess): created when
// missing, brought back to what the policy wants when ours drifted (a ConfigMap's data is the
// streamer's and stays). One of that name we do not own is left alone: the streamer then cannot
// report, and the policy's status says its report is missing.
Status ApplyStreamerAccess(kube::ApiClient& client, const std::string& ns, const WalStreamerAccessObject& access,
                           runtime::ReconcileLog& log) {
  const kube::ResourceRef resource = StreamerAccessResource(access.kind);
  const std::string name = access.object["metadata"]["name"];
  auto existing = client.Get(resource, ns, name);
  if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) {
    return existing.status().WithContext("reading the WAL streamer's " + access.kind);
  }
  if (!existing.ok()) {
    auto created = client.Create(resource, ns, access.object);
    if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
      return created.status().WithContext("creating the WAL streamer's " + access.kind);
    }
    if (created.ok()) log.Info("Created the WAL streamer's " + access.kind, {{"name", name}});
    return Status::Ok();
  }
  const std::string owner = access.object["metadata"]["ownerReferences"][0]["uid"];
  bool ours = false;
  for (const auto& ref : existing->value("metadata", nlohmann::json::object()).value("ownerReferences", nlohmann::json::array())) {
    if (ref.is_object() && ref.value("uid", "") == owner && ref.value("controller", false)) ours = true;
  }
  if (!ours) {
    log.Warn("A " + access.kind + " of the WAL streamer's name exists that the policy does not own; left alone",
             {{"name", name}});
    return Status::Ok();
  }
  bool same = true;
  for (const char* field : {"rules", "roleRef", "subjects"}) {
    if (access.object.contains(field) && (!existing->contains(field) || (*existing)[field] != access.object[field])) same = false;
  }
  if (same) return Status::Ok();
  nlohmann::json desired = access.object;
  desired["metadata"]["resourceVersion"] = (*existing)["metadata"].value("resourceVersion", "");
  if (access.kind == "RoleBinding" && existing->value("roleRef", nlohmann::json()) != access.object["roleRef"]) {
    // roleRef cannot change: a new binding replaces the old one.
    Status deleted = client.Delete(resource, ns, name, {});
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) return deleted.WithContext("replacing the WAL streamer's RoleBinding");
    desired["metadata"].erase("resourceVersion");
    auto created = client.Create(resource, ns, desired);
    return created.ok() ? Status::Ok() : created.status().WithContext("replacing the WAL streamer's RoleBinding");
  }
  auto updated = client.Update(resource, ns, desired);
  if (!updated.ok() && updated.status().code() != StatusCode::kAborted) {
    return updated.status().WithContext("updating the WAL streamer's " + access.kind);
  }
  return Status::Ok();
}

// Drops `slot` on the policy's database server (slot_dropper.h), with the credentials from its Secret.
Status DropSlotOfPolicy(kube::ApiClient& client, const std::string& ns, const nlohmann::json& cached, const std::string& slot) {
  api::FieldErrors errors;
  const api::BackupPolicy policy = api::ParseBackupPolicy(cached, &errors);
  if (!policy.spec.database) return FailedPreconditionError("the policy names no database server");
  auto endpoint = ReadPgEndpoint(client, ns, policy.spec.database->connection);
  if (!endpoint.ok()) return endpoint.status();
  if (!endpoint->credentials_found) {
    return FailedPreconditionError("Secret " + policy.spec.database->connection.credentials_secret + " is gone");
  }
  return DropReplicationSlot(*endpoint, slot);
}

// Observe: the policy, the key names of its Secrets, its Jobs (with the agents' results not yet in
// status.history) and the Jobs status.history shows Running that are gone.
StatusOr<BackupPolicyObserved> Observe(kube::ApiClient& client, const kube::ObjectCache& jobs, const nlohmann::json& cached,
                                       const std::string& default_image) {
  const std::string ns = kube::ObjectNamespace(cached);
  BackupPolicyObserved observed;
  observed.policy = cached;
  observed.default_image = default_image;
  auto secrets = ReadSecretKeys(client, ns, ReferencedSecrets(cached));
  if (!secrets.ok()) return secrets.status();
  observed.secrets = std::move(*secrets);
  auto workloads = ReadWorkloadContexts(client, ns, ReferencedWorkloads(cached));
  if (!workloads.ok()) return workloads.status();
  observed.workloads = std::move(*workloads);
  api::FieldErrors ignored;
  const api::BackupPolicyStatus previous =
      api::ParseBackupPolicyStatus(cached.value("status", nlohmann::json::object()), &ignored);
  const std::string uid = kube::ObjectUid(cached);
  std::set<std::string> seen;
  for (const auto& job : jobs.ListByOwner(uid)) {
    ObservedJob o = ObserveJob(client, ns, job, !HistoryFinal(previous, ReadJobState(job).name));
    seen.insert(o.state.name);
    observed.jobs.push_back(std::move(o));
  }
  for (const auto& run : previous.history) {
    if (run.result != "Running" || run.job_name.empty() || seen.count(run.job_name)) continue;
    auto job = client.Get(JobResource(), ns, run.job_name);
    if (job.ok()) {
      // The cache lags: use what the API server says.
      ObservedJob o = ObserveJob(client, ns, *job);
      seen.insert(o.state.name);
      observed.jobs.push_back(std::move(o));
    } else if (job.status().code() == StatusCode::kNotFound) {
      observed.lost_jobs.insert(run.job_name);
    } else {
      return job.status().WithContext("reading Job " + ns + "/" + run.job_name);
    }
  }

  // The WAL streamer's Deployment, read by name (not cached: kWalStreamerLook) while the policy
  // streams WAL, or streamed until now (status says so: ours is then deleted).
  const nlohmann::json spec = cached.value("spec", nlohmann::json::object());
  const bool streams = spec.is_object() && spec.contains("database") && spec["database"].is_object() &&
                       spec["database"].value("method", "") == "BaseBackup";
  if (streams || previous.wal_archive) {
    auto deployment = client.Get(WorkloadResource("Deployment"), ns, WalStreamerName(kube::ObjectName(cached)));
    if (deployment.ok()) {
      observed.wal_streamer = std::move(*deployment);
    } else if (deployment.status().code() != StatusCode::kNotFound) {
      return deployment.status().WithContext("reading the WAL streamer Deployment");
    }
    auto report = client.Get(StreamerAccessResource("ConfigMap"), ns, WalStreamerName(kube::ObjectName(cached)));
    if (report.ok()) {
      observed.wal_status = std::move(*report);
    } else if (report.status().code() != StatusCode::kNotFound) {
      return report.status().WithContext("reading the WAL streamer's status ConfigMap");
    }
  }
  return observed;
}

// The BackupPolicy a DRDrill names ("" when none).
std::string PolicyOfDrill(const nlohmann::json& drill) {
  const nlohmann::json spec = drill.value("spec", nlohmann::json::object());
  const nlohmann::json ref = spec.is_object() ? spec.value("policyRef", nlohmann::json::object()) : nlohmann::json();
  return ref.is_object() && ref.contains("name") && ref["name"].is_string() ? ref["name"].get<std::string>() : "";
}

}  // namespace

std::vector<runtime::Watch> BackupPolicyController::Watches() const {
  // A drill's runs prove the policy's backups (status.lastVerified).
  return {{DRDrillResource(), [](const nlohmann::json& drill) {
             const std::string policy = PolicyOfDrill(drill);
             return policy.empty() ? std::vector<kube::ObjectKey>{}
                                   : std::vector<kube::ObjectKey>{{kube::ObjectNamespace(drill), policy}};
           }}};
}

StatusOr<runtime::ReconcileResult> BackupPolicyController::Reconcile(const runtime::ReconcileRequest& request,
                                                                      runtime::ControllerContext& context) {
  runtime::ReconcileLog log(request);
  BackupMetrics& metrics = Metrics(context);
  const kube::ObjectCache* policies = context.Cache(BackupPolicyResource());
  const kube::ObjectCache* jobs_cache = context.Cache(JobResource());
  if (policies == nullptr || jobs_cache == nullptr) return InternalError("caches for backuppolicies and jobs are missing");
  auto cached = policies->Get(request.key);
  if (!cached) {
    metrics.Forget(request.key.ns, request.key.name);
    return runtime::ReconcileResult::Done();
  }
  const nlohmann::json metadata = cached->value("metadata", nlohmann::json::object());
  if (metadata.contains("deletionTimestamp")) {
    // Garbage collection removes the Jobs; only a replication slot needs us (kWalSlotFinalizer).
    const nlohmann::json finalizers = metadata.value("finalizers", nlohmann::json::array());
    if (std::find(finalizers.begin(), finalizers.end(), kWalSlotFinalizer) == finalizers.end()) {
      return runtime::ReconcileResult::Done();
    }
  }
  kube::ApiClient& client = context.client();
  const std::string& ns = request.key.ns;

  // --- Observe.
  StatusOr<BackupPolicyObserved> observed_or = Observe(client, *jobs_cache, *cached, default_image_);
  if (!observed_or.ok()) return observed_or.status();
  if (const kube::ObjectCache* drills = context.Cache(DRDrillResource())) {
    for (auto& drill : drills->List(ns)) {
      if (PolicyOfDrill(drill) == request.key.name) observed_or->drills.push_back(std::move(drill));
    }
  }
  const BackupPolicyObserved& observed = *observed_or;

  // --- Decide.
  const WallTime now = context.clock().Now();
  BackupPolicyPlan plan = Decide(observed, now);

  // --- Act.
  for (const auto& name : plan.delete_jobs) {
    // Replaced running Jobs go first; finished ones are deleted after status below.
    bool running = std::any_of(observed.jobs.begin(), observed.jobs.end(),
                               [&](const ObservedJob& j) { return j.state.name == name && !j.state.finished(); });
    if (!running) continue;
    if (Status s = DeleteJob(client, ns, name, "Background"); !s.ok()) return s;
    log.Info("Deleted replaced backup Job", {{"job", name}});
  }
  // The streamer's access first: its Pod needs the service account to start.
  for (const auto& access : plan.apply_wal_access) {
    if (Status s = ApplyStreamerAccess(client, ns, access, log); !s.ok()) return s;
  }
  if (plan.apply_wal_streamer) {
    const bool exists = plan.apply_wal_streamer->at("metadata").contains("resourceVersion");
    auto applied = exists ? client.Update(WorkloadResource("Deployment"), ns, *plan.apply_wal_streamer)
                          : client.Create(WorkloadResource("Deployment"), ns, *plan.apply_wal_streamer);
    if (!applied.ok() && applied.status().code() != StatusCode::kAlreadyExists && applied.status().code() != StatusCode::kAborted) {
      return applied.status().WithContext("applying the WAL streamer Deployment");
    }
    if (applied.ok()) log.Info(exists ? "Updated the WAL streamer" : "Created the WAL streamer", {{"deployment", WalStreamerName(request.key.name)}});
  }
  if (!plan.delete_wal_streamer.empty()) {
    kube::DeleteOptions options;
    // It is gone only once its Pod is: the slot it holds can be dropped after that.
    options.propagation_policy = "Foreground";
    options.precondition_uid = kube::ObjectUid(*observed.wal_streamer);
    Status deleted = client.Delete(WorkloadResource("Deployment"), ns, plan.delete_wal_streamer, options);
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) return deleted.WithContext("deleting the WAL streamer Deployment");
    log.Info("Deleted the WAL streamer: the policy no longer archives WAL", {{"deployment", plan.delete_wal_streamer}});
    for (const auto& kind : plan.delete_wal_access) {
      Status gone = client.Delete(StreamerAccessResource(kind), ns, plan.delete_wal_streamer, {});
      if (!gone.ok() && gone.code() != StatusCode::kNotFound) return gone.WithContext("deleting the WAL streamer's " + kind);
    }
  }
  if (!plan.drop_slot.empty()) {
    Status dropped = DropSlotOfPolicy(client, ns, *cached, plan.drop_slot);
    if (dropped.ok()) {
      log.Info("Dropped the replication slot: the policy no longer archives WAL", {{"slot", plan.drop_slot}});
      plan.events.push_back({"Normal", "SlotDropped",
                             "Dropped replication slot " + plan.drop_slot + ": the policy no longer archives WAL"});
      plan.metadata_patch = plan.after_drop_patch;
    } else {
      plan.events.push_back({"Warning", "SlotDropFailed", dropped.message() + "; trying again"});
    }
  }
  if (plan.metadata_patch) {
    nlohmann::json patch = *plan.metadata_patch;
    patch["metadata"]["resourceVersion"] = metadata.value("resourceVersion", "");  // Someone else's finalizer is never lost.
    auto patched = client.Patch(BackupPolicyResource(), ns, request.key.name, kube::PatchType::kMerge, patch);
    if (!patched.ok() && patched.status().code() != StatusCode::kNotFound) {
      return patched.status().WithContext("updating the policy's finalizers");
    }
  }
  if (Status s = CreateJobsAnnouncingThem(context, ns, *cached, plan.create_jobs, plan.events, log); !s.ok()) return s;
  if (plan.status_changed) {
    nlohmann::json object = *cached;
    object["status"] = api::BackupPolicyStatusToJson(plan.status);
    auto written = WriteStatus(client, BackupPolicyResource(), ns, object);
    if (!written.ok()) return written.status();
    if (*written != WriteOutcome::kWritten) return AfterUnwrittenChange(*written);
  }
  for (const auto& name : plan.delete_jobs) {
    bool finished = std::any_of(observed.jobs.begin(), observed.jobs.end(),
                                [&](const ObservedJob& j) { return j.state.name == name && j.state.finished(); });
    if (!finished) continue;
    if (Status s = DeleteJob(client, ns, name, "Background"); !s.ok()) return s;
  }
  RecordEvents(context, *cached, plan.events, log);  // Those announcing a Job were recorded at its creation.
  metrics.Observe(ns, request.key.name, plan.status, plan.finished_runs, now);
  return ResultFor(plan.requeue_after);
}

}  // namespace lifeboat::controllers::backuppolicy
