// `lifeboat agent backup` as a function: the command's inputs as its flags give them, and the run
// (dump and media into the repository through BackupRunner, then the policy's retention and a
// repository check when asked) turned into the command's result. Callable in-process with a test
// CommandContext.
#pragma once

#include <string>
#include <vector>

#include "operator/agent/agent_result.h"
#include "operator/agent/backup_runner.h"
#include "operator/agent/command_context.h"
#include "operator/agent/repository_config.h"
#include "operator/agent/retention_runner.h"

namespace lifeboat::agent {

struct BackupCommand {
  RepositoryConfig repository;
  PgConnectionConfig pg;
  BackupRequest request;                 // Its databases and media come from the lists below.
  std::vector<std::string> databases;    // "[source=]database"
  std::vector<std::string> media;        // "[source=]/path"
  std::vector<std::string> excludes;     // For every media source.
  std::vector<std::string> media_excludes;  // "SOURCE=PATTERN"
  bool no_globals = false;
  bool no_media_checksums = false;
  RetentionOptions retention;
  std::string check_subset;  // After success, `restic check --read-data-subset`; empty: none.
  std::string agent_version;
};

AgentResult RunBackupCommand(BackupCommand command, const CommandContext& context);

// "<policy>-<yyyymmdd>-<hhmmss>-<5 random [a-z0-9]>": a run's id when the Job names none.
std::string DefaultBackupId(const std::string& policy, WallTime now);

}  // namespace lifeboat::agent
