#include "operator/agent/restore_runner.h"

#include <unistd.h>

#include "operator/agent/sql_check_runner.h"
#include "operator/agent/external_programs.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include "operator/agent/database_swap.h"
#include "operator/agent/media_ownership.h"
#include "operator/agent/media_scan.h"
#include "operator/agent/role_plan.h"
#include "operator/agent/snapshot_tags.h"
#include "operator/agent/stream_backup_decision.h"

namespace lifeboat::agent {
namespace {

constexpr std::size_t kMaxReportedMismatches = 20;

double Seconds(SteadyTime from, SteadyTime to) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count()) / 1000.0;
}

}  // namespace

Status ValidateRestoreRequest(const RestoreRequest& r) {
  LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("--backup-id", r.backup_id));
  if (r.target_database.empty() && r.media_target.empty()) {
    return InvalidArgumentError("nothing to restore: give --target-database and/or --media-target");
  }
  if (!r.media_target.empty() && r.media_target.front() != '/') {
    return InvalidArgumentError("--media-target must be an absolute path, got \"" + r.media_target + "\"");
  }
  if (r.media_target == "/") return InvalidArgumentError("--media-target must not be /");
  if (r.jobs < 1 || r.jobs > 64) return InvalidArgumentError("--jobs must be 1..64");
  if (r.media_mode == MediaRestoreMode::kReplace && !r.media_target.empty() && !r.safety_backup_done) {
    return FailedPreconditionError("media Replace deletes the files in " + r.media_target +
                                   ": it runs only after the safety backup, confirmed with --safety-backup-done");
  }
  return Status::Ok();
}

StatusOr<Manifest> LoadManifest(ResticClient& restic, const std::string& backup_id) {
  // One restic process (`dump --tag ... latest`), not `snapshots` then `dump`: each restic start
  // derives the repository key (scrypt, about 0.5 s of CPU) and reads the index before any work.
  auto text = restic.DumpLatest({Tag(kTagRole, kRoleManifest), Tag(kTagBackup, backup_id)}, kManifestPath);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFoundError("backup \"" + backup_id + "\" is not in the repository (no manifest with that id; list them with `lifeboat agent catalog`)");
    }
    return text.status();
  }
  return ParseManifest(*text);
}

std::vector<std::string> RestoreRunner::PgArgs(const PgConnectionConfig& pg) const {
  std::vector<std::string> args;
  if (!pg.host.empty()) args.insert(args.end(), {"-h", pg.host});
  if (!pg.port.empty()) args.insert(args.end(), {"-p", pg.port});
  if (!pg.user.empty()) args.insert(args.end(), {"-U", pg.user});
  args.push_back("--no-password");
  return args;
}

namespace {

const DatabaseBackup* FindDatabase(const RestoreRequest& request, const Manifest& manifest, RestoreOutcome* outcome,
                                   Status* error) {
  for (const auto& d : manifest.databases) {
    if (request.database_source.empty() ? manifest.databases.size() == 1 : d.source == request.database_source) return &d;
  }
  std::string names;
  for (const auto& d : manifest.databases) names += (names.empty() ? "" : ", ") + d.source;
  outcome->reason = "SourceNotFound";
  *error = NotFoundError(request.database_source.empty()
                             ? "backup " + manifest.backup_id + " has " + std::to_string(manifest.databases.size()) +
                                   " databases (" + names + "): choose one with --database-source"
                             : "backup " + manifest.backup_id + " has no database source \"" + request.database_source +
                                   "\" (it has: " + names + ")");
  return nullptr;
}

std::set<std::string> FirstColumn(const QueryRows& rows) {
  std::set<std::string> out;
  for (const auto& row : rows) {
    if (!row.empty() && row[0]) out.insert(*row[0]);
  }
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::string StagingDatabaseName(const std::string& target) {
  constexpr std::size_t kMaxIdentifier = 63;
  const std::string suffix = "_restoring";
  if (target.size() + suffix.size() <= kMaxIdentifier) return target + suffix;
  std::uint32_t hash = 2166136261u;  // FNV-1a: the same name from every build of the agent.
  for (unsigned char c : target) hash = (hash ^ c) * 16777619u;
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(hash));
  return target.substr(0, kMaxIdentifier - suffix.size() - 9) + "_" + hex + suffix;
}

// Creates the roles the backup's objects need that the target server lacks, from the globals,
// before anything else is touched (or checks the one owner role with --owner). `database_owner`:
// who owns the restored database (--owner, else the backup's owner when that role exists now;
// empty: the restoring user).
Status RestoreRunner::PrepareRoles(PgSession& admin, const RestoreRequest& request, const Manifest& manifest,
                                   const DatabaseBackup& db, RestoreOutcome* outcome, std::string* database_owner) {
  auto existing_rows = admin.Query(kExistingRolesSql, {});
  if (!existing_rows.ok()) {
    outcome->reason = "DatabaseUnavailable";
    return existing_rows.status();
  }
  std::set<std::string> existing = FirstColumn(*existing_rows);
  if (!request.owner.empty()) {
    *database_owner = request.owner;
    if (existing.count(request.owner) != 0) return Status::Ok();
    outcome->reason = "OwnerRoleNotFound";
    return FailedPreconditionError("role \"" + request.owner + "\" (the owner to restore everything as) does not exist on the "
                                   "target server; nothing was changed");
  }
  if (existing.count(db.owner) != 0) *database_owner = db.owner;
  if (!request.create_roles) return Status::Ok();
  ParsedGlobals globals = ParseGlobals(manifest.globals.sql);
  std::set<std::string> needed(db.roles.begin(), db.roles.end());
  if (!db.owner.empty()) needed.insert(db.owner);
  if (!db.roles_recorded) {
    // Backups from before roles were recorded: every role of the globals may be needed.
    for (const auto& [name, definition] : globals.roles) needed.insert(name);
  }
  RolePlan plan = PlanRoles(needed, existing, globals);
  if (!plan.undefined.empty()) {
    outcome->reason = "RolesMissing";
    return FailedPreconditionError("the backup's objects need role(s) " + JoinNames(plan.undefined) +
                                   ", which the target server lacks and the backup's globals do not define" +
                                   (manifest.globals.present ? "" : " (the backup has no globals)") +
                                   "; nothing was changed. Create them, or restore everything as one role with "
                                   "spec.database.owner");
  }
  if (plan.create.empty()) return Status::Ok();
  if (Status s = admin.Execute(plan.statements, true); !s.ok()) {
    outcome->reason = "RoleCreationFailed";
    return FailedPreconditionError("creating the role(s) " + JoinNames(plan.create) + " the backup needs failed (" +
                                   s.message() + "); nothing was changed. Give the restoring user CREATEROLE, create "
                                   "them, or restore everything as one role with spec.database.owner");
  }
  outcome->database.roles_created = plan.create;
  if (std::find(plan.create.begin(), plan.create.end(), db.owner) != plan.create.end()) *database_owner = db.owner;
  outcome->database.roles_without_password = plan.without_password;
  log_("info", "Roles created roles=" + JoinNames(plan.create) +
                   (plan.without_password.empty() ? "" : " without_password=" + JoinNames(plan.without_password)));
  return Status::Ok();
}

// Creates the (empty) database pg_restore writes into, owned as the original was: the staging
// database (a leftover of an earlier attempt of this request is dropped first) or, InPlace, the
// target after dropping it.
Status RestoreRunner::PrepareDatabase(PgSession& admin, const RestoreRequest& request, const Manifest& manifest,
                                      const std::string& owner, const std::string& into, RestoreOutcome* outcome) {
  const bool staged = into != request.target_database;
  std::vector<std::string> statements;
  if (staged) {
    SwapNames names{request.target_database, into, "", request.request_marker};
    auto state = ReadSwapState(admin, names);
    if (!state.ok()) {
      outcome->reason = "DatabaseUnavailable";
      return state.status();
    }
    if (state->staging.exists && !IsRestoredBy(state->staging.comment, request.request_marker)) {
      outcome->reason = "TargetExists";
      return FailedPreconditionError("database \"" + into + "\", the staging name of this restore, exists and was not made by it; "
                                     "nothing was changed. Rename or drop it");
    }
    if (state->staging.exists) statements.push_back("DROP DATABASE " + QuoteIdentifier(into) + " WITH (FORCE)");
  } else {
    log_("warn", "Dropping the target database for an InPlace Replace database=" + into);
    statements.push_back("DROP DATABASE IF EXISTS " + QuoteIdentifier(into) + " WITH (FORCE)");
    outcome->database.target_dropped = true;
  }
  statements.push_back("CREATE DATABASE " + QuoteIdentifier(into) + (owner.empty() ? "" : " OWNER " + QuoteIdentifier(owner)));
  statements.push_back("COMMENT ON DATABASE " + QuoteIdentifier(into) + " IS " +
                       QuoteLiteral(StagedComment(request.request_marker, manifest.backup_id)));
  if (Status s = admin.Execute(statements, false); !s.ok()) {
    outcome->reason = s.code() == StatusCode::kAlreadyExists ? "TargetExists" : "RestoreFailed";
    return s;
  }
  return Status::Ok();
}

// Custom format: the dump streams from restic into `pg_restore --section=pre-data --section=data`
// (tables and rows load while the dump is still arriving) and the agent keeps a copy on local disk;
// with more than one job, `pg_restore -j N --section=post-data` then builds indexes and constraints
// in parallel from that copy (pg_restore -j needs a seekable file). With one job the whole restore
// streams and nothing is written locally. Directory format: restic restores the directory first.
Status RestoreRunner::LoadDump(const RestoreRequest& request, const Manifest& manifest, const DatabaseBackup& db,
                               const std::string& into, RestoreOutcome* outcome) {
  namespace fs = std::filesystem;
  auto& j = outcome->database;
  const bool directory = db.format == "directory";
  auto t0 = clock_.SteadyNow();
  fs::path local = fs::path(request.work_dir) / ("lifeboat-restore-" + manifest.backup_id + "-" + db.source);
  std::error_code ec;
  fs::remove_all(local, ec);
  if (directory) {
    if (Status fetched = restic_.Restore(db.snapshot_id, local.string()); !fetched.ok()) {
      fs::remove_all(local, ec);
      outcome->reason = "FetchFailed";
      return fetched;
    }
    log_("info", "Dump fetched source=" + db.source + " path=" + local.string());
  }
  auto t1 = clock_.SteadyNow();
  j.fetch_seconds = Seconds(t0, t1);
  j.streamed = !directory;

  auto pg_restore = [&](std::vector<std::string> extra) {
    ProcessSpec spec;
    spec.argv = {kPgRestore, "-d", into, "--exit-on-error"};
    auto pg = PgArgs(request.pg);
    spec.argv.insert(spec.argv.end(), pg.begin(), pg.end());
    if (!request.owner.empty()) spec.argv.insert(spec.argv.end(), {"--no-owner", "--no-privileges", "--role=" + request.owner});
    spec.argv.insert(spec.argv.end(), extra.begin(), extra.end());
    if (!request.pg.sslmode.empty()) spec.env["PGSSLMODE"] = request.pg.sslmode;
    return spec;
  };
  auto check = [&](const StatusOr<ProcessResult>& result, const char* what) -> Status {
    if (!result.ok()) return result.status();
    if (!result->Succeeded()) {
      return InternalError(std::string(what) + " " + result->Describe() + ": " + FirstErrorLine(result->stderr_tail));
    }
    return Status::Ok();
  };
  const bool parallel_post_data = request.jobs > 1;
  Status restored;
  if (directory) {
    restored = check(runner_.Run(pg_restore({"-j", std::to_string(request.jobs), local.string()}), "", nullptr), "pg_restore");
  } else {
    ProcessSpec streamed = parallel_post_data ? pg_restore({"--section=pre-data", "--section=data"}) : pg_restore({});
    if (parallel_post_data) streamed.stdin_copy_path = local.string();
    auto piped = runner_.RunPipeline(producer_ ? producer_(db) : restic_.DumpSpec(db.snapshot_id, db.path), streamed, nullptr);
    if (!piped.ok()) {
      restored = piped.status();
    } else if (!piped->producer.Succeeded()) {
      fs::remove_all(local, ec);
      outcome->reason = "FetchFailed";
      if (producer_) {
        return InternalError("pg_dump of " + db.database + " from the recovered server " + piped->producer.Describe() + ": " +
                             FirstErrorLine(piped->producer.stderr_tail));
      }
      return ClassifyResticFailure("reading " + db.path + " from snapshot " + db.snapshot_id, piped->producer);
    } else {
      restored = check(piped->consumer, "pg_restore");
    }
    j.data_seconds = Seconds(t1, clock_.SteadyNow());
    if (restored.ok() && parallel_post_data) {
      restored = check(runner_.Run(pg_restore({"-j", std::to_string(request.jobs), "--section=post-data", local.string()}), "",
                                   nullptr),
                       "pg_restore --section=post-data");
    }
  }
  fs::remove_all(local, ec);
  j.restore_seconds = Seconds(t1, clock_.SteadyNow());
  if (!restored.ok()) outcome->reason = "RestoreFailed";
  return restored;
}

// Row counts and checksums against the manifest, then the user's SQL checks.
Status RestoreRunner::VerifyDatabase(const RestoreRequest& request, const DatabaseBackup& db, const std::string& into,
                                     RestoreOutcome* outcome) {
  auto& j = outcome->database;
  auto t0 = clock_.SteadyNow();
  auto target = pg_.Connect(into);
  if (!target.ok()) {
    outcome->reason = "VerificationFailed";
    return target.status();
  }
  auto tables = (*target)->ListTables();
  if (!tables.ok()) return tables.status();
  std::vector<TableStats> observed;
  const bool checksums = db.checksums && request.table_checksums;
  for (const auto& t : *tables) {
    auto stats = (*target)->MeasureTable(t, checksums);
    if (!stats.ok()) {
      outcome->reason = "VerificationFailed";
      return stats.status();
    }
    observed.push_back(*stats);
  }
  auto mismatches = CompareTables(db.tables, observed);
  j.tables_verified = static_cast<std::int64_t>(db.tables.size());
  j.checksums_verified = checksums;
  j.mismatches = static_cast<std::int64_t>(mismatches.size());
  for (const auto& m : mismatches) {
    if (outcome->mismatches.size() < kMaxReportedMismatches) outcome->mismatches.push_back(m.ToString());
  }
  target->reset();  // The checks open their own sessions.
  SqlChecksOutcome checks = RunSqlChecks(pg_, into, request.checks, log_);
  outcome->checks = checks.checks;
  j.verify_seconds = Seconds(t0, clock_.SteadyNow());
  if (!mismatches.empty()) {
    outcome->reason = "VerificationFailed";
    return InternalError("restored database differs from the manifest: " + mismatches.front().ToString() +
                         (mismatches.size() > 1 ? " (and " + std::to_string(mismatches.size() - 1) + " more)" : ""));
  }
  if (!checks.all_passed) {
    outcome->reason = "CheckFailed";
    return InternalError(checks.first_failure);
  }
  return Status::Ok();
}

// Only some tables, inside the live database: one pg_restore transaction drops and recreates them
// (with their indexes, constraints and owned sequences) and loads their rows, so a failure — for
// example another table's foreign key that needs one of them — changes nothing. Then their rows
// are compared with the recovered server's.
Status RestoreRunner::ReplaceTables(const RestoreRequest& request, const DatabaseBackup& db, RestoreOutcome* outcome) {
  auto& j = outcome->database;
  const SteadyTime t0 = clock_.SteadyNow();
  ProcessSpec restore;
  restore.argv = {kPgRestore, "-d", request.target_database, "--exit-on-error", "--clean", "--if-exists", "--single-transaction"};
  auto pg = PgArgs(request.pg);
  restore.argv.insert(restore.argv.end(), pg.begin(), pg.end());
  if (!request.owner.empty()) restore.argv.insert(restore.argv.end(), {"--no-owner", "--no-privileges", "--role=" + request.owner});
  if (!request.pg.sslmode.empty()) restore.env["PGSSLMODE"] = request.pg.sslmode;
  auto piped = runner_.RunPipeline(producer_(db), restore, nullptr);
  j.streamed = true;
  j.restore_seconds = Seconds(t0, clock_.SteadyNow());
  if (!piped.ok()) {
    outcome->reason = "RestoreFailed";
    return piped.status();
  }
  if (!piped->producer.Succeeded()) {
    outcome->reason = "FetchFailed";
    return InternalError("pg_dump of the tables from the recovered server " + piped->producer.Describe() + ": " +
                         FirstErrorLine(piped->producer.stderr_tail));
  }
  if (!piped->consumer.Succeeded()) {
    outcome->reason = "RestoreFailed";
    return InternalError("pg_restore of the tables " + piped->consumer.Describe() + " (nothing was changed): " +
                         FirstErrorLine(piped->consumer.stderr_tail));
  }
  log_("info", "Tables replaced database=" + request.target_database + " tables=" + std::to_string(db.tables.size()));
  if (!request.verify) return Status::Ok();
  const SteadyTime t1 = clock_.SteadyNow();
  auto target = pg_.Connect(request.target_database);
  if (!target.ok()) {
    outcome->reason = "VerificationFailed";
    return target.status();
  }
  std::vector<TableStats> observed;
  for (const auto& t : db.tables) {
    auto stats = (*target)->MeasureTable({t.schema, t.name}, db.checksums && request.table_checksums);
    if (!stats.ok()) {
      outcome->reason = "VerificationFailed";
      return stats.status();
    }
    observed.push_back(*stats);
  }
  auto mismatches = CompareTables(db.tables, observed);
  j.tables_verified = static_cast<std::int64_t>(db.tables.size());
  j.checksums_verified = db.checksums && request.table_checksums;
  j.mismatches = static_cast<std::int64_t>(mismatches.size());
  for (const auto& m : mismatches) {
    if (outcome->mismatches.size() < kMaxReportedMismatches) outcome->mismatches.push_back(m.ToString());
  }
  target->reset();
  SqlChecksOutcome checks = RunSqlChecks(pg_, request.target_database, request.checks, log_);
  outcome->checks = checks.checks;
  j.verify_seconds = Seconds(t1, clock_.SteadyNow());
  if (!mismatches.empty()) {
    outcome->reason = "VerificationFailed";
    return InternalError("restored tables differ from the recovered server: " + mismatches.front().ToString());
  }
  if (!checks.all_passed) {
    outcome->reason = "CheckFailed";
    return InternalError(checks.first_failure);
  }
  return Status::Ok();
}

// A failed staged restore removes what it made: the staging database is dropped (or kept under
// --keep-failed-as), so no half-restored database is left behind.
void RestoreRunner::DiscardStaging(PgSession& admin, const RestoreRequest& request, const std::string& staging,
                                   RestoreOutcome* outcome) {
  SwapNames names{request.target_database, staging, "", request.request_marker};
  auto rolled_back = RunRollback(admin, names, request.keep_failed_as);
  if (!rolled_back.ok()) {
    outcome->database.cleanup_error = rolled_back.status().message();
    log_("error", "Could not remove the staging database database=" + staging + " error=" + rolled_back.status().message());
    return;
  }
  outcome->database.staging_dropped = rolled_back->staging_dropped && rolled_back->kept_as.empty();
  outcome->database.kept_as = rolled_back->kept_as;
}

Status RestoreRunner::RestoreDatabase(const RestoreRequest& request, const Manifest& manifest, RestoreOutcome* outcome) {
  Status found;
  const DatabaseBackup* db = FindDatabase(request, manifest, outcome, &found);
  if (db == nullptr) return found;
  auto& j = outcome->database;
  j.source = db->source;
  j.target = request.target_database;
  j.snapshot_id = db->snapshot_id;

  auto admin = pg_.Connect(request.maintenance_database);
  if (!admin.ok()) {
    outcome->reason = ConnectionFailureReason(admin.status());
    return admin.status();
  }
  auto exists = (*admin)->DatabaseExists(request.target_database);
  if (!exists.ok()) {
    outcome->reason = "DatabaseUnavailable";
    return exists.status();
  }
  if (!request.tables.empty() && request.mode == DatabaseRestoreMode::kReplace) {
    if (!*exists) {
      outcome->reason = "TargetNotFound";
      return NotFoundError("database " + request.target_database + " does not exist: replacing tables needs the database they are in");
    }
    return ReplaceTables(request, *db, outcome);
  }
  auto action = DecideTargetDatabase(request.mode, request.strategy, request.target_database, *exists, request.safety_backup_done);
  if (!action.ok()) {
    outcome->reason = request.mode == DatabaseRestoreMode::kNewDatabase ? "TargetExists" : "SafetyBackupRequired";
    return action.status();
  }
  std::string owner;
  if (Status s = PrepareRoles(**admin, request, manifest, *db, outcome, &owner); !s.ok()) return s;

  const bool staged = *action == TargetAction::kStage;
  const std::string into = !staged ? request.target_database
                                   : (request.staging_database.empty() ? StagingDatabaseName(request.target_database)
                                                                      : request.staging_database);
  if (staged) j.staging_database = into;
  Status restored = PrepareDatabase(**admin, request, manifest, owner, into, outcome);
  if (restored.ok()) restored = LoadDump(request, manifest, *db, into, outcome);
  if (restored.ok()) {
    log_("info", "Database restored into=" + into);
    if (request.verify) restored = VerifyDatabase(request, *db, into, outcome);
  }
  if (restored.ok() && staged && request.mode == DatabaseRestoreMode::kNewDatabase) {
    // Verified: the new database takes its name (fails, and is discarded, if the name was taken meanwhile).
    restored = (*admin)->Execute({"ALTER DATABASE " + QuoteIdentifier(into) + " RENAME TO " + QuoteIdentifier(request.target_database)},
                                 false);
    if (!restored.ok()) outcome->reason = restored.code() == StatusCode::kAlreadyExists ? "TargetExists" : "RestoreFailed";
  }
  // Only a database carrying this restore's comment is ever dropped (database_swap.h).
  if (!restored.ok() && staged) DiscardStaging(**admin, request, into, outcome);
  return restored;
}

// The media target before restic writes into it: created when missing, emptied for Replace (it is
// often a mount point: emptied, never removed), and writable by this process — a target the Job's
// user may not write fails here, naming its owner and the user, before anything changed.
Status RestoreRunner::PrepareMediaTarget(const RestoreRequest& request, RestoreOutcome* outcome) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(request.media_target, ec);
  if (::access(request.media_target.c_str(), W_OK | X_OK) != 0) {
    const auto owner = OwnerOf(request.media_target);
    outcome->reason = "MediaTargetUnwritable";
    return PermissionDeniedError("the media target " + request.media_target +
                                 (owner ? " (" + DescribeOwner(*owner) + ")" : std::string(" (missing)")) +
                                 " cannot be written by the Job's user (" + DescribeUser(CurrentProcessUser()) + "); " +
                                 RunAsHint(owner, true));
  }
  if (request.media_mode != MediaRestoreMode::kReplace) return Status::Ok();
  InaccessiblePaths kept;
  for (const auto& entry : fs::directory_iterator(request.media_target, ec)) {
    std::error_code removed;
    fs::remove_all(entry.path(), removed);
    if (removed) kept.Add(entry.path().filename().string(), OwnerOf(entry.path().string()));
  }
  if (ec || !kept.empty()) {
    outcome->reason = kept.empty() ? "RestoreFailed" : "MediaTargetUnwritable";
    if (kept.empty()) return InternalError("cannot empty " + request.media_target + ": " + ec.message());
    return PermissionDeniedError("cannot empty " + request.media_target + " for Replace: " + std::to_string(kept.count()) +
                                 " entries could not be removed by the Job's user (" + DescribeUser(CurrentProcessUser()) +
                                 "): " + kept.Describe() + "; " + RunAsHint(kept.FirstOwner(), true));
  }
  return Status::Ok();
}

Status RestoreRunner::RestoreMedia(const RestoreRequest& request, const Manifest& manifest, RestoreOutcome* outcome) {
  namespace fs = std::filesystem;
  const MediaBackup* media = nullptr;
  for (const auto& m : manifest.media) {
    if (request.media_source.empty() ? manifest.media.size() == 1 : m.source == request.media_source) media = &m;
  }
  if (media == nullptr) {
    outcome->reason = "SourceNotFound";
    return NotFoundError("backup " + manifest.backup_id + " has no media source \"" + request.media_source +
                         "\" (give --media-source when it has several)");
  }
  auto& j = outcome->media;
  j.source = media->source;
  j.target = request.media_target;
  j.mode = request.media_mode == MediaRestoreMode::kMerge ? "Merge" : "Replace";
  j.snapshot_id = media->snapshot_id;
  if (Status writable = PrepareMediaTarget(request, outcome); !writable.ok()) return writable;
  if (Status s = restic_.Restore(media->snapshot_id, request.media_target); !s.ok()) {
    const bool denied = s.message().find("permission denied") != std::string::npos;
    outcome->reason = denied ? "MediaTargetUnwritable" : "RestoreFailed";
    return denied ? PermissionDeniedError(s.message() + " (the Job ran as " + DescribeUser(CurrentProcessUser()) + "; " +
                                          RunAsHint(OwnerOf(request.media_target), true) + ")")
                  : s;
  }
  log_("info", "Media restored source=" + media->source + " target=" + request.media_target);
  const OwnershipOutcome owners = RestoreOwnership(request.media_target, media->files, request.media_owner, CurrentProcessUser());
  j.owners_not_restored = owners.not_restored;
  j.ownership_message = owners.message;
  if (!owners.message.empty()) log_("warn", "Owners not restored source=" + media->source + " " + owners.message);
  if (!request.verify) return Status::Ok();
  MediaScanOptions options;
  options.checksums = media->checksums;
  auto scan = ScanMediaTree(request.media_target, options);
  if (!scan.ok()) return scan.status();
  auto mismatches = CompareMediaFiles(media->files, scan->files);
  if (request.media_mode == MediaRestoreMode::kMerge) {
    std::erase_if(mismatches, [](const Mismatch& m) { return m.what == "unexpected"; });
  }
  j.files_verified = static_cast<std::int64_t>(media->files.size());
  j.mismatches = static_cast<std::int64_t>(mismatches.size());
  for (const auto& m : mismatches) {
    if (outcome->mismatches.size() < kMaxReportedMismatches) outcome->mismatches.push_back(m.ToString());
  }
  if (!mismatches.empty()) {
    outcome->reason = "VerificationFailed";
    return InternalError("restored media differ from the manifest: " + mismatches.front().ToString());
  }
  return Status::Ok();
}

RestoreOutcome RestoreRunner::Run(const RestoreRequest& request) {
  RestoreOutcome outcome;
  outcome.status = ValidateRestoreRequest(request);
  if (outcome.status.ok() && !request.tables.empty()) {
    outcome.status = InvalidArgumentError("--table restores need a point-in-time recovery (--recovery-target)");
  }
  if (!outcome.status.ok()) {
    outcome.reason = outcome.status.code() == StatusCode::kFailedPrecondition ? "SafetyBackupRequired" : "InvalidRequest";
    return outcome;
  }
  auto manifest = LoadManifest(restic_, request.backup_id);
  if (!manifest.ok()) {
    outcome.status = manifest.status();
    outcome.reason = manifest.status().code() == StatusCode::kNotFound && manifest.status().message().find("backup \"") == 0
                         ? "BackupNotFound"
                         : (manifest.status().code() == StatusCode::kPermissionDenied ? "RepositoryAccessDenied" : "RepositoryFailed");
    return outcome;
  }
  return RunWith(request, *manifest);
}

RestoreOutcome RestoreRunner::RunFromServer(const RestoreRequest& request, const Manifest& manifest, DumpProducer producer) {
  RestoreOutcome outcome;
  outcome.status = ValidateRestoreRequest(request);
  if (outcome.status.ok() && !request.media_target.empty()) {
    outcome.status = InvalidArgumentError("a point-in-time recovery restores databases only; restore media from a backup (--backup-id)");
  }
  if (outcome.status.ok() && request.mode == DatabaseRestoreMode::kReplace && !request.safety_backup_done) {
    outcome.status = FailedPreconditionError("Replace runs only after the safety backup, confirmed with --safety-backup-done");
  }
  if (!outcome.status.ok()) {
    outcome.reason = outcome.status.code() == StatusCode::kFailedPrecondition ? "SafetyBackupRequired" : "InvalidRequest";
    return outcome;
  }
  producer_ = std::move(producer);
  return RunWith(request, manifest);
}

RestoreOutcome RestoreRunner::RunWith(const RestoreRequest& request, const Manifest& manifest) {
  RestoreOutcome outcome;
  outcome.backup_time = manifest.start_time;
  outcome.policy = manifest.policy;
  if (!request.target_database.empty()) {
    outcome.status = RestoreDatabase(request, manifest, &outcome);
    if (!outcome.status.ok()) return outcome;
  }
  if (!request.media_target.empty()) {
    outcome.status = RestoreMedia(request, manifest, &outcome);
    if (!outcome.status.ok()) return outcome;
  }
  return outcome;
}

}  // namespace lifeboat::agent
