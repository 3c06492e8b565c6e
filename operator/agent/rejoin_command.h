// `lifeboat agent rejoin`: turns a stopped former primary into a streaming standby of the new
// primary, inside a Job that mounts its data volume and runs as the data's owner. It rewinds the
// data folder to the new primary's timeline (pg_rewind, which finishes crash recovery first and says
// when no rewind is needed), keeps the server's own configuration files (pg_rewind copies the
// source's, which may listen on another port or trust other clients), writes standby.signal and
// appends primary_conninfo, primary_slot_name and recovery_target_timeline = 'latest' to
// postgresql.auto.conf. Starting the server is the workload's job (the controller scales it back).
#pragma once

#include <string>

#include "operator/agent/agent_result.h"
#include "operator/agent/command_context.h"

namespace lifeboat::agent {

struct RejoinCommand {
  std::string data_dir;          // The former primary's PGDATA.
  std::string primary_host;      // The new primary, as the standby will reach it.
  std::int64_t primary_port = 5432;
  std::string slot;              // Physical slot on the new primary (the controller creates it).
  std::string application_name;  // How the standby shows in pg_stat_replication.
  std::string source_user;       // pg_rewind's connection to the new primary; its password: PGPASSWORD.
  std::string postgres_root = "/usr/lib/postgresql";  // <major>/bin, the major from PG_VERSION.
  // primary_conninfo's user and password: LIFEBOAT_REPLICATION_USER / LIFEBOAT_REPLICATION_PASSWORD.
};

AgentResult RunRejoinCommand(const RejoinCommand& command, const CommandContext& context);

// The lines appended to postgresql.auto.conf (values quoted for the configuration file).
std::string StandbySettings(const RejoinCommand& command, const std::string& user, const std::string& password);

}  // namespace lifeboat::agent
