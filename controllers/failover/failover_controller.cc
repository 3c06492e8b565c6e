#include "controllers/failover/failover_controller.h"

#include <algorithm>

#include "controllers/common/agent_job_reader.h"
#include "controllers/common/controller_shell.h"
#include "controllers/common/run_as.h"
#include "operator/kube/kube_config.h"

namespace lifeboat::controllers::failover {
namespace {

struct Observation {
  FailoverObserved observed;
  std::optional<MemberEndpoint> primary;
  std::optional<MemberEndpoint> replica;
};

// The Pods a workload's selector matches (its spec.selector.matchLabels).
StatusOr<std::int64_t> CountPods(kube::ApiClient& client, const std::string& ns, const nlohmann::json& workload) {
  const nlohmann::json match = workload.value("spec", nlohmann::json::object()).value("selector", nlohmann::json::object())
                                   .value("matchLabels", nlohmann::json::object());
  if (!match.is_object() || match.empty()) return 0;
  std::string selector;
  for (const auto& [key, value] : match.items()) {
    if (value.is_string()) selector += (selector.empty() ? "" : ",") + key + "=" + value.get<std::string>();
  }
  kube::ListOptions options;
  options.label_selector = selector;
  auto pods = client.List(PodResource(), ns, options);
  if (!pods.ok()) return pods.status().WithContext("listing the primary's Pods");
  return static_cast<std::int64_t>(pods->items.size());
}

StatusOr<Observation> Observe(kube::ApiClient& client, MemberClient& members, const kube::ObjectCache& failovers,
                              const kube::ObjectCache& jobs, const nlohmann::json& cached, const std::string& default_image) {
  const std::string ns = kube::ObjectNamespace(cached);
  Observation o;
  o.observed.failover = cached;
  o.observed.default_image = default_image;
  api::FieldErrors errors;
  const api::Failover f = api::ParseFailover(cached, &errors);
  const std::string phase = f.status.phase;
  if (phase == "Succeeded" || phase == "Failed") return o;  // Over: nothing to look at.
  auto secrets = ReadSecretKeys(client, ns, ReferencedSecrets(cached));
  if (!secrets.ok()) return secrets.status();
  o.observed.secrets = std::move(*secrets);
  for (const auto& other : failovers.List(ns)) {
    if (kube::ObjectUid(other) == kube::ObjectUid(cached)) continue;
    api::FieldErrors ignored;
    const api::Failover g = api::ParseFailover(other, &ignored);
    const bool unfinished = g.status.phase == "Running" || (g.status.phase.empty() && !g.metadata.deletion_timestamp);
    const bool earlier = g.metadata.creation_timestamp < f.metadata.creation_timestamp ||
                         (g.metadata.creation_timestamp == f.metadata.creation_timestamp && g.metadata.name < f.metadata.name);
    if (unfinished && (g.status.phase == "Running" || earlier) && SamePair(f.spec, g.spec)) {
      o.observed.blocked_by.push_back(g.metadata.name);
    }
  }
  if (f.spec.primary.connection) {
    auto endpoint = ReadPgEndpoint(client, ns, *f.spec.primary.connection);
    if (!endpoint.ok()) return endpoint.status();
    o.primary = *endpoint;
    o.observed.primary = members.Probe(*endpoint);
  }
  if (f.spec.replica.connection) {
    auto endpoint = ReadPgEndpoint(client, ns, *f.spec.replica.connection);
    if (!endpoint.ok()) return endpoint.status();
    o.replica = *endpoint;
    o.observed.replica = members.Probe(*endpoint);
  }
  if (f.spec.primary.workload) {
    auto workload = client.Get(WorkloadResource(f.spec.primary.workload->kind), ns, f.spec.primary.workload->name);
    if (workload.ok()) {
      const nlohmann::json spec = workload->value("spec", nlohmann::json::object());
      o.observed.primary_workload_replicas = spec.is_object() && spec.contains("replicas") && spec["replicas"].is_number_integer()
                                                 ? spec["replicas"].get<std::int64_t>()
                                                 : 1;
      auto pods = CountPods(client, ns, *workload);
      if (!pods.ok()) return pods.status();
      o.observed.primary_pods = *pods;
      if (f.spec.primary.workload->kind == "StatefulSet") o.observed.primary_data = StatefulSetDataVolume(*workload);
      o.observed.primary_run_as = WorkloadSecurityContext(*workload);
    } else if (workload.status().code() != StatusCode::kNotFound) {
      return workload.status().WithContext("reading the primary's workload");
    }
  }
  if (!f.spec.service_name.empty()) {
    auto service = client.Get(ServiceResource(), ns, f.spec.service_name);
    if (service.ok()) {
      std::map<std::string, std::string> selector;
      const nlohmann::json s = service->value("spec", nlohmann::json::object()).value("selector", nlohmann::json::object());
      for (const auto& [key, value] : s.items()) {
        if (value.is_string()) selector[key] = value.get<std::string>();
      }
      o.observed.service_selector = selector;
    } else if (service.status().code() != StatusCode::kNotFound) {
      return service.status().WithContext("reading Service " + f.spec.service_name);
    }
  }
  for (const auto& job : jobs.ListByOwner(kube::ObjectUid(cached))) {
    o.observed.rejoin_job = ObserveJob(client, ns, job);
  }
  return o;
}

// The database action of the plan, on the server it concerns. Before a promotion the old primary's
// client sessions are ended once more, so nothing slips past the fence in between.
Status RunAction(MemberClient& members, const Observation& o, DatabaseAction action, const std::string& slot) {
  switch (action) {
    case DatabaseAction::kNone:
      return Status::Ok();
    case DatabaseAction::kFence:
      return members.Fence(*o.primary);
    case DatabaseAction::kUnfence:
      return members.Unfence(*o.primary);
    case DatabaseAction::kCreateSlot:
      return members.CreateSlot(*o.replica, slot);
    case DatabaseAction::kPromote:
      if (o.primary && o.observed.primary && o.observed.primary->reachable) (void)members.TerminateClients(*o.primary);
      return members.Promote(*o.replica);
  }
  return Status::Ok();
}

nlohmann::json FinalizersPatch(const nlohmann::json& object, bool present) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : object["metadata"].value("finalizers", nlohmann::json::array())) {
    if (f != kFailoverFinalizer) list.push_back(f);
  }
  if (present) list.push_back(kFailoverFinalizer);
  return {{"metadata", {{"finalizers", list}, {"resourceVersion", kube::ObjectResourceVersion(object)}}}};
}

// A merge patch from the current selector to `desired` (keys not in it removed).
nlohmann::json SelectorPatch(const std::map<std::string, std::string>& current, const std::map<std::string, std::string>& desired) {
  nlohmann::json selector = nlohmann::json::object();
  for (const auto& [key, value] : current) {
    if (!desired.count(key)) selector[key] = nullptr;
  }
  for (const auto& [key, value] : desired) selector[key] = value;
  return {{"spec", {{"selector", selector}}}};
}

}  // namespace

FailoverController::FailoverController(std::string default_image, std::unique_ptr<MemberClient> members)
    : default_image_(std::move(default_image)), members_(std::move(members)) {}

FailoverMetrics& FailoverController::Metrics(runtime::ControllerContext& context) {
  std::call_once(metrics_once_, [&] { metrics_ = std::make_unique<FailoverMetrics>(context.metrics_registry()); });
  return *metrics_;
}

StatusOr<runtime::ReconcileResult> FailoverController::Reconcile(const runtime::ReconcileRequest& request,
                                                                 runtime::ControllerContext& context) {
  runtime::ReconcileLog log(request);
  FailoverMetrics& metrics = Metrics(context);
  const kube::ObjectCache* failovers = context.Cache(FailoverResource());
  if (failovers == nullptr) return InternalError("the cache for failovers is missing");
  auto cached = failovers->Get(request.key);
  if (!cached) {
    metrics.Forget(request.key.ns, request.key.name);
    return runtime::ReconcileResult::Done();
  }
  kube::ApiClient& client = context.client();
  const std::string& ns = request.key.ns;

  // --- Observe.
  const kube::ObjectCache* jobs = context.Cache(JobResource());
  if (jobs == nullptr) return InternalError("the cache for jobs is missing");
  auto observation = Observe(client, *members_, *failovers, *jobs, *cached, default_image_);
  if (!observation.ok()) return observation.status();
  // --- Decide.
  const FailoverPlan plan = DecideFailover(observation->observed, context.clock().Now());

  // --- Act: finalizer, status, database action, Service, scale, Events, finalizer removal.
  nlohmann::json object = *cached;
  if (plan.add_finalizer) {
    auto patched = client.Patch(FailoverResource(), ns, request.key.name, kube::PatchType::kMerge, FinalizersPatch(object, true));
    if (!patched.ok()) {
      if (patched.status().code() == StatusCode::kNotFound) return runtime::ReconcileResult::Done();
      if (patched.status().code() == StatusCode::kAborted) return runtime::ReconcileResult::Requeue();
      return patched.status().WithContext("adding the finalizer");
    }
    object = *patched;
  }
  if (plan.status_changed) {
    object["status"] = api::FailoverStatusToJson(plan.status);
    auto written = WriteStatus(client, FailoverResource(), ns, object);
    if (!written.ok()) return written.status();
    if (*written != WriteOutcome::kWritten) return AfterUnwrittenChange(*written);
  }
  if (Status done = RunAction(*members_, *observation, plan.action, plan.slot); !done.ok()) {
    // The next probe shows what happened; the error is told and the run looks again.
    log.Warn("Database action failed", {{"error", done}});
    RecordEvents(context, *cached, {PlannedEvent{"Warning", "DatabaseActionFailed", done.message()}}, log);
  }
  if (plan.set_service_selector && observation->observed.service_selector) {
    api::FieldErrors ignored;
    const std::string service = api::ParseFailover(*cached, &ignored).spec.service_name;
    auto patched = client.Patch(ServiceResource(), ns, service, kube::PatchType::kMerge,
                                SelectorPatch(*observation->observed.service_selector, *plan.set_service_selector));
    if (!patched.ok()) return patched.status().WithContext("switching Service " + service);
    log.Info("Switched the Service", {{"service", service}});
  }
  if (plan.scale) {
    nlohmann::json patch = {{"spec", {{"replicas", plan.scale->replicas}}}};
    auto scaled = client.Patch(WorkloadResource(plan.scale->kind), ns, plan.scale->name, kube::PatchType::kMerge, patch, "scale");
    if (!scaled.ok() && scaled.status().code() != StatusCode::kNotFound) {
      return scaled.status().WithContext("scaling " + plan.scale->kind + "/" + plan.scale->name);
    }
    log.Info("Scaled workload", {{"workload", plan.scale->kind + "/" + plan.scale->name}, {"replicas", std::to_string(plan.scale->replicas)}});
  }
  if (plan.create_job) {
    if (auto created = CreateOrAdoptJob(client, ns, *plan.create_job, log); !created.ok()) return created.status();
  }
  RecordEvents(context, *cached, plan.events, log);
  if (plan.remove_finalizer) {
    auto current = client.Get(FailoverResource(), ns, request.key.name);
    if (current.ok()) {
      auto patched = client.Patch(FailoverResource(), ns, request.key.name, kube::PatchType::kMerge, FinalizersPatch(*current, false));
      if (!patched.ok() && patched.status().code() != StatusCode::kNotFound) return patched.status().WithContext("removing the finalizer");
    }
  }
  api::FieldErrors ignored;
  metrics.Observe(ns, request.key.name, api::ParseFailover(*cached, &ignored).spec.mode, plan);
  return ResultFor(plan.requeue_after);
}

}  // namespace lifeboat::controllers::failover
