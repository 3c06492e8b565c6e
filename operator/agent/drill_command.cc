#include "operator/agent/drill_command.h"

#include <memory>
#include <optional>

#include "operator/agent/amcheck.h"
#include "operator/agent/catalog.h"
#include "operator/agent/drill_report.h"
#include "operator/agent/drill_result.h"
#include "operator/agent/point_in_time_recovery.h"
#include "operator/agent/restic_client.h"
#include "operator/agent/restore_runner.h"
#include "operator/agent/scratch_postgres.h"
#include "operator/agent/sha256.h"
#include "operator/agent/snapshot_tags.h"
#include "operator/agent/sql_check_runner.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace {

// One drill run: its inputs, the repository, the scratch server and the result being built.
class Drill {
 public:
  Drill(const DrillCommand& command, const CommandContext& context, ResticClient& restic)
      : command_(command), context_(context), restic_(restic) {
    fields_.policy = command.policy;
    fields_.repository = restic.location();
  }

  // Runs every step (a failed database or media source does not stop the others); the first
  // failure, its reason in `reason`, or Ok.
  Status Run(std::string* reason) {
    std::vector<BackupSelection> selections;
    if (Status chosen = Choose(&selections); !chosen.ok()) {
      *reason = pending_reason_;
      return chosen;
    }
    if (Recovering()) Note(RecoverDatabases(selections));
    for (const BackupSelection& s : selections) {
      if (s.kind == kRoleDatabase && !Recovering()) Note(RestoreDatabase(s));
    }
    if (first_failure_.ok() && !restored_databases_.empty()) Note(RunSqlChecksOnScratch());
    for (const BackupSelection& s : selections) {
      if (s.kind == kRoleMedia) Note(RestoreMedia(s));
    }
    if (scratch_) scratch_->Stop();
    if (recovery_) recovery_->Stop();
    *reason = first_reason_;
    return first_failure_;
  }

  DrillResult& fields() { return fields_; }
  const std::vector<DrillCheck>& all_checks() const { return all_checks_; }

 private:
  void Note(Status s) {
    if (s.ok() || !first_failure_.ok()) return;
    first_failure_ = s;
    first_reason_ = pending_reason_;
  }
  // Every check goes into the report; the result (and so status) keeps a bounded list.
  void Check(DrillCheck check) {
    all_checks_.push_back(check);
    AddDrillCheck(fields_, std::move(check));
  }
  // A step's failure with its reason (Note keeps the first).
  Status Fail(Status s, const std::string& reason) {
    pending_reason_ = reason;
    return s;
  }

  // The newest complete backup of each source (never a pre-restore safety backup).
  Status Choose(std::vector<BackupSelection>* selections) {
    auto snapshots = restic_.Snapshots({kTagLifeboat, Tag(kTagPolicy, command_.policy)});
    if (!snapshots.ok()) {
      return Fail(snapshots.status(), snapshots.status().code() == StatusCode::kPermissionDenied ? "RepositoryAccessDenied"
                                                                                                : "RepositoryFailed");
    }
    const std::vector<CatalogEntry> catalog = BuildCatalog(*snapshots);
    if (command_.sources.empty()) {
      for (const CatalogEntry& e : catalog) {
        if (!e.complete || e.run_kind == kRunKindPreRestore) continue;
        for (const auto& [source, id] : e.database_snapshots) {
          if (!Recovering()) selections->push_back({kRoleDatabase, source, ""});
        }
        for (const auto& [source, id] : e.media_snapshots) selections->push_back({kRoleMedia, source, ""});
        break;
      }
    } else {
      for (const std::string& text : command_.sources) {
        auto parsed = ParseBackupSelection(text);
        if (!parsed.ok()) return Fail(parsed.status(), "InvalidRequest");
        selections->push_back(*parsed);
      }
    }
    if (selections->empty() && !Recovering()) {
      return Fail(NotFoundError("policy \"" + command_.policy + "\" has no complete backup in " + restic_.location()),
                  "BackupNotFound");
    }
    for (BackupSelection& s : *selections) {
      if (s.kind == kRoleDatabase && Recovering()) continue;  // From the recovered cluster, not a dump.
      SelectedBackup chosen = SelectBackup(catalog, s, command_.policy, std::nullopt);
      if (!chosen.error.empty()) return Fail(NotFoundError(chosen.error), "BackupNotFound");
      s.backup_id = chosen.backup_id;
      fields_.sources.push_back({s.kind + ":" + s.source, chosen.backup_id, chosen.time});
    }
    return Status::Ok();
  }

  // The scratch server, started for the first database with the major version of its manifest.
  Status EnsureScratch(const std::string& backup_id, const std::string& source) {
    if (scratch_) return Status::Ok();
    auto manifest = LoadManifest(restic_, backup_id);
    if (!manifest.ok()) return Fail(manifest.status(), "RepositoryFailed");
    std::string version;
    for (const DatabaseBackup& d : manifest->databases) {
      if (d.source == source) version = d.server_version;
    }
    auto bin = ServerBinDir(version, command_.postgres_root);
    if (!bin.ok()) return Fail(bin.status(), "DatabaseVersionUnsupported");
    fields_.server_version = version;
    scratch_ = std::make_unique<ScratchPostgres>(context_.runner, *bin, command_.work_dir + "/postgres", context_.log);
    Status started = scratch_->Start();
    if (!started.ok()) return Fail(started, "ScratchServerFailed");
    connector_ = context_.connect_pg(scratch_->Connection());
    return Status::Ok();
  }

  RestoreRequest BaseRequest(const std::string& backup_id) const {
    RestoreRequest r;
    r.backup_id = backup_id;
    r.request_marker = "drill/" + command_.policy;
    r.jobs = command_.jobs;
    r.work_dir = command_.work_dir;
    return r;
  }

  Status RestoreDatabase(const BackupSelection& s) {
    LIFEBOAT_RETURN_IF_ERROR(EnsureScratch(s.backup_id, s.source));
    RestoreRequest r = BaseRequest(s.backup_id);
    r.pg = scratch_->Connection();
    r.database_source = s.source;
    r.target_database = s.source;
    r.verify = command_.row_counts || command_.table_checksums;
    r.table_checksums = command_.table_checksums;
    RestoreRunner runner(restic_, *connector_, context_.runner, context_.clock, context_.log);
    const RestoreOutcome outcome = runner.Run(r);
    fields_.fetch_seconds += outcome.database.fetch_seconds;
    fields_.restore_seconds += outcome.database.restore_seconds;  // Includes the data phase (data_seconds).
    fields_.verify_seconds += outcome.database.verify_seconds;
    const std::string tables = std::to_string(outcome.database.tables_verified) + " tables";
    if (!r.verify) {
      Check({s.source + " restore", "Restore", "restored", outcome.status.ok() ? "restored" : "failed", outcome.status.ok(),
             outcome.status.ok() ? "" : outcome.status.message()});
    } else {
      Check({s.source + " tables", outcome.database.checksums_verified ? "TableChecksum" : "RowCount",
                            "row counts" + std::string(outcome.database.checksums_verified ? " and checksums" : "") +
                                " as in the manifest",
                            outcome.status.ok() ? tables + " match" : "differ", outcome.status.ok(),
                            outcome.status.ok() ? "" : outcome.status.message()});
    }
    for (const std::string& mismatch : outcome.mismatches) Check({mismatch, "RowCount", "", "", false, mismatch});
    if (!outcome.status.ok()) return Fail(outcome.status, outcome.reason);
    restored_databases_.push_back(s.source);
    Status indexes = command_.amcheck ? CheckIndexes(s.source) : Status::Ok();
    Status heaps = command_.heap ? CheckTables(s.source) : Status::Ok();
    return indexes.ok() ? heaps : indexes;
  }

  bool Recovering() const { return !command_.recovery_target.empty(); }

  // The point-in-time rehearsal: the policy's cluster recovered to the target into scratch space,
  // then every wanted database of it checked (amcheck, heap check; the SQL checks follow in Run).
  Status RecoverDatabases(const std::vector<BackupSelection>& selections) {
    auto target = ParseRecoveryTarget(command_.recovery_target);
    if (!target.ok()) return Fail(target.status(), "InvalidRequest");
    recovery_ = std::make_unique<PointInTimeRecovery>(restic_, context_.runner, context_.connect_pg, context_.clock,
                                                      context_.log, context_.sleep);
    const RecoveryOutcome out = recovery_->Recover({command_.policy, *target, command_.work_dir, command_.postgres_root});
    fields_.recovery = DrillRecovery{command_.recovery_target, out.base_backup_id, out.reached_time, out.reached_lsn,
                                     out.archive_until,        out.wal_snapshots,  out.replay_seconds};
    fields_.server_version = out.server_version;
    fields_.fetch_seconds += out.fetch_seconds;
    fields_.restore_seconds += out.replay_seconds;
    // The point reached stands for the backup's time: the RPO is measured from it.
    const std::string reached = out.reached_time.empty() ? out.base_consistent_time : out.reached_time;
    if (!out.base_backup_id.empty()) fields_.sources.push_back({"recovery:" + command_.recovery_target, out.base_backup_id, reached});
    Check({"recovery to " + command_.recovery_target, "Recovery", "WAL replayed to " + command_.recovery_target,
           out.status.ok() ? "reached " + (reached.empty() ? std::string("the base backup's end") : reached) : "failed",
           out.status.ok(), out.status.ok() ? "" : out.status.message()});
    if (!out.status.ok()) return Fail(out.status, out.reason);
    connector_ = context_.connect_pg(recovery_->Connection());
    std::vector<std::string> databases;
    for (const BackupSelection& s : selections) {
      if (s.kind == kRoleDatabase) databases.push_back(s.source);
    }
    if (databases.empty()) {
      auto listed = RecoveredDatabases();
      if (!listed.ok()) return Fail(listed.status(), "RecoveryFailed");
      databases = *listed;
    }
    Status first = Status::Ok();
    for (const std::string& db : databases) {
      Status checked = command_.amcheck ? CheckIndexes(db) : Status::Ok();
      if (checked.ok() && command_.heap) checked = CheckTables(db);
      if (checked.ok()) restored_databases_.push_back(db);
      if (!checked.ok() && first.ok()) first = checked;
    }
    return first;
  }

  // The user databases of the recovered cluster (not the templates, not postgres).
  StatusOr<std::vector<std::string>> RecoveredDatabases() {
    auto session = connector_->Connect("postgres");
    if (!session.ok()) return session.status();
    auto rows = (*session)->QueryReadOnly(
        "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY datname");
    if (!rows.ok()) return rows.status();
    std::vector<std::string> names;
    for (const auto& row : *rows) {
      if (!row.empty() && row[0]) names.push_back(*row[0]);
    }
    return names;
  }

  Status CheckTables(const std::string& database) {
    const WallTime start = context_.clock.Now();
    auto session = connector_->Connect(database);
    if (!session.ok()) return Fail(session.status(), "ScratchServerFailed");
    auto checks = CheckHeaps(**session);
    fields_.verify_seconds += std::chrono::duration<double>(context_.clock.Now() - start).count();
    if (!checks.ok()) return Fail(checks.status().WithContext("verify_heapam in " + database), "AmcheckFailed");
    std::string failed;
    for (const HeapCheck& c : *checks) {
      const std::string actual = c.passed ? "consistent" : std::to_string(c.corruptions) + " corruption(s)";
      Check({c.table, "HeapCheck", "consistent", actual, c.passed, c.message});
      if (!c.passed && failed.empty()) failed = c.table + ": " + c.message;
    }
    if (failed.empty()) return Status::Ok();
    return Fail(InternalError("verify_heapam found a damaged table in " + database + ": " + failed), "AmcheckFailed");
  }

  Status CheckIndexes(const std::string& database) {
    const WallTime start = context_.clock.Now();
    auto session = connector_->Connect(database);
    if (!session.ok()) return Fail(session.status(), "ScratchServerFailed");
    auto checks = CheckBtreeIndexes(**session);
    fields_.verify_seconds += std::chrono::duration<double>(context_.clock.Now() - start).count();
    if (!checks.ok()) return Fail(checks.status().WithContext("amcheck in " + database), "AmcheckFailed");
    std::string failed;
    for (const IndexCheck& c : *checks) {
      Check({c.index, "Amcheck", "consistent", c.passed ? "consistent" : "corrupt", c.passed, c.message});
      if (!c.passed && failed.empty()) failed = c.index + ": " + c.message;
    }
    if (failed.empty()) return Status::Ok();
    return Fail(InternalError("amcheck found a damaged index in " + database + ": " + failed), "AmcheckFailed");
  }

  Status RunSqlChecksOnScratch() {
    if (command_.checks_json.empty()) return Status::Ok();
    auto checks = ParseSqlChecks(command_.checks_json);
    if (!checks.ok()) return Fail(checks.status(), "InvalidRequest");
    SqlChecksOutcome outcome = RunSqlChecks(*connector_, restored_databases_.front(), *checks, context_.log);
    for (const SqlCheckReport& c : outcome.checks) Check({c.name, "SQL", "", "", c.passed, c.message});
    if (outcome.all_passed) return Status::Ok();
    return Fail(InternalError(outcome.first_failure), "CheckFailed");
  }

  Status RestoreMedia(const BackupSelection& s) {
    RestoreRequest r = BaseRequest(s.backup_id);
    r.media_source = s.source;
    r.media_target = command_.work_dir + "/media/" + s.source;
    r.verify = command_.file_checksums;
    ScratchlessConnector none;
    RestoreRunner runner(restic_, none, context_.runner, context_.clock, context_.log);
    const WallTime start = context_.clock.Now();
    const RestoreOutcome outcome = runner.Run(r);
    fields_.restore_seconds += std::chrono::duration<double>(context_.clock.Now() - start).count();
    const std::string files = std::to_string(outcome.media.files_verified) + " files";
    Check({s.source + " files", "FileChecksum", "sizes and SHA-256 as in the manifest",
                            outcome.status.ok() ? files + " match" : std::to_string(outcome.media.mismatches) + " differ",
                            outcome.status.ok(), outcome.status.ok() ? "" : outcome.status.message()});
    for (const std::string& mismatch : outcome.mismatches) Check({mismatch, "FileChecksum", "", "", false, mismatch});
    return outcome.status.ok() ? Status::Ok() : Fail(outcome.status, outcome.reason);
  }

  // Media restores never reach PostgreSQL.
  class ScratchlessConnector final : public PgConnector {
   public:
    StatusOr<std::unique_ptr<PgSession>> Connect(const std::string&) override {
      return FailedPreconditionError("a media restore does not connect to PostgreSQL");
    }
  };

  const DrillCommand& command_;
  const CommandContext& context_;
  ResticClient& restic_;
  DrillResult fields_;
  std::vector<DrillCheck> all_checks_;
  std::unique_ptr<ScratchPostgres> scratch_;
  std::unique_ptr<PointInTimeRecovery> recovery_;  // With --recovery-target: the recovered server.
  std::unique_ptr<PgConnector> connector_;
  std::vector<std::string> restored_databases_;
  Status first_failure_;
  std::string first_reason_;
  std::string pending_reason_;
};

// Drill start − the oldest restored backup's start.
std::optional<double> RpoSeconds(const DrillResult& fields, WallTime start) {
  std::optional<double> rpo;
  for (const DrillSource& s : fields.sources) {
    auto time = ParseRfc3339(s.backup_time);
    if (!time.ok()) continue;
    const double age = std::chrono::duration<double>(start - *time).count();
    if (!rpo || age > *rpo) rpo = age;
  }
  return rpo;
}

// The newest stored report of this drill, as the link the next report carries; none for a first run.
StatusOr<std::optional<ReportLink>> PreviousReport(ResticClient& restic, const DrillIdentity& drill) {
  auto snapshots = restic.Snapshots({kTagLifeboat, Tag(kTagRole, kRoleDrillReport), Tag(kTagDrill, drill.TagValue())});
  if (!snapshots.ok()) return snapshots.status();
  const ResticSnapshot* newest = nullptr;
  for (const ResticSnapshot& s : *snapshots) {
    if (newest == nullptr || s.time > newest->time) newest = &s;
  }
  if (newest == nullptr) return std::optional<ReportLink>();
  auto content = restic.DumpToString(newest->id, kDrillReportPath);
  if (!content.ok()) return content.status().WithContext("reading the previous report " + newest->short_id);
  return std::optional<ReportLink>(ReportLink{newest->id, Sha256Hex(*content)});
}

// Stores the run's report, chained to the previous one, and names it in the result's fields.
Status StoreReport(ResticClient& restic, const DrillIdentity& drill, DrillReport report, WallTime completion,
                   DrillResult& fields) {
  auto previous = PreviousReport(restic, drill);
  if (!previous.ok()) return previous.status();
  report.previous = *previous;
  const std::string bytes = SerializeDrillReport(report);
  SnapshotOptions options;
  options.time = ResticTime(completion);
  options.tags = {kTagLifeboat, Tag(kTagPolicy, report.fields.policy), Tag(kTagRole, kRoleDrillReport),
                  Tag(kTagDrill, drill.TagValue())};
  if (!report.run.empty()) options.tags.push_back(Tag(kTagRun, report.run));
  auto id = restic.BackupString(kDrillReportPath, bytes, options);
  if (!id.ok()) return id.status();
  fields.report_snapshot_id = *id;
  fields.report_sha256 = Sha256Hex(bytes);
  fields.previous_report_sha256 = report.previous ? report.previous->sha256 : "";
  return Status::Ok();
}

// The identity of the drill whose report is stored (nullopt: none asked), validated before any work.
StatusOr<std::optional<DrillIdentity>> ReportIdentity(const DrillCommand& command) {
  if (command.drill.empty()) return std::optional<DrillIdentity>();
  auto identity = ParseDrillIdentity(command.drill);
  if (!identity.ok()) return identity.status();
  LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("--drill", identity->TagValue()));
  if (!command.run.empty()) LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("--run", command.run));
  return std::optional<DrillIdentity>(*identity);
}

}  // namespace

AgentResult RunDrillCommand(const DrillCommand& command, const CommandContext& context) {
  const WallTime start = context.clock.Now();
  AgentResult result;
  result.command = "drill";
  auto identity = ReportIdentity(command);
  auto invocation = command.policy.empty() ? StatusOr<ResticInvocation>(InvalidArgumentError("--policy is required"))
                    : !identity.ok()       ? StatusOr<ResticInvocation>(identity.status())
                                           : RepositoryInvocation(command.repository, context);
  if (!invocation.ok()) {
    result.status = invocation.status();
    result.reason = "InvalidRequest";
    FinishResult(result, start, context);
    return result;
  }
  ResticClient restic(context.runner, *invocation, [&](const std::string& m) { context.log("info", m); }, context.sleep);
  context.log("info", "Drill started policy=" + command.policy + " repository=" + restic.location());
  Drill drill(command, context, restic);
  std::string reason;
  result.status = drill.Run(&reason);
  result.reason = result.status.ok() ? "" : reason;
  DrillResult& fields = drill.fields();
  fields.rto_seconds = std::chrono::duration<double>(context.clock.Now() - start).count();
  fields.rpo_seconds = RpoSeconds(fields, start);
  if (*identity) {
    const WallTime completion = context.clock.Now();
    DrillReport report{**identity,
                       command.run,
                       command.trigger,
                       result.status.ok() ? "Succeeded" : "Failed",
                       result.reason,
                       result.status.ok() ? "" : result.status.message(),
                       FormatRfc3339(start),
                       FormatRfc3339(completion),
                       command.agent_version,
                       command.rto_objective,
                       command.rpo_objective,
                       fields,
                       drill.all_checks(),
                       std::nullopt};
    Status stored = StoreReport(restic, **identity, std::move(report), completion, fields);
    if (stored.ok()) {
      context.log("info", "Drill report stored snapshot=" + fields.report_snapshot_id + " sha256=" + fields.report_sha256);
    } else if (result.status.ok()) {
      result.status = stored.WithContext("storing the drill report");
      result.reason = "ReportNotStored";
    } else {
      context.log("error", "Drill report not stored: " + stored.ToString());
    }
  }
  result.fields = DrillResultToJson(fields);
  context.log(result.status.ok() ? "info" : "error",
              "Drill finished policy=" + command.policy + " checks=" + std::to_string(fields.checks_total) +
                  " failed=" + std::to_string(fields.checks_failed) + " rto_seconds=" + std::to_string(fields.rto_seconds) +
                  (result.status.ok() ? "" : " reason=" + reason + " error=" + result.status.ToString()));
  FinishResult(result, start, context);
  return result;
}

}  // namespace lifeboat::agent
