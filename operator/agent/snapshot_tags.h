// SnapshotTags: the restic tags every Lifeboat snapshot carries, so a repository alone (after a
// total loss) says which run, policy, role and source each snapshot belongs to:
//   lifeboat                      on every snapshot Lifeboat writes
//   lifeboat-backup=<backup id>   the run
//   lifeboat-policy=<policy>      the BackupPolicy (or whoever asked)
//   lifeboat-kind=<run kind>      scheduled | on-demand | pre-restore | ...
//   lifeboat-role=<role>          database | media | manifest
//   lifeboat-source=<source>      the database or media source (data snapshots)
// and a drill's report (drill_report.h), which belongs to no backup run:
//   lifeboat-role=drill-report, lifeboat-drill=<namespace>.<name>, lifeboat-run=<run id>
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "operator/core/status.h"

namespace lifeboat::agent {

inline constexpr const char* kTagLifeboat = "lifeboat";
inline constexpr const char* kTagBackup = "lifeboat-backup";
inline constexpr const char* kTagPolicy = "lifeboat-policy";
inline constexpr const char* kTagKind = "lifeboat-kind";
inline constexpr const char* kTagRole = "lifeboat-role";
inline constexpr const char* kTagSource = "lifeboat-source";
inline constexpr const char* kTagDrill = "lifeboat-drill";
inline constexpr const char* kTagRun = "lifeboat-run";

inline constexpr const char* kRoleDatabase = "database";
inline constexpr const char* kRoleMedia = "media";
inline constexpr const char* kRoleManifest = "manifest";
inline constexpr const char* kRoleDrillReport = "drill-report";
inline constexpr const char* kRunKindPreRestore = "pre-restore";  // Safety backups taken before a restore.

// Names used inside tags: 1..128 characters of [A-Za-z0-9._-] (what Kubernetes names allow, and
// nothing restic's tag syntax treats specially such as ',').
Status ValidateTagName(const std::string& what, const std::string& value);

std::string Tag(const char* key, const std::string& value);

// Tags of a snapshot of role `role` (source empty for the manifest) in run `backup_id`.
std::vector<std::string> RunTags(const std::string& backup_id, const std::string& policy, const std::string& kind,
                                 const char* role, const std::string& source);

}  // namespace lifeboat::agent
