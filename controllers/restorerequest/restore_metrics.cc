#include "controllers/restorerequest/restore_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <chrono>

namespace lifeboat::controllers::restorerequest {

RestoreMetrics::RestoreMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  duration_ = &prometheus::BuildGauge()
                   .Name("lifeboat_restore_duration_seconds")
                   .Help("Measured recovery time (RTO) of a finished restore: start to completion")
                   .Register(*registry);
  backup_age_ = &prometheus::BuildGauge()
                     .Name("lifeboat_restore_backup_age_seconds")
                     .Help("Age of the restored backup when the restore started (the recovery point reached)")
                     .Register(*registry);
  runs_ = &prometheus::BuildCounter()
               .Name("lifeboat_restore_runs_total")
               .Help("Restores that finished, by result")
               .Register(*registry);
}

void RestoreMetrics::Observe(const std::string& ns, const std::string& name, const api::RestoreRequestStatus& status,
                             const std::optional<FinishedRestore>& finished) {
  if (duration_ == nullptr) return;
  std::lock_guard lock(mutex_);
  if (finished) {
    runs_->Add({{"namespace", ns}, {"result", finished->succeeded ? "succeeded" : "failed"}}).Increment();
  }
  if ((status.phase == "Succeeded" || status.phase == "Failed") && status.start_time && status.completion_time) {
    double seconds = std::chrono::duration<double>(*status.completion_time - *status.start_time).count();
    std::string result = status.phase == "Succeeded" ? "succeeded" : "failed";
    duration_->Add({{"namespace", ns}, {"restorerequest", name}, {"result", result}}).Set(seconds);
    std::optional<WallTime> backup_time;
    for (const auto& r : status.restored_backups) {
      if (r.backup.start_time && (!backup_time || *r.backup.start_time < *backup_time)) backup_time = r.backup.start_time;
    }
    if (backup_time) {
      double age = std::chrono::duration<double>(*status.start_time - *backup_time).count();
      backup_age_->Add({{"namespace", ns}, {"restorerequest", name}}).Set(age < 0 ? 0 : age);
    }
  }
}

void RestoreMetrics::Forget(const std::string& ns, const std::string& name) {
  if (duration_ == nullptr) return;
  std::lock_guard lock(mutex_);
  for (const char* result : {"succeeded", "failed"}) {
    std::map<std::string, std::string> labels{{"namespace", ns}, {"restorerequest", name}, {"result", result}};
    if (duration_->Has(labels)) duration_->Remove(&duration_->Add(labels));
  }
  std::map<std::string, std::string> labels{{"namespace", ns}, {"restorerequest", name}};
  if (backup_age_->Has(labels)) backup_age_->Remove(&backup_age_->Add(labels));
}

}  // namespace lifeboat::controllers::restorerequest
