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
#include <vector>

#include "operator/api/backup_policy.h"

namespace lifeboat::controllers::backuppolicy {

inline constexpr char kWalStreamerComponent[] = "wal-streamer";
inline constexpr char kSpecHashAnnotation[] = "lifeboat.dev/spec-hash";
inline constexpr char kWalBufferMount[] = "/buffer";
inline constexpr char kWalStatusKey[] = "status.json";  // Same key as operator/cmd/wal_status_publisher.h.

// "<policy>-wal-streamer" (a DNS label of at most 63 characters, shortened with a hash).
std::string WalStreamerName(const std::string& policy);

// The replication slot: walArchiving.slotName, else "lifeboat_<namespace>_<name>" with every
// character PostgreSQL does not allow replaced by '_', at most 63 (shortened with a hash).
std::string WalSlotName(const api::BackupPolicy& policy);

// The Deployment; only for a policy whose database method is BaseBackup.
nlohmann::json BuildWalStreamerDeployment(const api::BackupPolicy& policy, const std::string& default_image);

// What lets the streamer report to the operator, all named WalStreamerName(policy) and owned by the
// policy: the status ConfigMap it writes (wal_status_publisher.h), a Role that may only get and
// patch that ConfigMap, a RoleBinding of it to the streamer's service account, and that account
// itself unless podSettings.serviceAccountName names one (the Pods then use the user's account, so
// that repository credentials bound to it keep working). In the order they must be created.
struct WalStreamerAccessObject {
  std::string kind;  // ServiceAccount | Role | RoleBinding | ConfigMap
  nlohmann::json object;
};
std::vector<WalStreamerAccessObject> BuildWalStreamerAccess(const api::BackupPolicy& policy);

// The streamer's report as the ConfigMap carries it (data["status.json"]), read into the policy's
// status fields; `now` judges whether the streamer still reports. Returns false when the ConfigMap
// holds no report yet (or an unreadable one: `problem` says why).
bool ReadStreamerReport(const nlohmann::json& config_map, api::WalArchiveStatus& status, std::string* problem);

// Whether `existing` (as read) already has the spec `desired` asks for (the hash annotation).
bool WalStreamerUpToDate(const nlohmann::json& existing, const nlohmann::json& desired);

}  // namespace lifeboat::controllers::backuppolicy
