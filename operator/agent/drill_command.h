// `lifeboat agent drill`: a restore rehearsal inside the drill's Pod. It needs only the repository:
// it never receives production credentials and never connects to production. It chooses the
// newest complete backup of each source of the policy (never a pre-restore safety backup), starts a
// scratch PostgreSQL of the manifest's major version in scratch space (scratch_postgres.h), restores
// the globals' roles and each database into it (RestoreRunner: row counts and table checksums against
// the manifest), runs amcheck on every B-tree index and the user's SQL checks, restores media into
// scratch space (per-file SHA-256 against the manifest), and measures RTO and RPO. restic reads the
// repository with non-exclusive locks only, so a drill and a backup can run at the same time.
#pragma once

#include <string>
#include <vector>

#include "operator/agent/agent_result.h"
#include "operator/agent/command_context.h"
#include "operator/agent/repository_config.h"

namespace lifeboat::agent {

struct DrillCommand {
  RepositoryConfig repository;
  std::string policy;                // Whose backups are drilled.
  std::vector<std::string> sources;  // "database:<source>" / "media:<source>"; empty: every source of the newest backup.
  std::string work_dir = "/scratch";  // Scratch space: the scratch server's data and the restored media.
  int jobs = 2;                      // pg_restore -j
  bool amcheck = true;
  bool file_checksums = true;
  std::string checks_json;           // The user's SQL checks (as for `agent verify`).
  std::string postgres_root = "/usr/lib/postgresql";  // Where the server binaries of each major version are.
};

AgentResult RunDrillCommand(const DrillCommand& command, const CommandContext& context);

}  // namespace lifeboat::agent
