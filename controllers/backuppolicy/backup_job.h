// BackupJob: the Job of one BackupPolicy run: `lifeboat agent backup` for the run's sources with
// the policy's repository, connection and Secrets (passed as secretKeyRef environment variables,
// never as values), retention (`--keep-*`) and verification (`--check-read-data-subset`) after a
// successful backup, in the same Job (so they never race another run of the policy, which
// concurrencyPolicy already serialises). Also the list of Secret keys a policy needs, so the
// controller can refuse to start a Job that could not start. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "controllers/common/job_wiring.h"
#include "controllers/common/run_as.h"
#include "operator/api/backup_policy.h"
#include "operator/core/clock.h"

namespace lifeboat::controllers::backuppolicy {

inline constexpr char kTriggerScheduled[] = "Scheduled";
inline constexpr char kTriggerOnDemand[] = "OnDemand";


struct BackupRunRequest {
  std::string job_name;
  std::string trigger;  // kTriggerScheduled | kTriggerOnDemand
  std::optional<WallTime> scheduled_time;
  std::string on_demand_token;
  std::vector<std::string> sources;  // Status source names: "database" and media names.
};

// The Job runs as its first media source's user (run_as.h: the source's securityContext, its
// workload's pod securityContext from `workloads`, podSettings, the image's user) with the other
// sources' groups added; a database-only run as podSettings' user.
nlohmann::json BuildBackupJob(const api::BackupPolicy& policy, const BackupRunRequest& run,
                              const std::string& default_image, const WorkloadContexts& workloads = {});

// The Secret keys the policy's Jobs read, with the spec fields that name them.
std::vector<SecretKeyNeed> RequiredSecretKeys(const api::BackupPolicySpec& spec);

// keepWithin (Go duration + "d") as restic wants it ("<days>d<hours>h", rounded up to an hour);
// nullopt if it does not parse (validation reports that).
std::optional<std::string> ResticKeepWithin(const std::string& keep_within);

}  // namespace lifeboat::controllers::backuppolicy
