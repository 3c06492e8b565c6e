#include "operator/agent/restore_command.h"

#include <fstream>
#include <iterator>

#include "operator/agent/maintenance_results.h"
#include "operator/agent/media_ownership.h"
#include "operator/agent/restic_client.h"
#include "operator/agent/sql_check_runner.h"

namespace lifeboat::agent {
namespace {

// The SQL checks of checks_json or checks_file (none when both are empty).
StatusOr<std::vector<SqlCheck>> LoadChecks(const std::string& json, const std::string& file) {
  std::string text = json;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return InvalidArgumentError("cannot read --checks-file " + file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  if (text.empty()) return std::vector<SqlCheck>{};
  return ParseSqlChecks(text);
}

// The RestoreRequest the command describes; InvalidArgument for an unknown mode or bad checks.
StatusOr<RestoreRequest> RequestOf(const RestoreCommand& command) {
  RestoreRequest r = command.request;
  r.pg = command.pg;
  r.verify = !command.no_verify;
  r.create_roles = !command.no_create_roles;
  auto mode = ParseDatabaseRestoreMode(command.mode);
  if (!mode.ok()) return mode.status();
  r.mode = *mode;
  auto strategy = ParseReplaceStrategy(command.strategy);
  if (!strategy.ok()) return strategy.status();
  r.strategy = *strategy;
  auto media_mode = ParseMediaRestoreMode(command.media_mode);
  if (!media_mode.ok()) return media_mode.status();
  r.media_mode = *media_mode;
  if (!command.media_owner.empty()) {
    auto owner = ParseMediaOwner(command.media_owner);
    if (!owner.ok()) return owner.status();
    r.media_owner = *owner;
  }
  auto checks = LoadChecks(command.checks_json, command.checks_file);
  if (!checks.ok()) return checks.status();
  r.checks = *checks;
  return r;
}

RestoreResult ReportOf(const RestoreRequest& request, const RestoreOutcome& outcome, const std::string& repository) {
  RestoreResult fields;
  fields.repository = repository;
  fields.backup_time = outcome.backup_time;
  fields.policy = outcome.policy;
  if (!request.target_database.empty()) fields.database = outcome.database;
  if (!request.media_target.empty()) fields.media = outcome.media;
  fields.checks = outcome.checks;
  fields.mismatches = outcome.mismatches;
  return fields;
}

}  // namespace

AgentResult RunRestoreCommand(RestoreCommand command, const CommandContext& context) {
  const WallTime start = context.clock.Now();
  AgentResult result;
  result.command = "restore";
  result.backup_id = command.request.backup_id;
  auto request = RequestOf(command);
  auto invocation = request.ok() ? RepositoryInvocation(command.repository, context) : request.status();
  if (!invocation.ok()) {
    result.status = invocation.status();
    result.reason = "InvalidRequest";
    FinishResult(result, start, context);
    return result;
  }
  const RestoreRequest& r = *request;
  ResticClient restic(context.runner, *invocation, [&](const std::string& m) { context.log("info", m); }, context.sleep);
  auto connector = context.connect_pg(r.pg);
  RestoreRunner restore(restic, *connector, context.runner, context.clock, context.log);
  context.log("info", "Restore started backup_id=" + r.backup_id + " target_database=" + r.target_database +
                          " media_target=" + r.media_target + " repository=" + restic.location());
  const RestoreOutcome outcome = restore.Run(r);
  result.status = outcome.status;
  result.reason = outcome.reason;
  result.fields = RestoreResultToJson(ReportOf(r, outcome, restic.location()));
  if (outcome.status.ok()) {
    context.log("info", "Restore completed backup_id=" + r.backup_id);
  } else {
    context.log("error", "Restore failed reason=" + outcome.reason + " error=" + outcome.status.ToString());
  }
  FinishResult(result, start, context);
  return result;
}

AgentResult RunVerifyCommand(const VerifyCommand& command, const CommandContext& context) {
  const WallTime start = context.clock.Now();
  AgentResult result;
  result.command = "verify";
  auto checks = LoadChecks(command.checks_json, command.checks_file);
  if (checks.ok() && checks->empty()) checks = InvalidArgumentError("no checks: give --checks-json or --checks-file");
  if (!checks.ok()) {
    result.status = checks.status();
    result.reason = "InvalidRequest";
    FinishResult(result, start, context);
    return result;
  }
  auto connector = context.connect_pg(command.pg);
  SqlChecksOutcome outcome = RunSqlChecks(*connector, command.database, *checks, context.log);
  result.fields = VerifyResultToJson({command.database, outcome.checks, true});
  if (!outcome.all_passed) {
    result.status = InternalError(outcome.first_failure);
    result.reason = "CheckFailed";
  }
  FinishResult(result, start, context);
  return result;
}

}  // namespace lifeboat::agent
