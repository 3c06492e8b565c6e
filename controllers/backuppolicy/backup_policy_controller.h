// BackupPolicyController: the thin shell around Decide (backup_decide.h). Observe: the policy from
// the informer cache, its Jobs through the owner index, the referenced Secrets (GET; only which
// keys exist is kept, never the values), the agent result of each newly finished Job (its Pod's
// termination message, listed by the job-name label), and whether a Job that status says is running
// is really gone. Act, in an order that loses nothing on a crash: create Jobs (AlreadyExists =
// adopt), delete replaced Jobs, write status through /status when it changed (Conflict = observe
// again), then delete finished Jobs beyond the history limits and record Events. Metrics per
// policy and source (backup_metrics.h). It also watches the DRDrills that name a policy: their
// successful runs are the policy's status.lastVerified (last_verified.h). Thread-safe across keys, as the Manager requires.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "controllers/backuppolicy/backup_metrics.h"
#include "controllers/common/resources.h"
#include "operator/runtime/controller.h"

namespace lifeboat::controllers::backuppolicy {


class BackupPolicyController final : public runtime::Controller {
 public:
  // `default_image`: the image of agent Jobs when podSettings.image is empty.
  explicit BackupPolicyController(std::string default_image);

  std::string Name() const override { return "backuppolicy"; }
  kube::ResourceRef Primary() const override { return BackupPolicyResource(); }
  std::vector<kube::ResourceRef> Owns() const override { return {JobResource()}; }
  std::vector<runtime::Watch> Watches() const override;
  kube::Projection CacheProjection(const kube::ResourceRef& resource) const override;
  StatusOr<runtime::ReconcileResult> Reconcile(const runtime::ReconcileRequest& request,
                                               runtime::ControllerContext& context) override;

 private:
  BackupMetrics& Metrics(runtime::ControllerContext& context);

  std::string default_image_;
  std::once_flag metrics_once_;
  std::unique_ptr<BackupMetrics> metrics_;
};

}  // namespace lifeboat::controllers::backuppolicy
