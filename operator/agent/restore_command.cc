#include "operator/agent/restore_command.h"

#include <fstream>
#include <iterator>

#include "operator/agent/external_programs.h"
#include "operator/agent/maintenance_results.h"
#include "operator/agent/media_ownership.h"
#include "operator/agent/point_in_time_recovery.h"
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

RecoveryReport RecoveryReportOf(const RestoreCommand& command, const RecoveryOutcome& recovered) {
  RecoveryReport report;
  report.target = command.recovery_target;
  report.base_backup_id = recovered.base_backup_id;
  report.base_consistent_time = recovered.base_consistent_time;
  report.reached_time = recovered.reached_time;
  report.reached_lsn = recovered.reached_lsn;
  report.archive_until = recovered.archive_until;
  report.replayed_to_end = recovered.replayed_to_end;
  report.wal_snapshots = recovered.wal_snapshots;
  report.fetch_seconds = recovered.fetch_seconds;
  report.replay_seconds = recovered.replay_seconds;
  report.tables = command.request.tables;
  return report;
}

// The recovered server's globals (roles), so the restore can create the roles the database needs.
StatusOr<std::string> RecoveredGlobals(ProcessRunner& runner, const PgConnectionConfig& server) {
  ProcessSpec spec;
  spec.argv = {kPgDumpAll, "--globals-only", "-h", server.host, "-p", server.port, "-U", server.user, "--no-password"};
  std::string sql;
  auto result = runner.Run(spec, "", [&](const std::string& line) { sql += line + "\n"; });
  if (!result.ok()) return result.status();
  if (!result->Succeeded()) return InternalError("pg_dumpall --globals-only of the recovered server " + result->Describe());
  return sql;
}

// --recovery-target: recover the policy's cluster to the target in scratch space, then restore the
// wanted database (or tables) from it with the same guards and verification as a dump.
AgentResult RunPointInTimeRestore(const RestoreCommand& command, RestoreRequest r, ResticClient& restic,
                                  const CommandContext& context, AgentResult result, WallTime start) {
  auto target = ParseRecoveryTarget(command.recovery_target);
  if (!target.ok() || command.policy.empty() || r.target_database.empty() || r.database_source.empty()) {
    result.status = !target.ok() ? target.status()
                                 : InvalidArgumentError("--recovery-target needs --policy, --database-source (the database in the "
                                                        "recovered cluster) and --target-database");
    result.reason = "InvalidRequest";
    FinishResult(result, start, context);
    return result;
  }
  PointInTimeRecovery recovery(restic, context.runner, context.connect_pg, context.clock, context.log, context.sleep);
  RecoveryOutcome recovered = recovery.Recover({command.policy, *target, r.work_dir, command.postgres_root});
  RestoreResult fields;
  fields.repository = restic.location();
  fields.policy = command.policy;
  fields.recovery = RecoveryReportOf(command, recovered);
  if (!recovered.status.ok()) {
    result.status = recovered.status;
    result.reason = recovered.reason;
    result.fields = RestoreResultToJson(fields);
    FinishResult(result, start, context);
    return result;
  }
  auto server = context.connect_pg(recovery.Connection());
  auto db = DescribeRecoveredDatabase(*server, r.database_source, r.tables, r.table_checksums, r.verify);
  auto globals = db.ok() ? RecoveredGlobals(context.runner, recovery.Connection()) : db.status();
  if (!db.ok() || !globals.ok()) {
    result.status = !db.ok() ? db.status() : globals.status();
    result.reason = db.ok() || db.status().code() != StatusCode::kNotFound ? "RecoveryFailed" : "SourceNotFound";
    result.fields = RestoreResultToJson(fields);
    FinishResult(result, start, context);
    return result;
  }
  Manifest manifest;
  manifest.backup_id = recovered.base_backup_id;
  manifest.policy = command.policy;
  // The restored state is as of the last replayed commit: that is the recovery point (RPO).
  manifest.start_time = recovered.reached_time.empty() ? recovered.base_consistent_time : recovered.reached_time;
  manifest.globals = {true, globals->size(), *globals};
  manifest.databases.push_back(*db);
  r.backup_id = recovered.base_backup_id;
  // One stream from the recovered server into pg_restore: measured faster than keeping a local copy
  // for a parallel post-data step (bench/pitr), and it needs no more scratch space.
  r.jobs = 1;
  const PgConnectionConfig from = recovery.Connection();
  auto producer = [from, tables = r.tables](const DatabaseBackup& d) {
    ProcessSpec dump;
    dump.argv = {kPgDump, "-Fc", "-Z", "0", "-h", from.host, "-p", from.port, "-U", from.user, "--no-password", "-d", d.database};
    for (const auto& t : d.tables) {
      if (!tables.empty()) dump.argv.insert(dump.argv.end(), {"-t", "\"" + t.schema + "\".\"" + t.name + "\""});
    }
    return dump;
  };
  auto connector = context.connect_pg(r.pg);
  RestoreRunner restore(restic, *connector, context.runner, context.clock, context.log);
  const RestoreOutcome outcome = restore.RunFromServer(r, manifest, producer);
  recovery.Stop();
  result.status = outcome.status;
  result.reason = outcome.reason;
  RestoreResult restored = ReportOf(r, outcome, restic.location());
  restored.policy = command.policy;
  restored.recovery = fields.recovery;
  result.fields = RestoreResultToJson(restored);
  if (outcome.status.ok()) {
    context.log("info", "Point-in-time restore completed reached=" + recovered.reached_time + " target_database=" + r.target_database);
  } else {
    context.log("error", "Point-in-time restore failed reason=" + outcome.reason + " error=" + outcome.status.ToString());
  }
  FinishResult(result, start, context);
  return result;
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
  if (!command.recovery_target.empty() || !command.request.tables.empty()) {
    if (!r.backup_id.empty() || command.recovery_target.empty()) {
      result.status = InvalidArgumentError(command.recovery_target.empty() ? "--table needs --recovery-target"
                                                                           : "give either --backup-id or --recovery-target, not both");
      result.reason = "InvalidRequest";
      FinishResult(result, start, context);
      return result;
    }
    context.log("info", "Point-in-time restore started target=" + command.recovery_target + " policy=" + command.policy +
                            " database=" + r.database_source + " target_database=" + r.target_database);
    return RunPointInTimeRestore(command, r, restic, context, result, start);
  }
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
