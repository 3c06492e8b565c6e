// `lifeboat agent restore` and `lifeboat agent verify` as functions: the commands' inputs as their
// flags give them, and the run (RestoreRunner; the user's SQL checks) turned into the result.
// Callable in-process with a test CommandContext.
#pragma once

#include <string>

#include "operator/agent/agent_result.h"
#include "operator/agent/command_context.h"
#include "operator/agent/repository_config.h"
#include "operator/agent/restore_runner.h"

namespace lifeboat::agent {

struct RestoreCommand {
  RepositoryConfig repository;
  PgConnectionConfig pg;
  RestoreRequest request;  // Mode, strategy, media mode and checks come from the fields below.
  std::string mode = "NewDatabase";
  std::string strategy = "Swap";
  std::string media_mode = "Merge";
  std::string media_owner;  // "UID:GID": give every restored file and folder this owner.
  std::string checks_json;  // A JSON list of SQL checks, or
  std::string checks_file;  // a file holding one.
  bool no_verify = false;
  bool no_create_roles = false;
  // Point-in-time recovery instead of a backup: "latest", an RFC 3339 time or "lsn:X/Y". The
  // policy's base backups and archived WAL are recovered in scratch space (--work-dir), then
  // request.database_source of the recovered cluster (or only request.tables of it) is restored
  // like a dump. Exclusive with request.backup_id.
  std::string recovery_target;
  std::string policy;                                 // Whose base backups and WAL.
  std::string postgres_root = "/usr/lib/postgresql";  // <major>/bin of the recovery server.
};

AgentResult RunRestoreCommand(RestoreCommand command, const CommandContext& context);

struct VerifyCommand {
  PgConnectionConfig pg;
  std::string database;  // Where the checks run unless a check names another database.
  std::string checks_json;
  std::string checks_file;
};

AgentResult RunVerifyCommand(const VerifyCommand& command, const CommandContext& context);

}  // namespace lifeboat::agent
