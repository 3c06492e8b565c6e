#include "controllers/backuppolicy/backup_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace lifeboat::controllers::backuppolicy {

namespace {

double Seconds(WallTime t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

}  // namespace

BackupMetrics::BackupMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  last_success_ = &prometheus::BuildGauge()
                       .Name("lifeboat_backup_last_success_timestamp_seconds")
                       .Help("Completion time of the newest successful backup, per policy and source")
                       .Register(*registry);
  duration_ = &prometheus::BuildGauge()
                   .Name("lifeboat_backup_duration_seconds")
                   .Help("Duration of the newest successful backup run, per policy and source")
                   .Register(*registry);
  size_ = &prometheus::BuildGauge()
               .Name("lifeboat_backup_size_bytes")
               .Help("Size of the newest successful backup (dump stream or media bytes), per policy and source")
               .Register(*registry);
  rpo_ = &prometheus::BuildGauge()
              .Name("lifeboat_rpo_seconds")
              .Help("Age of the newest successful backup (the current recovery point), per policy and source")
              .Register(*registry);
  rpo_target_ = &prometheus::BuildGauge()
                     .Name("lifeboat_rpo_target_seconds")
                     .Help("The source's effective targetRPO, for sources with one")
                     .Register(*registry);
  runs_ = &prometheus::BuildCounter()
               .Name("lifeboat_backup_runs_total")
               .Help("Backup runs that finished, per policy, source and result (Succeeded, Failed)")
               .Register(*registry);
  last_verified_ = &prometheus::BuildGauge()
                        .Name("lifeboat_backup_last_verified_timestamp_seconds")
                        .Help("Completion time of the newest DRDrill run that proved the policy's backups restorable")
                        .Register(*registry);
  wal_up_ = &prometheus::BuildGauge()
                 .Name("lifeboat_wal_streamer_up")
                 .Help("1 while the policy's WAL streamer runs and reports, else 0 (method BaseBackup)")
                 .Register(*registry);
  wal_first_ = &prometheus::BuildGauge()
                    .Name("lifeboat_wal_first_recoverable_timestamp_seconds")
                    .Help("The oldest point a point-in-time recovery of the policy's database can reach")
                    .Register(*registry);
  wal_last_ = &prometheus::BuildGauge()
                   .Name("lifeboat_wal_last_recoverable_timestamp_seconds")
                   .Help("The newest point a point-in-time recovery of the policy's database can reach")
                   .Register(*registry);
  wal_gap_ = &prometheus::BuildGauge()
                  .Name("lifeboat_wal_gap")
                  .Help("1 while the WAL archive after the newest base backup has a gap (recoveries stop before it)")
                  .Register(*registry);
  wal_lag_ = &prometheus::BuildGauge()
                  .Name("lifeboat_wal_lag_bytes")
                  .Help("WAL the server has flushed that the streamer has not received: what its slot holds back on the server")
                  .Register(*registry);
}

void BackupMetrics::ObserveWal(const std::map<std::string, std::string>& labels, const api::BackupPolicyStatus& status) {
  auto drop = [&](prometheus::Family<prometheus::Gauge>* family) {
    if (family->Has(labels)) family->Remove(&family->Add(labels));
  };
  if (!status.wal_archive) {
    for (auto* family : {wal_up_, wal_first_, wal_last_, wal_gap_, wal_lag_}) drop(family);
    return;
  }
  const api::WalArchiveStatus& wal = *status.wal_archive;
  wal_up_->Add(labels).Set(wal.state == "Running" ? 1 : 0);
  wal_gap_->Add(labels).Set(wal.gap.empty() ? 0 : 1);
  if (wal.first_recoverable_time) wal_first_->Add(labels).Set(Seconds(*wal.first_recoverable_time)); else drop(wal_first_);
  if (wal.last_recoverable_time) wal_last_->Add(labels).Set(Seconds(*wal.last_recoverable_time)); else drop(wal_last_);
  if (wal.lag_bytes) wal_lag_->Add(labels).Set(static_cast<double>(*wal.lag_bytes)); else drop(wal_lag_);
}

void BackupMetrics::Observe(const std::string& ns, const std::string& policy, const api::BackupPolicyStatus& status,
                            const std::vector<FinishedRun>& finished, WallTime now) {
  if (last_success_ == nullptr) return;
  std::lock_guard lock(mutex_);
  const std::map<std::string, std::string> policy_labels = {{"namespace", ns}, {"policy", policy}};
  if (status.last_verified && status.last_verified->time) {
    last_verified_->Add(policy_labels).Set(Seconds(*status.last_verified->time));
  } else if (last_verified_->Has(policy_labels)) {
    last_verified_->Remove(&last_verified_->Add(policy_labels));
  }
  ObserveWal(policy_labels, status);
  auto& known = known_[ns + "/" + policy];
  std::map<std::string, bool> current;
  for (const auto& source : status.sources) {
    const std::map<std::string, std::string> labels = {{"namespace", ns}, {"policy", policy}, {"source", source.name}};
    current[source.name] = true;
    if (source.last_successful_backup) {
      const auto& ref = *source.last_successful_backup;
      if (ref.completion_time) last_success_->Add(labels).Set(Seconds(*ref.completion_time));
      if (ref.start_time && ref.completion_time) {
        duration_->Add(labels).Set(std::chrono::duration<double>(*ref.completion_time - *ref.start_time).count());
      }
      if (ref.size_bytes) size_->Add(labels).Set(static_cast<double>(*ref.size_bytes));
      WallTime point = ref.start_time ? *ref.start_time : *ref.completion_time;
      if (source.type == "Database" && status.wal_archive && status.wal_archive->last_recoverable_time &&
          *status.wal_archive->last_recoverable_time > point) {
        point = *status.wal_archive->last_recoverable_time;  // Archived WAL (backup_decide.h ComputeRpo).
      }
      rpo_->Add(labels).Set(std::max(0.0, std::chrono::duration<double>(now - point).count()));
    }
    if (!source.target_rpo.empty()) {
      if (auto target = ParseDuration(source.target_rpo); target.ok()) {
        rpo_target_->Add(labels).Set(std::chrono::duration<double>(*target).count());
      }
    }
  }
  for (const auto& run : finished) {
    runs_->Add({{"namespace", ns}, {"policy", policy}, {"source", run.source},
                {"result", run.succeeded ? "Succeeded" : "Failed"}})
        .Increment();
  }
  for (const auto& [source, _] : known) {
    if (current.count(source)) continue;
    const std::map<std::string, std::string> labels = {{"namespace", ns}, {"policy", policy}, {"source", source}};
    for (auto* family : {last_success_, duration_, size_, rpo_, rpo_target_}) {
      if (family->Has(labels)) family->Remove(&family->Add(labels));
    }
  }
  known = current;
}

void BackupMetrics::Forget(const std::string& ns, const std::string& policy) {
  if (last_success_ == nullptr) return;
  std::lock_guard lock(mutex_);
  const std::map<std::string, std::string> policy_labels = {{"namespace", ns}, {"policy", policy}};
  if (last_verified_->Has(policy_labels)) last_verified_->Remove(&last_verified_->Add(policy_labels));
  ObserveWal(policy_labels, api::BackupPolicyStatus{});
  auto it = known_.find(ns + "/" + policy);
  if (it == known_.end()) return;
  for (const auto& [source, _] : it->second) {
    const std::map<std::string, std::string> labels = {{"namespace", ns}, {"policy", policy}, {"source", source}};
    for (auto* family : {last_success_, duration_, size_, rpo_, rpo_target_}) {
      if (family->Has(labels)) family->Remove(&family->Add(labels));
    }
  }
  known_.erase(it);
}

}  // namespace lifeboat::controllers::backuppolicy
