// FailoverMetrics: lifeboat_failover_write_unavailable_seconds (of the newest successful run, per
// namespace and failover: fence → Service switched) and lifeboat_failover_runs_total{mode, result}
// (runs that ended while this process ran). A null registry makes every call a no-op. Thread-safe.
#pragma once

#include <mutex>
#include <string>

#include "controllers/failover/failover_decide.h"
#include "controllers/common/prometheus_fwd.h"

namespace lifeboat::controllers::failover {

class FailoverMetrics {
 public:
  explicit FailoverMetrics(prometheus::Registry* registry);
  void Observe(const std::string& ns, const std::string& name, const std::string& mode, const FailoverPlan& plan);
  void Forget(const std::string& ns, const std::string& name);

 private:
  prometheus::Family<prometheus::Gauge>* write_unavailable_ = nullptr;
  prometheus::Family<prometheus::Counter>* runs_ = nullptr;
  std::mutex mutex_;
};

}  // namespace lifeboat::controllers::failover
