// `lifeboat agent drill`: a restore rehearsal inside the drill's Pod. It needs only the repository:
// it never receives production credentials and never connects to production. It chooses the
// newest complete backup of each source of the policy (never a pre-restore safety backup), starts a
// scratch PostgreSQL of the manifest's major version in scratch space (scratch_postgres.h), restores
// the globals' roles and each database into it (RestoreRunner: row counts and table checksums against
// the manifest), runs amcheck on every B-tree index and the user's SQL checks, restores media into
// scratch space (per-file SHA-256 against the manifest), and measures RTO and RPO. restic reads the
// repository with non-exclusive locks only, so a drill and a backup can run at the same time.
// Last, it stores its report in the repository (drill_report.h); a run whose report could not be
// stored fails (ReportNotStored), since the evidence is what a drill is for.
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
  bool row_counts = true;       // Restored tables' row counts against the manifest.
  bool table_checksums = true;  // ... and their checksums, where the backup recorded them.
  bool amcheck = true;
  bool heap = false;  // verify_heapam on every table (reads them once more).
  bool file_checksums = true;
  std::string checks_json;           // The user's SQL checks (as for `agent verify`).
  std::string postgres_root = "/usr/lib/postgresql";  // Where the server binaries of each major version are.
  // Set ("latest"; also a time or lsn:X/Y): rehearse a point-in-time recovery instead of a dump
  // restore. The policy's base backup and archived WAL are recovered into the scratch server
  // (PointInTimeRecovery), the "database:<name>" sources (empty: every database of the recovered
  // cluster) are checked there (amcheck, heap check, SQL checks: a recovered cluster has no manifest
  // to count rows against), media sources are restored as usual, and the RPO is the drill's start
  // minus the last replayed commit: what a disaster at the start would have lost.
  std::string recovery_target;
  // The evidence (drill_report.h): with a drill ("<namespace>/<name>") the run stores its report in
  // the repository, chained to the drill's previous report; without one it stores none.
  std::string drill;
  std::string run;      // The run's id (the Job's name).
  std::string trigger = "Manual";
  std::string rto_objective;  // spec.objectives, as duration text, judged in the report.
  std::string rpo_objective;
  std::string agent_version;
};

AgentResult RunDrillCommand(const DrillCommand& command, const CommandContext& context);

}  // namespace lifeboat::agent
