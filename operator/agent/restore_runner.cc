#include "operator/agent/restore_runner.h"

#include "operator/agent/sql_check_runner.h"
#include "operator/agent/external_programs.h"

#include <filesystem>
#include <fstream>

#include "operator/agent/media_scan.h"
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

Status RestoreRunner::RestoreDatabase(const RestoreRequest& request, const Manifest& manifest, RestoreOutcome* outcome) {
  namespace fs = std::filesystem;
  const DatabaseBackup* db = nullptr;
  for (const auto& d : manifest.databases) {
    if (request.database_source.empty() ? manifest.databases.size() == 1 : d.source == request.database_source) db = &d;
  }
  if (db == nullptr) {
    std::string names;
    for (const auto& d : manifest.databases) names += (names.empty() ? "" : ", ") + d.source;
    outcome->reason = "SourceNotFound";
    return NotFoundError(request.database_source.empty()
                             ? "backup " + manifest.backup_id + " has " + std::to_string(manifest.databases.size()) +
                                   " databases (" + names + "): choose one with --database-source"
                             : "backup " + manifest.backup_id + " has no database source \"" + request.database_source +
                                   "\" (it has: " + names + ")");
  }
  auto& j = outcome->database;
  j["source"] = db->source;
  j["target"] = request.target_database;
  j["snapshotId"] = db->snapshot_id;

  // Prepare the target.
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
  auto action = DecideTargetDatabase(request.mode, request.target_database, *exists, request.safety_backup_done);
  if (!action.ok()) {
    outcome->reason = request.mode == DatabaseRestoreMode::kNewDatabase ? "TargetExists" : "SafetyBackupRequired";
    return action.status();
  }

  // Custom format: the dump streams from restic into `pg_restore --section=pre-data --section=data`
  // (tables and rows load while the dump is still arriving) and the agent keeps a copy on local disk;
  // with more than one job, `pg_restore -j N --section=post-data` then builds indexes and constraints
  // in parallel from that copy (pg_restore -j needs a seekable file). With one job the whole restore
  // streams and nothing is written locally. Directory format: restic restores the directory first.
  const bool directory = db->format == "directory";
  auto t0 = clock_.SteadyNow();
  fs::path local = fs::path(request.work_dir) / ("lifeboat-restore-" + manifest.backup_id + "-" + db->source);
  std::error_code ec;
  fs::remove_all(local, ec);
  if (directory) {
    if (Status fetched = restic_.Restore(db->snapshot_id, local.string()); !fetched.ok()) {
      fs::remove_all(local, ec);
      outcome->reason = "FetchFailed";
      return fetched;
    }
    log_("info", "Dump fetched source=" + db->source + " path=" + local.string());
  }
  auto t1 = clock_.SteadyNow();
  j["fetchSeconds"] = Seconds(t0, t1);
  j["streamed"] = !directory;

  if (*action == TargetAction::kDropAndCreate) {
    log_("warn", "Dropping the target database for Replace database=" + request.target_database);
    if (Status s = (*admin)->DropDatabase(request.target_database); !s.ok()) {
      fs::remove_all(local, ec);
      outcome->reason = "RestoreFailed";
      return s;
    }
  }
  if (Status s = (*admin)->CreateDatabase(request.target_database); !s.ok()) {
    fs::remove_all(local, ec);
    outcome->reason = s.code() == StatusCode::kAlreadyExists ? "TargetExists" : "RestoreFailed";
    return s;
  }

  if (request.globals && manifest.globals.present) {
    fs::path sql = fs::path(request.work_dir) / ("lifeboat-globals-" + manifest.backup_id + ".sql");
    {
      std::ofstream file(sql);
      file << manifest.globals.sql;
    }
    ProcessSpec psql;
    psql.argv = {kPsql, "-X", "-q", "-v", "ON_ERROR_STOP=0", "-f", sql.string(), "-d", request.maintenance_database};
    auto pg = PgArgs(request.pg);
    psql.argv.insert(psql.argv.end(), pg.begin(), pg.end());
    if (!request.pg.sslmode.empty()) psql.env["PGSSLMODE"] = request.pg.sslmode;
    auto result = runner_.Run(psql, "", nullptr);
    fs::remove(sql, ec);
    if (!result.ok()) return result.status();
    // Existing roles ("role already exists") are expected on a live server; count them, do not fail.
    int errors = 0;
    for (std::size_t pos = 0; (pos = result->stderr_tail.find("ERROR:", pos)) != std::string::npos; ++pos) ++errors;
    j["globalsErrors"] = errors;
    log_("info", "Globals applied errors=" + std::to_string(errors));
  }

  auto pg_restore = [&](std::vector<std::string> extra) {
    ProcessSpec spec;
    spec.argv = {kPgRestore, "-d", request.target_database, "--exit-on-error"};
    auto pg = PgArgs(request.pg);
    spec.argv.insert(spec.argv.end(), pg.begin(), pg.end());
    if (request.no_owner) spec.argv.push_back("--no-owner");
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
    auto piped = runner_.RunPipeline(restic_.DumpSpec(db->snapshot_id, db->path), streamed, nullptr);
    if (!piped.ok()) {
      restored = piped.status();
    } else if (!piped->producer.Succeeded()) {
      fs::remove_all(local, ec);
      outcome->reason = "FetchFailed";
      return ClassifyResticFailure("reading " + db->path + " from snapshot " + db->snapshot_id, piped->producer);
    } else {
      restored = check(piped->consumer, "pg_restore");
    }
    auto t_data = clock_.SteadyNow();
    j["dataSeconds"] = Seconds(t1, t_data);
    if (restored.ok() && parallel_post_data) {
      restored = check(runner_.Run(pg_restore({"-j", std::to_string(request.jobs), "--section=post-data", local.string()}), "",
                                   nullptr),
                       "pg_restore --section=post-data");
    }
  }
  fs::remove_all(local, ec);
  auto t2 = clock_.SteadyNow();
  j["restoreSeconds"] = Seconds(t1, t2);
  if (!restored.ok()) {
    outcome->reason = "RestoreFailed";
    return restored;
  }
  log_("info", "Database restored target=" + request.target_database);

  if (!request.verify) return Status::Ok();
  auto target = pg_.Connect(request.target_database);
  if (!target.ok()) {
    outcome->reason = "VerificationFailed";
    return target.status();
  }
  auto tables = (*target)->ListTables();
  if (!tables.ok()) return tables.status();
  std::vector<TableStats> observed;
  for (const auto& t : *tables) {
    auto stats = (*target)->MeasureTable(t, db->checksums);
    if (!stats.ok()) {
      outcome->reason = "VerificationFailed";
      return stats.status();
    }
    observed.push_back(*stats);
  }
  auto mismatches = CompareTables(db->tables, observed);
  j["tablesVerified"] = db->tables.size();
  j["checksumsVerified"] = db->checksums;
  j["mismatches"] = mismatches.size();
  for (const auto& m : mismatches) {
    if (outcome->mismatches.size() < kMaxReportedMismatches) outcome->mismatches.push_back(m.ToString());
  }
  target->reset();  // The checks open their own sessions.
  SqlChecksOutcome checks = RunSqlChecks(pg_, request.target_database, request.checks, log_);
  outcome->checks = checks.checks;
  j["verifySeconds"] = Seconds(t2, clock_.SteadyNow());
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
  j["source"] = media->source;
  j["target"] = request.media_target;
  j["mode"] = request.media_mode == MediaRestoreMode::kMerge ? "Merge" : "Replace";
  j["snapshotId"] = media->snapshot_id;
  std::error_code ec;
  fs::create_directories(request.media_target, ec);
  if (request.media_mode == MediaRestoreMode::kReplace) {
    // The target is often a mount point: empty it, never remove it.
    for (const auto& entry : fs::directory_iterator(request.media_target, ec)) fs::remove_all(entry.path(), ec);
    if (ec) {
      outcome->reason = "RestoreFailed";
      return InternalError("cannot empty " + request.media_target + ": " + ec.message());
    }
  }
  if (Status s = restic_.Restore(media->snapshot_id, request.media_target); !s.ok()) {
    outcome->reason = "RestoreFailed";
    return s;
  }
  log_("info", "Media restored source=" + media->source + " target=" + request.media_target);
  if (!request.verify) return Status::Ok();
  MediaScanOptions options;
  options.checksums = media->checksums;
  auto scan = ScanMediaTree(request.media_target, options);
  if (!scan.ok()) return scan.status();
  auto mismatches = CompareMediaFiles(media->files, scan->files);
  if (request.media_mode == MediaRestoreMode::kMerge) {
    std::erase_if(mismatches, [](const Mismatch& m) { return m.what == "unexpected"; });
  }
  j["filesVerified"] = media->files.size();
  j["mismatches"] = mismatches.size();
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
  outcome.backup_time = manifest->start_time;
  outcome.policy = manifest->policy;
  if (!request.target_database.empty()) {
    outcome.status = RestoreDatabase(request, *manifest, &outcome);
    if (!outcome.status.ok()) return outcome;
  }
  if (!request.media_target.empty()) {
    outcome.status = RestoreMedia(request, *manifest, &outcome);
    if (!outcome.status.ok()) return outcome;
  }
  return outcome;
}

}  // namespace lifeboat::agent
