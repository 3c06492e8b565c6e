// RestoreMetrics: the RestoreRequest controller's domain metrics:
//   - lifeboat_restore_duration_seconds{namespace, restorerequest, result}: the measured RTO (start
//     to completion) of a finished restore, set from status at every reconcile (so it is right again
//     after an operator restart);
//   - lifeboat_restore_backup_age_seconds{namespace, restorerequest}: the restored backup's age at the
//     start (the RPO the restore achieved);
//   - lifeboat_restore_runs_total{namespace, result}: restores that finished while this process ran.
// Registered on the /metrics registry; a null registry makes every call a no-op. Thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "controllers/restorerequest/restore_decide.h"
#include "controllers/common/prometheus_fwd.h"

namespace lifeboat::controllers::restorerequest {

class RestoreMetrics {
 public:
  explicit RestoreMetrics(prometheus::Registry* registry);
  // Sets the gauges of a request from its status and counts a restore that just finished.
  void Observe(const std::string& ns, const std::string& name, const api::RestoreRequestStatus& status,
               const std::optional<FinishedRestore>& finished);
  // Drops the gauges of a deleted request.
  void Forget(const std::string& ns, const std::string& name);

 private:
  prometheus::Family<prometheus::Gauge>* duration_ = nullptr;
  prometheus::Family<prometheus::Gauge>* backup_age_ = nullptr;
  prometheus::Family<prometheus::Counter>* runs_ = nullptr;
  std::mutex mutex_;
};

}  // namespace lifeboat::controllers::restorerequest
