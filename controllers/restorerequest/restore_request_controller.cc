#include "controllers/restorerequest/restore_request_controller.h"

#include <algorithm>

#include "controllers/common/agent_job_reader.h"
#include "controllers/common/agent_run_result.h"
#include "controllers/common/controller_shell.h"
#include "controllers/common/resources.h"
#include "controllers/common/labels.h"
#include "operator/api/restore_request.h"

namespace lifeboat::controllers::restorerequest {
namespace {

std::int64_t IntAt(const nlohmann::json& object, const char* section, const char* field, std::int64_t fallback) {
  auto s = object.find(section);
  if (s == object.end() || !s->is_object()) return fallback;
  auto f = s->find(field);
  return f != s->end() && f->is_number_integer() ? f->get<std::int64_t>() : fallback;
}

// Observe: the request and, unless it is over, the other requests of the namespace, its policy,
// the key names of its Secrets, its workloads and its Jobs with their agents' results.
StatusOr<RestoreObserved> Observe(kube::ApiClient& client, const kube::ObjectCache& requests, const kube::ObjectCache& jobs,
                                  const nlohmann::json& cached, const std::string& default_image) {
  const std::string ns = kube::ObjectNamespace(cached);
  const std::string name = cached["metadata"].value("name", "");
  RestoreObserved observed;
  observed.request = cached;
  observed.default_image = default_image;
  api::FieldErrors ignored;
  api::RestoreRequest effective = EffectiveRequest(cached, &ignored);
  const bool final = effective.status.Final();
  const bool deleting = effective.metadata.deletion_timestamp.has_value();
  if (!final && !deleting) {
    for (const auto& other : requests.List(ns)) {
      if (other.contains("metadata") && other["metadata"].value("name", "") != name) {
        observed.other_requests.push_back(other);
      }
    }
    if (!effective.spec.source.policy_name.empty()) {
      auto policy = client.Get(BackupPolicyResource(), ns, effective.spec.source.policy_name);
      if (policy.ok()) {
        observed.policy = *policy;
      } else if (policy.status().code() != StatusCode::kNotFound) {
        return policy.status().WithContext("reading BackupPolicy " + ns + "/" + effective.spec.source.policy_name);
      }
    }
    auto secrets = ReadSecretKeys(client, ns, ReferencedSecrets(cached, observed.policy));
    if (!secrets.ok()) return secrets.status();
    observed.secrets = std::move(*secrets);
  }
  if (!final) {
    std::vector<api::WorkloadRef> media_workloads;
    for (const auto& m : effective.spec.media) {
      if (m.workload && !m.workload->name.empty()) media_workloads.push_back(*m.workload);
    }
    auto contexts = ReadWorkloadContexts(client, ns, media_workloads);
    if (!contexts.ok()) return contexts.status();
    observed.media_workloads = std::move(*contexts);
    std::vector<api::WorkloadRef> workloads;
    if (effective.spec.quiesce) workloads = effective.spec.quiesce->workloads;
    for (const auto& w : effective.status.quiesced_workloads) workloads.push_back({w.kind, w.name});
    for (const auto& w : workloads) {
      const std::string key = WorkloadKey(w.kind, w.name);
      if (observed.workloads.count(key) != 0) continue;
      auto object = client.Get(WorkloadResource(w.kind), ns, w.name);
      if (object.ok()) {
        observed.workloads[key] = {IntAt(*object, "spec", "replicas", 1), IntAt(*object, "status", "replicas", 0),
                                   IntAt(*object, "status", "readyReplicas", 0)};
      } else if (object.status().code() != StatusCode::kNotFound) {
        return object.status().WithContext("reading " + key);
      }
    }
  }
  // A finished Swap still drops its previous database when keepPreviousFor is over (its Job).
  const bool cleanup_pending = effective.status.previous_database && !effective.status.previous_database->dropped_time &&
                               effective.status.previous_database->message.empty();
  if (!final || cleanup_pending) {
    for (const auto& job : jobs.ListByOwner(kube::ObjectUid(cached))) {
      ObservedJob o = ObserveJob(client, ns, job);
      observed.jobs[o.state.name] = std::move(o);
    }
  }

  return observed;
}

}  // namespace

kube::ResourceRef RestoreRequestResource() {
  return {"lifeboat.dev", "v1alpha1", "restorerequests", "RestoreRequest", true};
}

RestoreRequestController::RestoreRequestController(std::string default_image) : default_image_(std::move(default_image)) {}

std::vector<kube::ResourceRef> RestoreRequestController::Owns() const { return {JobResource()}; }

RestoreMetrics& RestoreRequestController::Metrics(runtime::ControllerContext& context) {
  std::call_once(metrics_once_, [&] { metrics_ = std::make_unique<RestoreMetrics>(context.metrics_registry()); });
  return *metrics_;
}

StatusOr<runtime::ReconcileResult> RestoreRequestController::Reconcile(const runtime::ReconcileRequest& request,
                                                                        runtime::ControllerContext& context) {
  runtime::ReconcileLog log(request);
  RestoreMetrics& metrics = Metrics(context);
  const kube::ObjectCache* requests = context.Cache(RestoreRequestResource());
  const kube::ObjectCache* jobs_cache = context.Cache(JobResource());
  if (requests == nullptr || jobs_cache == nullptr) return InternalError("caches for restorerequests and jobs are missing");
  auto cached = requests->Get(request.key);
  if (!cached) {
    metrics.Forget(request.key.ns, request.key.name);
    return runtime::ReconcileResult::Done();
  }
  kube::ApiClient& client = context.client();
  const std::string& ns = request.key.ns;

  // --- Observe.
  StatusOr<RestoreObserved> observed_or = Observe(client, *requests, *jobs_cache, *cached, default_image_);
  if (!observed_or.ok()) return observed_or.status();
  const RestoreObserved& observed = *observed_or;

  // --- Decide.
  const WallTime now = context.clock().Now();
  RestorePlan plan = Decide(observed, now);

  // --- Act: metadata, status, Job deletions, scales, Job creations, Events.
  nlohmann::json object = *cached;
  if (!plan.metadata_patch.is_null()) {
    auto patched = client.Patch(RestoreRequestResource(), ns, request.key.name, kube::PatchType::kMerge, plan.metadata_patch);
    if (!patched.ok()) {
      if (patched.status().code() == StatusCode::kNotFound) return runtime::ReconcileResult::Done();
      if (patched.status().code() == StatusCode::kAborted) return runtime::ReconcileResult::Requeue();
      return patched.status().WithContext("patching metadata");
    }
    object = *patched;
  }
  if (plan.status_changed) {
    object["status"] = api::RestoreRequestStatusToJson(plan.status);
    auto written = WriteStatus(client, RestoreRequestResource(), ns, object);
    if (!written.ok()) return written.status();
    if (*written != WriteOutcome::kWritten) return AfterUnwrittenChange(*written);
  }
  for (const auto& name : plan.delete_jobs) {
    // Foreground: the Job stays (deleting) until its Pods are gone, which Decide waits for.
    if (Status s = DeleteJob(client, ns, name, "Foreground"); !s.ok()) return s;
    log.Info("Deleting restore Job", {{"job", name}});
  }
  for (const auto& scale : plan.scales) {
    nlohmann::json patch = {{"spec", {{"replicas", scale.replicas}}}};
    // Through the scale subresource: the operator's RBAC grants patch on deployments/scale and
    // statefulsets/scale only.
    auto scaled = client.Patch(WorkloadResource(scale.kind), ns, scale.name, kube::PatchType::kMerge, patch, "scale");
    if (!scaled.ok() && scaled.status().code() != StatusCode::kNotFound) {
      return scaled.status().WithContext("scaling " + scale.kind + "/" + scale.name);
    }
    log.Info("Scaled workload", {{"workload", scale.kind + "/" + scale.name}, {"replicas", std::to_string(scale.replicas)}});
  }
  for (const auto& job : plan.create_jobs) {
    if (auto created = CreateOrAdoptJob(client, ns, job, log); !created.ok()) return created.status();
  }
  RecordEvents(context, *cached, plan.events, log);
  metrics.Observe(ns, request.key.name, plan.status, plan.finished);
  return ResultFor(plan.requeue_after);
}

}  // namespace lifeboat::controllers::restorerequest
