// RestoreJobs: the Jobs of one RestoreRequest's steps, built from the spec as started: the catalog
// lookup (`lifeboat agent catalog`), the safety backup (`lifeboat agent backup`, run kind and policy
// "pre-restore"), the database and media restores (`lifeboat agent restore`) and the user's
// post-restore Jobs. Repository and database credentials reach the Jobs only as secretKeyRef
// environment variables. Also the Secret keys a request needs, so the controller refuses to start a
// Job that could not start. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "operator/api/restore_request.h"

namespace lifeboat::controllers::restorerequest {

// Where the Jobs mount things.
inline constexpr char kRepositoryMountRoot[] = "/repository";
inline constexpr char kMediaMountRoot[] = "/media";
inline constexpr char kWorkDir[] = "/scratch";  // Not /work: in the test control plane the host's /work holds the binaries.
// The policy name and run kind of safety backups in the repository.
inline constexpr char kSafetyBackupPolicy[] = "pre-restore";
inline constexpr char kSafetyBackupRunKind[] = "pre-restore";

// Deterministic child names.
std::string CatalogJobName(const std::string& request);
std::string SafetyBackupJobName(const std::string& request);  // Also the safety backup's id.
std::string DatabaseRestoreJobName(const std::string& request);
std::string MediaRestoreJobName(const std::string& request, size_t index);
std::string PostRestoreJobName(const std::string& request, const std::string& job);  // "<request>-post-<job>"

// Everything a Job builder needs besides the request.
struct JobContext {
  api::Repository repository;  // From the policy or the inline source.
  std::string policy_name;     // spec.source.policyRef.name (empty for an inline repository).
  std::string default_image;
};

// Catalog: `--backup-id` when `backup_id` is not empty (the agent then answers BackupNotFound
// for an id that is not there), `--policy` when the source is a policy.
nlohmann::json BuildCatalogJob(const api::RestoreRequest& request, const JobContext& context, const std::string& backup_id);
// Safety backup of the targets about to be overwritten (database in Replace mode, every media
// target); empty JSON when there is nothing to back up.
nlohmann::json BuildSafetyBackupJob(const api::RestoreRequest& request, const JobContext& context);
bool HasSafetyBackupTargets(const api::RestoreRequestSpec& spec);
nlohmann::json BuildDatabaseRestoreJob(const api::RestoreRequest& request, const JobContext& context,
                                       const std::string& backup_id, bool safety_backup_done);
nlohmann::json BuildMediaRestoreJob(const api::RestoreRequest& request, const JobContext& context, size_t index,
                                    const std::string& backup_id, bool safety_backup_done);
nlohmann::json BuildPostRestoreJob(const api::RestoreRequest& request, size_t index);

// The agent's --checks-json value for the user's SQL checks.
std::string ChecksJson(const std::vector<api::SqlCheck>& checks);

struct SecretKeyNeed {
  std::string secret;
  std::string key;
  std::string field;  // The spec field that names it.
};
std::vector<SecretKeyNeed> RequiredSecretKeys(const api::RestoreRequestSpec& spec, const api::Repository& repository,
                                              const std::string& repository_field);

}  // namespace lifeboat::controllers::restorerequest
