// WalStreamer: the Deployment a BackupPolicy with database.method BaseBackup owns, running
// `lifeboat agent wal-stream` (docs/wal-archiving.md): one replica, strategy Recreate (two
// streamers must never share the slot), the policy's repository and connection wired like its
// backup Jobs (job_wiring.h), a buffer emptyDir of walArchiving.bufferSize, the Jobs' user and pod
// settings (restricted Pod Security). The desired object carries a hash of its own spec in an
// annotation, so the controller replaces the spec exactly when the policy changed it. Pure
// functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "operator/api/backup_policy.h"

namespace lifeboat::controllers::backuppolicy {

inline constexpr char kWalStreamerComponent[] = "wal-streamer";
inline constexpr char kSpecHashAnnotation[] = "lifeboat.dev/spec-hash";
inline constexpr char kWalBufferMount[] = "/buffer";

// "<policy>-wal-streamer" (a DNS label of at most 63 characters, shortened with a hash).
std::string WalStreamerName(const std::string& policy);

// The replication slot: walArchiving.slotName, else "lifeboat_<namespace>_<name>" with every
// character PostgreSQL does not allow replaced by '_', at most 63 (shortened with a hash).
std::string WalSlotName(const api::BackupPolicy& policy);

// The Deployment; only for a policy whose database method is BaseBackup.
nlohmann::json BuildWalStreamerDeployment(const api::BackupPolicy& policy, const std::string& default_image);

// Whether `existing` (as read) already has the spec `desired` asks for (the hash annotation).
bool WalStreamerUpToDate(const nlohmann::json& existing, const nlohmann::json& desired);

}  // namespace lifeboat::controllers::backuppolicy
