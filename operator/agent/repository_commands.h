// The agent's repository commands as functions: `catalog` (the backups in a repository, and which
// backup restores each selected source), `retention` (a policy's keep rules), `check` (restic
// check) and `reports` (a drill's stored reports and whether their hash chain is intact). Each opens the repository its flags name and turns the work into the command's result.
// Callable in-process with a test CommandContext.
#pragma once

#include <string>
#include <vector>

#include "operator/agent/agent_result.h"
#include "operator/agent/command_context.h"
#include "operator/agent/repository_config.h"
#include "operator/agent/retention_runner.h"

namespace lifeboat::agent {

struct CatalogCommand {
  RepositoryConfig repository;
  std::string policy;     // Only this policy's backups (and "latest" among them).
  std::string backup_id;  // Only this backup, with its full manifest.
  bool manifests = false;
  bool include_incomplete = false;
  std::vector<std::string> selections;  // database:<source>[@<id>] | media:<source>[@<id>]
  std::string before;                   // RFC 3339: selections only take backups at or before it.
};

// The full catalog goes to context.listing; the result carries the ids and the selections.
AgentResult RunCatalogCommand(const CatalogCommand& command, const CommandContext& context);

struct RetentionCommand {
  RepositoryConfig repository;
  std::string policy;
  RetentionOptions retention;
};

AgentResult RunRetentionCommand(const RetentionCommand& command, const CommandContext& context);

struct CheckCommand {
  RepositoryConfig repository;
  std::string read_data_subset;  // e.g. 10% or 1/5; empty: structure only.
};

AgentResult RunCheckCommand(const CheckCommand& command, const CommandContext& context);

// Lists a drill's reports (oldest first, to context.listing) and verifies their hash chain
// (drill_report.h). A broken chain fails the command (ReportChainBroken) naming each problem.
struct ReportsCommand {
  RepositoryConfig repository;
  std::string drill;                 // "<namespace>/<name>"
  std::string expect_newest_sha256;  // The drill's status.lastRun.report.sha256, to catch a deleted newest report.
};

AgentResult RunReportsCommand(const ReportsCommand& command, const CommandContext& context);

}  // namespace lifeboat::agent
