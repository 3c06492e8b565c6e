// BackupMetrics: the BackupPolicy controller's domain metrics, labelled namespace, policy and
// source: lifeboat_backup_last_success_timestamp_seconds, lifeboat_backup_duration_seconds and
// lifeboat_backup_size_bytes (of the newest good backup), lifeboat_backup_runs_total{result}
// (runs that finished while this process ran), lifeboat_rpo_seconds and lifeboat_rpo_target_seconds;
// per policy, lifeboat_backup_last_verified_timestamp_seconds (status.lastVerified: the newest drill
// that proved the backups restorable); per policy archiving WAL (method BaseBackup, from
// status.walArchive): lifeboat_wal_streamer_up, lifeboat_wal_first/last_recoverable_timestamp_seconds,
// lifeboat_wal_gap and lifeboat_wal_lag_bytes (the WAL the streamer's slot holds back on the server).
// The database source's lifeboat_rpo_seconds counts from its last recoverable time when that is newer.
// Gauges are set from status at every reconcile, so they are right again right after a restart.
// Registered on the /metrics registry; a null registry makes every call a no-op. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "controllers/backuppolicy/backup_decide.h"
#include "controllers/common/prometheus_fwd.h"

namespace lifeboat::controllers::backuppolicy {

class BackupMetrics {
 public:
  explicit BackupMetrics(prometheus::Registry* registry);

  // Updates every series of the policy from its new status and counts its finished runs.
  void Observe(const std::string& ns, const std::string& policy, const api::BackupPolicyStatus& status,
               const std::vector<FinishedRun>& finished, WallTime now);
  // Drops the gauges of a deleted policy.
  void Forget(const std::string& ns, const std::string& policy);

 private:
  prometheus::Family<prometheus::Gauge>* last_success_ = nullptr;
  prometheus::Family<prometheus::Gauge>* duration_ = nullptr;
  prometheus::Family<prometheus::Gauge>* size_ = nullptr;
  prometheus::Family<prometheus::Gauge>* rpo_ = nullptr;
  prometheus::Family<prometheus::Gauge>* rpo_target_ = nullptr;
  prometheus::Family<prometheus::Counter>* runs_ = nullptr;
  prometheus::Family<prometheus::Gauge>* last_verified_ = nullptr;
  prometheus::Family<prometheus::Gauge>* wal_up_ = nullptr;
  prometheus::Family<prometheus::Gauge>* wal_first_ = nullptr;
  prometheus::Family<prometheus::Gauge>* wal_last_ = nullptr;
  prometheus::Family<prometheus::Gauge>* wal_gap_ = nullptr;
  prometheus::Family<prometheus::Gauge>* wal_lag_ = nullptr;
  void ObserveWal(const std::map<std::string, std::string>& labels, const api::BackupPolicyStatus& status);
  std::mutex mutex_;
  // policy key → sources with gauges (so Forget and source removals can drop them).
  std::map<std::string, std::map<std::string, bool>> known_;
};

}  // namespace lifeboat::controllers::backuppolicy
