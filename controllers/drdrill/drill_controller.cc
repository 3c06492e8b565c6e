#include "controllers/drdrill/drill_controller.h"

#include "controllers/common/agent_job_reader.h"
#include "controllers/common/controller_shell.h"
#include "operator/api/dr_drill.h"

namespace lifeboat::controllers::drdrill {

DrillController::DrillController(std::string default_image) : default_image_(std::move(default_image)) {}

kube::Projection DrillController::CacheProjection(const kube::ResourceRef& resource) const {
  if (resource != JobResource()) return nullptr;
  return [](nlohmann::json& job) {
    if (job.is_object()) job.erase("spec");  // Metadata and status are what the controller reads.
  };
}

DrillMetrics& DrillController::Metrics(runtime::ControllerContext& context) {
  std::call_once(metrics_once_, [&] { metrics_ = std::make_unique<DrillMetrics>(context.metrics_registry()); });
  return *metrics_;
}

namespace {

// Observe: the drill, its policy, the repository Secrets' key names, its Jobs (the running run's
// with its agent result once finished) and whether the running run's Job is gone.
StatusOr<DrillObserved> Observe(kube::ApiClient& client, const kube::ObjectCache& jobs, const nlohmann::json& cached,
                                const std::string& default_image) {
  const std::string ns = kube::ObjectNamespace(cached);
  DrillObserved observed;
  observed.drill = cached;
  observed.default_image = default_image;
  api::FieldErrors ignored;
  const api::DRDrill drill = api::ParseDRDrill(cached, &ignored);
  if (!drill.spec.policy_name.empty()) {
    auto policy = client.Get(BackupPolicyResource(), ns, drill.spec.policy_name);
    if (policy.ok()) {
      observed.policy = *policy;
    } else if (policy.status().code() != StatusCode::kNotFound) {
      return policy.status().WithContext("reading BackupPolicy " + ns + "/" + drill.spec.policy_name);
    }
  }
  auto secrets = ReadSecretKeys(client, ns, ReferencedSecrets(cached, observed.policy));
  if (!secrets.ok()) return secrets.status();
  observed.secrets = std::move(*secrets);
  const std::string running = drill.status.last_run && drill.status.last_run->result == "Running" ? drill.status.last_run->job_name : "";
  bool seen = false;
  for (const auto& job : jobs.ListByOwner(kube::ObjectUid(cached))) {
    ObservedJob o = ObserveJob(client, ns, job, ReadJobState(job).name == running);
    seen = seen || o.state.name == running;
    observed.jobs.push_back(std::move(o));
  }
  if (!running.empty() && !seen) {
    auto job = client.Get(JobResource(), ns, running);  // The cache lags: ask the API server.
    if (job.ok()) {
      observed.jobs.push_back(ObserveJob(client, ns, *job));
    } else if (job.status().code() == StatusCode::kNotFound) {
      observed.lost_jobs.insert(running);
    } else {
      return job.status().WithContext("reading Job " + ns + "/" + running);
    }
  }
  return observed;
}

}  // namespace

StatusOr<runtime::ReconcileResult> DrillController::Reconcile(const runtime::ReconcileRequest& request,
                                                              runtime::ControllerContext& context) {
  runtime::ReconcileLog log(request);
  DrillMetrics& metrics = Metrics(context);
  const kube::ObjectCache* drills = context.Cache(DRDrillResource());
  const kube::ObjectCache* jobs = context.Cache(JobResource());
  if (drills == nullptr || jobs == nullptr) return InternalError("caches for drdrills and jobs are missing");
  auto cached = drills->Get(request.key);
  if (!cached) {
    metrics.Forget(request.key.ns, request.key.name);
    return runtime::ReconcileResult::Done();
  }
  if ((*cached)["metadata"].contains("deletionTimestamp")) return runtime::ReconcileResult::Done();
  kube::ApiClient& client = context.client();
  const std::string& ns = request.key.ns;
  auto observed = Observe(client, *jobs, *cached, default_image_);
  if (!observed.ok()) return observed.status();
  const DrillPlan plan = DecideDrill(*observed, context.clock().Now());
  if (Status s = CreateJobsAnnouncingThem(context, ns, *cached, plan.create_jobs, plan.events, log); !s.ok()) return s;
  if (plan.status_changed) {
    nlohmann::json object = *cached;
    object["status"] = api::DRDrillStatusToJson(plan.status);
    auto written = WriteStatus(client, DRDrillResource(), ns, object);
    if (!written.ok()) return written.status();
    if (*written != WriteOutcome::kWritten) return AfterUnwrittenChange(*written);
  }
  RecordEvents(context, *cached, plan.events, log);
  metrics.Observe(ns, request.key.name, plan.status, plan.finished);
  return ResultFor(plan.requeue_after);
}

}  // namespace lifeboat::controllers::drdrill
