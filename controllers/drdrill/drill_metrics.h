// DrillMetrics: the DRDrill controller's metrics, labelled namespace and drill (the series the alert
// rules in config/prometheus/rules.yaml use): lifeboat_drill_runs_total{result} (runs that finished
// while this process ran), lifeboat_drill_objectives_met (1/0, of the newest finished run that was
// measured against objectives), lifeboat_drill_last_success_timestamp_seconds,
// lifeboat_drill_rto_seconds and lifeboat_drill_rpo_seconds (of the newest finished run). Gauges
// are set from status at every reconcile. A null registry makes every call a no-op. Thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "controllers/drdrill/drill_decide.h"
#include "controllers/common/prometheus_fwd.h"

namespace lifeboat::controllers::drdrill {

class DrillMetrics {
 public:
  explicit DrillMetrics(prometheus::Registry* registry);
  void Observe(const std::string& ns, const std::string& drill, const api::DRDrillStatus& status,
               const std::optional<FinishedDrill>& finished);
  void Forget(const std::string& ns, const std::string& drill);

 private:
  prometheus::Family<prometheus::Counter>* runs_ = nullptr;
  prometheus::Family<prometheus::Gauge>* objectives_met_ = nullptr;
  prometheus::Family<prometheus::Gauge>* last_success_ = nullptr;
  prometheus::Family<prometheus::Gauge>* rto_ = nullptr;
  prometheus::Family<prometheus::Gauge>* rpo_ = nullptr;
  std::mutex mutex_;
};

}  // namespace lifeboat::controllers::drdrill
