// LastVerified: when a BackupPolicy's backups were last proven restorable. The proof is a DRDrill run
// that restored them into scratch space with every check passed; the drills write their own status,
// and the BackupPolicy controller (the one writer of the policy's status) reads it from the drills
// that name the policy (docs/architecture.md: one writer per status). Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/api/backup_policy.h"

namespace lifeboat::controllers::backuppolicy {

// The newest successful run among `drills` (DRDrill objects) that name `policy` (in its namespace):
// lastRun and history both count. nullopt when none has succeeded.
std::optional<api::LastVerified> LastVerifiedFromDrills(const std::string& ns, const std::string& policy,
                                                        const std::vector<nlohmann::json>& drills);

}  // namespace lifeboat::controllers::backuppolicy
