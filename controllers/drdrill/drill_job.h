// DrillJob: the Job of one DRDrill run: `lifeboat agent drill` with the drilled policy's repository
// (its password and credentials as secretKeyRef environment variables) and scratch space: an
// emptyDir limited by spec.scratch.postgres.sizeLimit for the scratch server, and one for media
// (or an ephemeral volume of spec.scratch.media.storageClassName). It never references the
// production database: no connection, no database Secret. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "controllers/common/job_wiring.h"
#include "operator/api/backup_policy.h"
#include "operator/api/dr_drill.h"

namespace lifeboat::controllers::drdrill {

inline constexpr char kDrillLabel[] = "lifeboat.dev/drill";
inline constexpr char kScratchMountRoot[] = "/scratch";

struct DrillRunRequest {
  std::string job_name;
  std::string trigger;  // Scheduled | OnDemand | Created
};

// The agent's --source values for spec.sources: "database" is every database of the policy
// (database:<name> each), any other name a media source (media:<name>). Empty: all sources.
std::vector<std::string> DrillSources(const api::DRDrillSpec& drill, const api::BackupPolicySpec& policy);

nlohmann::json BuildDrillJob(const api::DRDrill& drill, const api::BackupPolicySpec& policy, const DrillRunRequest& run,
                             const std::string& default_image);

// The Secret keys a drill's Job reads: the policy's repository only.
std::vector<SecretKeyNeed> RequiredSecretKeys(const api::DRDrillSpec& drill, const api::BackupPolicySpec& policy);

}  // namespace lifeboat::controllers::drdrill
