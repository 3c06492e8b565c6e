// CommandContext: what an agent command takes from the process it runs in — the clock, the
// environment (for the repository's secrets), where log lines and the catalog listing go, the
// process runner, how to reach PostgreSQL, and the cancellation token. `lifeboat agent` builds the
// real one (operator/cmd/agent_command.cc); tests build one with fakes and run a command in-process.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "operator/agent/agent_result.h"
#include "operator/agent/backup_runner.h"
#include "operator/agent/cancellation.h"
#include "operator/agent/pg_session.h"
#include "operator/agent/process_runner.h"
#include "operator/agent/repository_config.h"
#include "operator/core/clock.h"

namespace lifeboat::agent {

using PgConnectorFactory = std::function<std::unique_ptr<PgConnector>(const PgConnectionConfig& config)>;

struct CommandContext {
  const Clock& clock;
  std::map<std::string, std::string> environment;
  LogSink log;
  ProcessRunner& runner;
  PgConnectorFactory connect_pg;
  const Cancellation& cancellation;
  std::ostream& listing;  // Where `catalog` prints the full catalog (stdout).
  std::function<void(std::chrono::milliseconds)> sleep;  // Waits between the swap's retries.
};

// Closes a command's result: the start and end times and duration, and "Cancelled" (with the
// failure kept in the message) when the run failed because it was asked to stop.
void FinishResult(AgentResult& result, WallTime start, const CommandContext& context);

// The repository the command's flags name, with its secrets from the environment.
StatusOr<ResticInvocation> RepositoryInvocation(const RepositoryConfig& repository, const CommandContext& context);

}  // namespace lifeboat::agent
