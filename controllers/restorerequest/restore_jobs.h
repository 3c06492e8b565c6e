// RestoreJobs: the Jobs of one RestoreRequest's steps, built from the spec as started: the catalog
// lookup (`lifeboat agent catalog`), the safety backup (`lifeboat agent backup`, run kind and policy
// "pre-restore"), the database and media restores (`lifeboat agent restore`, which also compare
// with the backup's manifest), the user's post-restore Jobs and the SQL checks (`lifeboat agent
// verify`). Repository and database credentials reach the Jobs only as secretKeyRef
// environment variables. Also the Secret keys a request needs, so the controller refuses to start a
// Job that could not start. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "controllers/common/job_wiring.h"
#include "controllers/common/run_as.h"
#include "operator/agent/catalog.h"
#include "operator/api/restore_request.h"

namespace lifeboat::controllers::restorerequest {

// The policy name and run kind of safety backups in the repository.
inline constexpr char kSafetyBackupPolicy[] = "pre-restore";
inline constexpr char kSafetyBackupRunKind[] = "pre-restore";

// Deterministic child names.
std::string CatalogJobName(const std::string& request);
std::string SafetyBackupJobName(const std::string& request);  // Also the safety backup's id.
std::string DatabaseRestoreJobName(const std::string& request);
std::string MediaRestoreJobName(const std::string& request, size_t index);
std::string PostRestoreJobName(const std::string& request, const std::string& job);  // "<request>-post-<job>"
std::string VerifyJobName(const std::string& request);
std::string SwapJobName(const std::string& request);
std::string RollbackJobName(const std::string& request);
std::string DropPreviousJobName(const std::string& request);

// The databases a restore makes beside the target: "<database>_<kind>_<request>" when that fits
// PostgreSQL's 63 bytes, else the database name shortened and a stable hash instead of the request.
std::string StagingDatabaseName(const std::string& database, const std::string& request);   // kind "restoring"
std::string PreviousDatabaseName(const std::string& database, const std::string& request);  // kind "before"
std::string FailedDatabaseName(const std::string& database, const std::string& request);    // kind "failed"
// "<namespace>/<name>": how the databases a request made are marked (their COMMENT).
std::string RequestMarker(const api::RestoreRequest& request);

// Everything a Job builder needs besides the request.
struct JobContext {
  api::Repository repository;  // From the policy or the inline source.
  std::string policy_name;     // spec.source.policyRef.name (empty for an inline repository).
  std::string default_image;
  WorkloadContexts workloads;  // The media targets' workloads' users (run_as.h).
};

// What the catalog Job asks for each target (database first, then media in spec order): the named
// backupId, else the newest complete backup holding the source (of the policy, at or before
// spec.source.before when set). A point-in-time database target asks nothing (the catalog's
// walArchive window answers for it).
std::vector<agent::BackupSelection> BackupSelections(const api::RestoreRequestSpec& spec);
// Catalog: one `--select` per target, `--before` for spec.source.before, `--policy` when the source
// is a policy. The agent answers BackupNotFound when a target has no backup.
nlohmann::json BuildCatalogJob(const api::RestoreRequest& request, const JobContext& context);
// Safety backup of the targets about to be overwritten (database in Replace mode, every media
// target); empty JSON when there is nothing to back up.
nlohmann::json BuildSafetyBackupJob(const api::RestoreRequest& request, const JobContext& context);
bool HasSafetyBackupTargets(const api::RestoreRequestSpec& spec);
// The database restore: of `backup_id`, or with spec.database.recoveryTarget a point-in-time
// recovery (`--recovery-target`, `--policy` of the source policy, `--table` for each table; the
// base backup is the agent's choice and `backup_id` is ignored). Single tables replaced (Replace
// with tables) are replaced inside the live database: no strategy, no staging database.
nlohmann::json BuildDatabaseRestoreJob(const api::RestoreRequest& request, const JobContext& context,
                                       const std::string& backup_id, bool safety_backup_done);
// The Swap: `lifeboat agent swap-database` renames the staged database in, the live one to
// PreviousDatabaseName, in one transaction.
nlohmann::json BuildSwapJob(const api::RestoreRequest& request, const JobContext& context);
// The rollback after a failed database step: for a Swap or NewDatabase, `swap-database --rollback`
// (the live database accepts connections again, the staging one is dropped or kept); for an InPlace
// Replace, a restore of the safety backup `safety_backup_id` into the database.
nlohmann::json BuildRollbackJob(const api::RestoreRequest& request, const JobContext& context,
                                const std::string& safety_backup_id);
// Drops the previous database of a Swap once keepPreviousFor is over.
nlohmann::json BuildDropPreviousJob(const api::RestoreRequest& request, const JobContext& context);
nlohmann::json BuildMediaRestoreJob(const api::RestoreRequest& request, const JobContext& context, size_t index,
                                    const std::string& backup_id, bool safety_backup_done);
nlohmann::json BuildPostRestoreJob(const api::RestoreRequest& request, size_t index);
// The user's SQL checks (spec.verify.sql) against the restored database's server
// (`lifeboat agent verify`); needs spec.database.
nlohmann::json BuildVerifyJob(const api::RestoreRequest& request, const JobContext& context);


std::vector<SecretKeyNeed> RequiredSecretKeys(const api::RestoreRequestSpec& spec, const api::Repository& repository,
                                              const std::string& repository_field);

}  // namespace lifeboat::controllers::restorerequest
