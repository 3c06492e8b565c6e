// `lifeboat agent swap-database` as a function: the atomic Replace's swap, the rollback of an
// unfinished one, or the later removal of the previous database (database_swap.h), turned into the
// command's result. Callable in-process with a test CommandContext.
#pragma once

#include <string>

#include "operator/agent/agent_result.h"
#include "operator/agent/command_context.h"
#include "operator/agent/database_swap.h"

namespace lifeboat::agent {

struct SwapCommand {
  PgConnectionConfig pg;
  SwapNames names;
  std::string maintenance_database = "postgres";
  std::string keep_failed_as;  // With rollback: keep the staging database under this name.
  bool rollback = false;
  bool drop_previous = false;
};

AgentResult RunSwapCommand(const SwapCommand& command, const CommandContext& context);

}  // namespace lifeboat::agent
