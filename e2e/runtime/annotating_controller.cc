#include "e2e/runtime/annotating_controller.h"

namespace lifeboat::e2e {

kube::Projection AnnotatingController::CacheProjection(const kube::ResourceRef&) const {
  return [](nlohmann::json& object) {
    nlohmann::json kept = {{"apiVersion", object.value("apiVersion", "v1")}, {"kind", object.value("kind", "ConfigMap")}};
    const auto& metadata = object["metadata"];
    nlohmann::json meta = nlohmann::json::object();
    for (const char* field : {"name", "namespace", "uid", "resourceVersion", "labels", "ownerReferences"}) {
      if (metadata.contains(field)) meta[field] = metadata[field];
    }
    if (metadata.contains("annotations") && metadata["annotations"].contains(kObservedAnnotation)) {
      meta["annotations"][kObservedAnnotation] = metadata["annotations"][kObservedAnnotation];
    }
    kept["metadata"] = std::move(meta);
    if (object.contains("data") && object["data"].is_object() && object["data"].contains("value")) {
      kept["data"]["value"] = object["data"]["value"];
    }
    object = std::move(kept);
  };
}

StatusOr<runtime::ReconcileResult> AnnotatingController::Reconcile(const runtime::ReconcileRequest& request,
                                                                    runtime::ControllerContext& context) {
  runtime::ReconcileLog log(request);
  auto cached = context.Cache(Primary())->Get(request.key);
  if (!cached) return runtime::ReconcileResult::Done();  // Deleted.
  const auto& metadata = (*cached)["metadata"];
  if (!metadata.contains("labels") || metadata["labels"].value(kWatchLabel, "") != "true") {
    return runtime::ReconcileResult::Done();
  }
  std::string value;
  if (cached->contains("data") && (*cached)["data"].contains("value") && (*cached)["data"]["value"].is_string()) {
    value = (*cached)["data"]["value"].get<std::string>();
  }
  std::string observed;
  if (metadata.contains("annotations") && metadata["annotations"].contains(kObservedAnnotation)) {
    observed = metadata["annotations"][kObservedAnnotation].get<std::string>();
  }
  if (observed == value && metadata.contains("annotations")) return runtime::ReconcileResult::Done();
  nlohmann::json patch = {{"metadata", {{"annotations", {{kObservedAnnotation, value}}}}}};
  auto patched = context.client().Patch(Primary(), request.key.ns, request.key.name, kube::PatchType::kMerge, patch);
  if (!patched.ok()) {
    if (patched.status().code() == StatusCode::kNotFound) return runtime::ReconcileResult::Done();
    return patched.status();
  }
  log.Info("Observed value", {{"value", value}});
  if (emit_events_) {
    context.recorder().Record(*patched, kube::kEventNormal, "Observed", "Observed value \"" + value + "\"");
  }
  return runtime::ReconcileResult::Done();
}

}  // namespace lifeboat::e2e
