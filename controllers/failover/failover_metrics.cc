#include "controllers/failover/failover_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace lifeboat::controllers::failover {

FailoverMetrics::FailoverMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  write_unavailable_ = &prometheus::BuildGauge()
                            .Name("lifeboat_failover_write_unavailable_seconds")
                            .Help("How long writes were unavailable in the newest successful run: from the fence to the Service switched")
                            .Register(*registry);
  runs_ = &prometheus::BuildCounter()
               .Name("lifeboat_failover_runs_total")
               .Help("Failover runs that ended, per mode (Switchover, Failover) and result (Succeeded, Failed)")
               .Register(*registry);
}

void FailoverMetrics::Observe(const std::string& ns, const std::string& name, const std::string& mode, const FailoverPlan& plan) {
  if (runs_ == nullptr) return;
  std::lock_guard lock(mutex_);
  if (!plan.finished.empty()) {
    runs_->Add({{"namespace", ns}, {"failover", name}, {"mode", mode}, {"result", plan.finished}}).Increment();
  }
  if (plan.write_unavailable_seconds) {  // Known once the Service is switched (before any rejoin).
    write_unavailable_->Add({{"namespace", ns}, {"failover", name}}).Set(*plan.write_unavailable_seconds);
  }
}

void FailoverMetrics::Forget(const std::string& ns, const std::string& name) {
  if (write_unavailable_ == nullptr) return;
  std::lock_guard lock(mutex_);
  const std::map<std::string, std::string> labels = {{"namespace", ns}, {"failover", name}};
  if (write_unavailable_->Has(labels)) write_unavailable_->Remove(&write_unavailable_->Add(labels));
}

}  // namespace lifeboat::controllers::failover
