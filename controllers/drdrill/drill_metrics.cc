#include "controllers/drdrill/drill_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "operator/core/duration.h"

namespace lifeboat::controllers::drdrill {
namespace {

double Seconds(WallTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

std::optional<double> DurationSeconds(const std::string& text) {
  auto d = ParseDuration(text);
  if (text.empty() || !d.ok()) return std::nullopt;
  return std::chrono::duration<double>(*d).count();
}

}  // namespace

DrillMetrics::DrillMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  runs_ = &prometheus::BuildCounter().Name("lifeboat_drill_runs_total").Help("Drill runs that finished, per drill and result").Register(*registry);
  objectives_met_ = &prometheus::BuildGauge()
                         .Name("lifeboat_drill_objectives_met")
                         .Help("1 when the newest measured drill met its RTO and RPO objectives, else 0")
                         .Register(*registry);
  last_success_ = &prometheus::BuildGauge()
                       .Name("lifeboat_drill_last_success_timestamp_seconds")
                       .Help("Completion time of the newest successful drill")
                       .Register(*registry);
  rto_ = &prometheus::BuildGauge().Name("lifeboat_drill_rto_seconds").Help("Measured RTO of the newest finished drill").Register(*registry);
  rpo_ = &prometheus::BuildGauge().Name("lifeboat_drill_rpo_seconds").Help("Measured RPO of the newest finished drill").Register(*registry);
}

void DrillMetrics::Observe(const std::string& ns, const std::string& drill, const api::DRDrillStatus& status,
                           const std::optional<FinishedDrill>& finished) {
  if (runs_ == nullptr) return;
  std::lock_guard lock(mutex_);
  const std::map<std::string, std::string> labels = {{"namespace", ns}, {"drill", drill}};
  if (finished) {
    auto with_result = labels;
    with_result["result"] = finished->succeeded ? "Succeeded" : "Failed";
    runs_->Add(with_result).Increment();
  }
  for (const api::DrillRun& run : status.history) {
    if (run.result == "Succeeded" && run.completion_time) {
      last_success_->Add(labels).Set(Seconds(*run.completion_time));
      break;
    }
  }
  for (const api::DrillRun& run : status.history) {
    if (run.result == "Running") continue;
    if (auto rto = DurationSeconds(run.measured_rto)) rto_->Add(labels).Set(*rto);
    if (auto rpo = DurationSeconds(run.measured_rpo)) rpo_->Add(labels).Set(*rpo);
    if (run.objectives_met) objectives_met_->Add(labels).Set(*run.objectives_met ? 1 : 0);
    break;
  }
}

void DrillMetrics::Forget(const std::string& ns, const std::string& drill) {
  if (runs_ == nullptr) return;
  std::lock_guard lock(mutex_);
  const std::map<std::string, std::string> labels = {{"namespace", ns}, {"drill", drill}};
  for (auto* family : {objectives_met_, last_success_, rto_, rpo_}) {
    if (family->Has(labels)) family->Remove(&family->Add(labels));
  }
}

}  // namespace lifeboat::controllers::drdrill
