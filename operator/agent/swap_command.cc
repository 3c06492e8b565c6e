#include "operator/agent/swap_command.h"

#include "operator/agent/restore_result.h"

namespace lifeboat::agent {
namespace {

void Rollback(PgSession& admin, const SwapCommand& command, AgentResult& result, SwapDatabaseResult& fields) {
  auto r = RunRollback(admin, command.names, command.keep_failed_as);
  result.status = r.status();
  if (!r.ok()) {
    result.reason = "RollbackFailed";
    return;
  }
  fields.swapped = r->swapped;
  fields.live_intact = r->live_intact;
  fields.staging_dropped = r->staging_dropped;
  fields.kept_as = r->kept_as;
  fields.state = r->message;
}

void Swap(PgSession& admin, const SwapCommand& command, const CommandContext& context, AgentResult& result,
          SwapDatabaseResult& fields) {
  auto swapped = RunSwap(admin, command.names, context.clock, context.sleep);
  result.status = swapped.status();
  if (!swapped.ok()) {
    result.reason = "SwapFailed";
    return;
  }
  fields.swapped = swapped->swapped;
  fields.already_swapped = swapped->already_swapped;
  fields.terminated_sessions = swapped->terminated_sessions;
  fields.unavailable_seconds = swapped->unavailable_seconds;
  context.log("info", "Database swapped database=" + command.names.live + " previous=" + command.names.previous +
                          " unavailable_seconds=" + std::to_string(swapped->unavailable_seconds));
}

}  // namespace

AgentResult RunSwapCommand(const SwapCommand& command, const CommandContext& context) {
  const WallTime start = context.clock.Now();
  AgentResult result;
  result.command = "swap-database";
  SwapDatabaseResult fields;
  fields.action = command.rollback ? "rollback" : (command.drop_previous ? "drop-previous" : "swap");
  fields.database = command.names.live;
  fields.staging = command.names.staging;
  fields.previous = command.names.previous;
  auto connector = context.connect_pg(command.pg);
  auto admin = connector->Connect(command.maintenance_database);
  if (!admin.ok()) {
    result.status = admin.status();
    result.reason = ConnectionFailureReason(admin.status());
  } else if (command.rollback) {
    Rollback(**admin, command, result, fields);
  } else if (command.drop_previous) {
    auto dropped = DropPrevious(**admin, command.names);
    result.status = dropped.status();
    result.reason = dropped.ok() ? "" : "DropFailed";
    fields.dropped = dropped.ok() && *dropped;
  } else {
    Swap(**admin, command, context, result, fields);
  }
  result.fields = SwapDatabaseResultToJson(fields);
  FinishResult(result, start, context);
  return result;
}

}  // namespace lifeboat::agent
