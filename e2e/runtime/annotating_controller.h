// AnnotatingController: the small controller the runtime's end-to-end tests and benchmark run. It
// reconciles ConfigMaps labelled e2e.lifeboat.dev/watch=true by copying data.value into the
// annotation e2e.lifeboat.dev/observed (a merge patch), so a test can see from outside that an
// object was reconciled in its latest state. It caches only the fields it reads (projection) and,
// when `emit_events` is set, records an Event per observed change. Thread-safe.
#pragma once

#include "operator/runtime/controller.h"

namespace lifeboat::e2e {

inline constexpr const char* kWatchLabel = "e2e.lifeboat.dev/watch";
inline constexpr const char* kObservedAnnotation = "e2e.lifeboat.dev/observed";

class AnnotatingController final : public runtime::Controller {
 public:
  explicit AnnotatingController(bool emit_events) : emit_events_(emit_events) {}

  std::string Name() const override { return "e2e-annotator"; }
  kube::ResourceRef Primary() const override { return {"", "v1", "configmaps", "ConfigMap", true}; }
  kube::Projection CacheProjection(const kube::ResourceRef& resource) const override;
  StatusOr<runtime::ReconcileResult> Reconcile(const runtime::ReconcileRequest& request,
                                               runtime::ControllerContext& context) override;

 private:
  bool emit_events_;
};

}  // namespace lifeboat::e2e
