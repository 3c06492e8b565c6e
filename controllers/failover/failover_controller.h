// FailoverController: the thin shell around DecideFailover (failover_decide.h). Observe: the
// Failover from the cache, the key names of its Secrets, a probe of each server (MemberClient, with
// the credentials read from the Secrets), the primary's workload (spec.replicas and its remaining
// Pods), the Service's selector, and the other unfinished Failovers of the same pair. Act, in an
// order that loses nothing on a crash: add the finalizer, write status (what cannot be re-read is
// saved before the action that changes it), then the database action, the Service's selector, the
// workload's scale, the rejoin Job, Events, and last the finalizer's removal. Thread-safe across keys.
#pragma once

#include <memory>
#include <mutex>

#include "controllers/common/resources.h"
#include "controllers/failover/failover_metrics.h"
#include "controllers/failover/pg_member.h"
#include "operator/runtime/controller.h"

namespace lifeboat::controllers::failover {

inline kube::ResourceRef FailoverResource() { return {"lifeboat.dev", "v1alpha1", "failovers", "Failover", true}; }
inline kube::ResourceRef ServiceResource() { return {"", "v1", "services", "Service", true}; }

class FailoverController final : public runtime::Controller {
 public:
  // `default_image`: the image of the rejoin Job when podSettings.image is empty.
  explicit FailoverController(std::string default_image, std::unique_ptr<MemberClient> members = NewPqxxMemberClient());

  std::string Name() const override { return "failover"; }
  kube::ResourceRef Primary() const override { return FailoverResource(); }
  std::vector<kube::ResourceRef> Owns() const override { return {JobResource()}; }
  StatusOr<runtime::ReconcileResult> Reconcile(const runtime::ReconcileRequest& request,
                                               runtime::ControllerContext& context) override;

 private:
  FailoverMetrics& Metrics(runtime::ControllerContext& context);

  std::string default_image_;
  std::unique_ptr<MemberClient> members_;
  std::once_flag metrics_once_;
  std::unique_ptr<FailoverMetrics> metrics_;
};

}  // namespace lifeboat::controllers::failover
