// RestoreRequestController: the thin shell around Decide (restore_decide.h). Observe: the request
// from the informer cache, the other RestoreRequests of its namespace (cache), the BackupPolicy it
// names, the Secrets it needs (GET; only which keys exist is kept, never the values), the workloads
// it quiesces (GET Deployments/StatefulSets), its Jobs through the owner index and, for finished
// ones, the agent result in their Pod's termination message. Act, in an order that loses nothing
// on a crash: the metadata patch (the finalizer; Conflict = observe again), status through /status
// (so saved replica counts are stored before any scale), Job deletions (foreground, so a deleted
// Job stays visible until its Pods are gone), workload scales (through the scale subresource), Job
// creations (AlreadyExists = adopt), Events; then metrics (restore_metrics.h).
// Thread-safe across keys, as the Manager requires.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "controllers/restorerequest/restore_metrics.h"
#include "operator/runtime/controller.h"

namespace lifeboat::controllers::restorerequest {

kube::ResourceRef RestoreRequestResource();

class RestoreRequestController final : public runtime::Controller {
 public:
  // `default_image`: the image of agent Jobs when podSettings.image is empty.
  explicit RestoreRequestController(std::string default_image);

  std::string Name() const override { return "restorerequest"; }
  kube::ResourceRef Primary() const override { return RestoreRequestResource(); }
  std::vector<kube::ResourceRef> Owns() const override;
  StatusOr<runtime::ReconcileResult> Reconcile(const runtime::ReconcileRequest& request,
                                               runtime::ControllerContext& context) override;

 private:
  RestoreMetrics& Metrics(runtime::ControllerContext& context);

  std::string default_image_;
  std::once_flag metrics_once_;
  std::unique_ptr<RestoreMetrics> metrics_;
};

}  // namespace lifeboat::controllers::restorerequest
