// DrillController: the thin shell around DecideDrill (drill_decide.h). Observe: the drill from the
// informer cache, its BackupPolicy (GET), the key names of the repository's Secrets, its Jobs
// through the owner index with the agent result of a finished one, and whether a Job status says
// is running is really gone. Act, in an order that loses nothing on a crash: create the run's Job
// (AlreadyExists = adopt, announced only when created), write status (Conflict = observe again),
// record Events, update metrics (drill_metrics.h). Thread-safe across keys, as the Manager requires.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "controllers/common/resources.h"
#include "controllers/drdrill/drill_metrics.h"
#include "operator/runtime/controller.h"

namespace lifeboat::controllers::drdrill {

class DrillController final : public runtime::Controller {
 public:
  explicit DrillController(std::string default_image);

  std::string Name() const override { return "drdrill"; }
  kube::ResourceRef Primary() const override { return DRDrillResource(); }
  std::vector<kube::ResourceRef> Owns() const override { return {JobResource()}; }
  kube::Projection CacheProjection(const kube::ResourceRef& resource) const override;
  StatusOr<runtime::ReconcileResult> Reconcile(const runtime::ReconcileRequest& request,
                                               runtime::ControllerContext& context) override;

 private:
  DrillMetrics& Metrics(runtime::ControllerContext& context);

  std::string default_image_;
  std::once_flag metrics_once_;
  std::unique_ptr<DrillMetrics> metrics_;
};

}  // namespace lifeboat::controllers::drdrill
