#include "operator/agent/backup_runner.h"

#include "operator/agent/base_backup.h"
#include "operator/agent/wal_archive.h"

#include "operator/agent/role_plan.h"
#include "operator/agent/external_programs.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "operator/agent/media_scan.h"
#include "operator/agent/snapshot_tags.h"
#include "operator/agent/stream_backup_decision.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {

Status ValidateBackupRequest(const BackupRequest& r) {
  LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("--backup-id", r.backup_id));
  LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("--policy", r.policy));
  LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("--run-kind", r.run_kind));
  if (r.databases.empty() && r.media.empty() && !r.base_backup) {
    return InvalidArgumentError("nothing to back up: give at least one --database, --media or --base-backup");
  }
  if (r.base_backup) LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("base backup source name", r.base_backup_source));
  std::map<std::string, int> sources;
  for (const auto& d : r.databases) {
    LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("database source name", d.source));
    if (d.database.empty()) return InvalidArgumentError("--database needs a database name");
    if (++sources[d.source] > 1) return InvalidArgumentError("source name \"" + d.source + "\" is used twice");
  }
  for (const auto& m : r.media) {
    LIFEBOAT_RETURN_IF_ERROR(ValidateTagName("media source name", m.source));
    if (m.path.empty() || m.path.front() != '/') {
      return InvalidArgumentError("--media path must be absolute, got \"" + m.path + "\"");
    }
    if (++sources[m.source] > 1) return InvalidArgumentError("source name \"" + m.source + "\" is used twice");
  }
  for (const auto& t : r.extra_tags) {
    if (t.empty() || t.find(',') != std::string::npos) return InvalidArgumentError("--tag values must be non-empty and contain no ','");
  }
  if (r.format != "custom" && r.format != "directory") {
    return InvalidArgumentError("--format must be custom or directory, got \"" + r.format + "\"");
  }
  if (r.compression < 0 || r.compression > 9) return InvalidArgumentError("--compression must be 0..9");
  if (r.jobs < 1 || r.jobs > 64) return InvalidArgumentError("--jobs must be 1..64");
  return Status::Ok();
}

std::vector<std::string> BackupRunner::PgArgs(const PgConnectionConfig& pg) const {
  std::vector<std::string> args;
  if (!pg.host.empty()) args.insert(args.end(), {"-h", pg.host});
  if (!pg.port.empty()) args.insert(args.end(), {"-p", pg.port});
  if (!pg.user.empty()) args.insert(args.end(), {"-U", pg.user});
  args.push_back("--no-password");  // Never prompt: the password comes from PGPASSWORD/PGPASSFILE.
  return args;
}

StatusOr<std::string> BackupRunner::DumpGlobals(const BackupRequest& request) {
  ProcessSpec spec;
  spec.argv = {kPgDumpAll, "--globals-only"};
  auto pg = PgArgs(request.pg);
  spec.argv.insert(spec.argv.end(), pg.begin(), pg.end());
  if (request.globals_no_role_passwords) spec.argv.push_back("--no-role-passwords");
  if (!request.pg.sslmode.empty()) spec.env["PGSSLMODE"] = request.pg.sslmode;
  std::string sql;
  auto result = runner_.Run(spec, "", [&](const std::string& line) {
    sql += line;
    sql += '\n';
  });
  if (!result.ok()) return result.status();
  if (!result->Succeeded()) {
    return InternalError("pg_dumpall --globals-only " + result->Describe() + ": " + FirstErrorLine(result->stderr_tail));
  }
  return sql;
}

// Custom format: pg_dump streams into `restic backup --stdin` (a failure on either side fails the
// run and forgets what it saved).
Status BackupRunner::DumpCustom(ProcessSpec dump, const SnapshotOptions& options, const DatabaseSource& source,
                                DatabaseBackup* out, std::vector<std::string>* written, std::string* reason) {
  dump.argv.insert(dump.argv.end(), {"-Fc", "-d", source.database});
  out->path = "/lifeboat/db/" + source.source + ".dump";
  auto outcome = restic_.BackupStdinFrom(dump, out->path, options, source.source);
  if (!outcome.ok()) {
    *reason = "RepositoryFailed";
    return outcome.status();
  }
  StreamBackupDecision decision = DecideStreamBackup("pg_dump", outcome->pipeline, outcome->summary);
  if (decision.forget_snapshot) written->push_back(*decision.forget_snapshot);
  if (!decision.status.ok()) {
    *reason = decision.reason;
    return decision.status;
  }
  written->push_back(decision.snapshot_id);
  out->snapshot_id = decision.snapshot_id;
  out->size_bytes = outcome->pipeline.bytes_transferred;
  return Status::Ok();
}

// Directory format: `pg_dump -Fd -j N` into scratch space, then restic backs the directory up (it is
// removed either way).
Status BackupRunner::DumpDirectory(const BackupRequest& request, ProcessSpec dump, const SnapshotOptions& options,
                                   const DatabaseSource& source, DatabaseBackup* out, std::vector<std::string>* written,
                                   std::string* reason) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(request.work_dir) / ("lifeboat-dump-" + request.backup_id + "-" + source.source);
  std::error_code ec;
  fs::remove_all(dir, ec);
  dump.argv.insert(dump.argv.end(), {"-Fd", "-j", std::to_string(request.jobs), "-f", dir.string(), "-d", source.database});
  Status status;
  auto result = runner_.Run(dump, "", nullptr);
  if (!result.ok()) {
    status = result.status();
    *reason = "DumpFailed";
  } else if (!result->Succeeded()) {
    status = InternalError("pg_dump " + result->Describe() + ": " + FirstErrorLine(result->stderr_tail));
    *reason = "DumpFailed";
  } else {
    std::uint64_t size = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
      if (entry.is_regular_file(ec)) size += entry.file_size(ec);
    }
    auto summary = restic_.BackupDirectory(dir.string(), {}, options, source.source);
    if (!summary.ok()) {
      status = summary.status();
      *reason = "RepositoryFailed";
    } else {
      written->push_back(summary->snapshot_id);
      out->snapshot_id = summary->snapshot_id;
      out->path = "/";
      out->size_bytes = size;
    }
  }
  fs::remove_all(dir, ec);
  return status;
}

Status BackupRunner::BackupDatabase(const BackupRequest& request, const DatabaseSource& source,
                                    const SnapshotOptions& options, DatabaseBackup* out,
                                    std::vector<std::string>* written, std::string* reason) {
  out->source = source.source;
  out->database = source.database;
  out->format = request.format;
  out->compression = request.compression;
  out->checksums = request.table_checksums;
  *reason = "DatabaseUnavailable";
  auto session = pg_.Connect(source.database);
  if (!session.ok()) {
    *reason = ConnectionFailureReason(session.status());
    return session.status();
  }
  auto info = (*session)->BeginExportedSnapshot();
  if (!info.ok()) return info.status();
  out->server_version = info->server_version;
  out->server_version_num = info->server_version_num;
  out->wal_lsn = info->wal_lsn;
  out->pg_snapshot = info->snapshot_name;
  log_("info", "Database snapshot exported source=" + source.source + " database=" + source.database +
                   " server_version=" + info->server_version + " wal_lsn=" + info->wal_lsn);
  auto tables = (*session)->ListTables();
  if (!tables.ok()) return tables.status();
  if (Status roles = RecordDatabaseRoles(**session, source.database, out); !roles.ok()) return roles;

  // Counting runs in the snapshot transaction while pg_dump reads the same snapshot.
  Status measure_status;
  std::vector<TableStats> stats;
  std::atomic<bool> stop_measuring{false};
  std::thread measurer([&] {
    for (const auto& table : *tables) {
      if (stop_measuring) return;
      auto s = (*session)->MeasureTable(table, request.table_checksums);
      if (!s.ok()) {
        measure_status = s.status();
        return;
      }
      stats.push_back(*s);
    }
  });

  ProcessSpec dump;
  dump.argv = {kPgDump, "--snapshot=" + info->snapshot_name, "-Z", std::to_string(request.compression)};
  auto pg = PgArgs(request.pg);
  dump.argv.insert(dump.argv.end(), pg.begin(), pg.end());
  if (!request.pg.sslmode.empty()) dump.env["PGSSLMODE"] = request.pg.sslmode;
  SnapshotOptions db_options = options;
  db_options.tags = RunTags(request.backup_id, request.policy, request.run_kind, kRoleDatabase, source.source);
  db_options.tags.insert(db_options.tags.end(), request.extra_tags.begin(), request.extra_tags.end());

  Status dump_status = request.format == "custom" ? DumpCustom(dump, db_options, source, out, written, reason)
                                                  : DumpDirectory(request, dump, db_options, source, out, written, reason);
  if (!dump_status.ok()) {
    // The run has failed: do not wait for the counts of a large table.
    stop_measuring = true;
    (*session)->CancelRunningQuery();
  }
  measurer.join();
  Status end = (*session)->EndSnapshot();
  if (!dump_status.ok()) return dump_status;
  if (!measure_status.ok()) {
    *reason = "MeasureFailed";
    return measure_status;
  }
  if (!end.ok()) return end;
  out->tables = std::move(stats);
  std::int64_t rows = 0;
  for (const auto& t : out->tables) rows += t.rows;
  log_("info", "Database dumped source=" + source.source + " snapshot=" + out->snapshot_id +
                   " bytes=" + std::to_string(out->size_bytes) + " tables=" + std::to_string(out->tables.size()) +
                   " rows=" + std::to_string(rows));
  return Status::Ok();
}

Status BackupRunner::BackupMedia(const BackupRequest& request, const MediaSource& source, const SnapshotOptions& options,
                                 MediaBackup* out, std::vector<std::string>* written, std::string* reason) {
  out->source = source.source;
  out->root = source.path;
  out->excludes = source.excludes;
  out->checksums = request.media_checksums;
  SnapshotOptions media_options = options;
  media_options.tags = RunTags(request.backup_id, request.policy, request.run_kind, kRoleMedia, source.source);
  media_options.tags.insert(media_options.tags.end(), request.extra_tags.begin(), request.extra_tags.end());

  // The scan (with checksums reused from the policy's last manifest) runs next to restic.
  Status scan_status;
  MediaScanResult scan;
  std::thread scanner([&] {
    MediaScanOptions scan_options;
    scan_options.excludes = source.excludes;
    scan_options.checksums = request.media_checksums;
    if (request.media_checksums) {
      // The policy's previous manifest, in one restic call: unchanged files keep their checksums.
      auto text = restic_.DumpLatest({Tag(kTagRole, kRoleManifest), Tag(kTagPolicy, request.policy)}, kManifestPath);
      auto previous = text.ok() ? ParseManifest(*text) : StatusOr<Manifest>(text.status());
      if (previous.ok()) {
        for (const auto& m : previous->media) {
          if (m.source != source.source || m.root != source.path) continue;
          for (const auto& f : m.files) scan_options.previous[f.path] = f;
        }
      }
    }
    auto result = ScanMediaTree(source.path, scan_options);
    if (!result.ok()) {
      scan_status = result.status();
      return;
    }
    scan = std::move(*result);
  });
  auto summary = restic_.BackupDirectory(source.path, ResticExcludePatterns(source.path, source.excludes), media_options,
                                         source.source);
  scanner.join();
  if (summary.ok()) written->push_back(summary->snapshot_id);
  if (scan_status.ok() && !scan.unreadable.empty()) {
    // Named by the scan, which walked the tree as the same user restic ran as.
    *reason = "MediaUnreadable";
    return PermissionDeniedError(std::to_string(scan.unreadable.count()) + " files or folders in " + source.path +
                                 " cannot be read by the Job's user (" + DescribeUser(CurrentProcessUser()) +
                                 "): " + scan.unreadable.Describe() + "; " +
                                 RunAsHint(scan.unreadable.FirstOwner(), false));
  }
  if (!summary.ok()) {
    *reason = summary.status().code() == StatusCode::kPermissionDenied ? "RepositoryAccessDenied" : "MediaFailed";
    return summary.status();
  }
  if (!scan_status.ok()) {
    *reason = "MediaFailed";
    return scan_status;
  }
  out->snapshot_id = summary->snapshot_id;
  out->data_added = summary->data_added;
  out->file_count = scan.files.size();
  out->total_bytes = scan.total_bytes;
  out->files = std::move(scan.files);
  if (summary->total_files_processed != out->file_count) {
    log_("warn", "Media changed during backup source=" + source.source + " restic_files=" +
                     std::to_string(summary->total_files_processed) + " scanned_files=" + std::to_string(out->file_count));
  }
  log_("info", "Media backed up source=" + source.source + " snapshot=" + out->snapshot_id + " files=" +
                   std::to_string(out->file_count) + " bytes=" + std::to_string(out->total_bytes) +
                   " data_added=" + std::to_string(out->data_added) + " hashed_bytes=" + std::to_string(scan.hashed_bytes));
  return Status::Ok();
}

// A failed run leaves nothing that looks like a backup: the manifest is never written and the
// snapshots it did write are forgotten (they would be listed as incomplete otherwise).
void BackupRunner::AbandonRun(RunningProcess& manifest, const std::vector<std::string>& written, BackupOutcome* outcome) {
  manifest.Abort();
  if (!written.empty()) {
    Status forgot = restic_.Forget(written);
    if (forgot.ok()) {
      outcome->forgotten_snapshots = written;
      log_("warn", "Removed the snapshots of the failed run snapshots=" + JoinTags(written));
    } else {
      log_("error", "Could not remove the snapshots of the failed run (they have no manifest, so they are never "
                    "listed as good; retention removes them later) error=" + forgot.ToString());
    }
  }
  // Stopped restic processes may leave a lock behind in rare races; stale locks only are removed.
  if (outcome->reason != "RepositoryAccessDenied") restic_.Unlock();
  log_("error", "Backup failed reason=" + outcome->reason + " error=" + outcome->status.ToString());
}

// The run's data: the globals, then each database, then each media source, each into its own
// snapshot (their ids are added to `written` as they are made). Stops at the first failure, with
// its reason.
Status BackupRunner::BackupSources(const BackupRequest& request, const SnapshotOptions& options, Manifest& m,
                                   std::vector<std::string>* written, std::string* reason) {
  if (request.base_backup) {
    BaseBackupRequest base{request.base_backup_source, request.pg, request.work_dir, request.postgres_root, request.backup_id};
    SnapshotOptions base_options = options;
    base_options.tags = RunTags(request.backup_id, request.policy, request.run_kind, kRoleBaseBackup, base.source);
    base_options.tags.insert(base_options.tags.end(), request.extra_tags.begin(), request.extra_tags.end());
    BaseBackupRecord record;
    Status s = BaseBackupTaker(restic_, runner_, clock_, log_).Take(base, base_options, &record, reason);
    if (!record.snapshot_id.empty()) written->push_back(record.snapshot_id);
    m.base_backups.push_back(record);
    if (!s.ok()) return s.WithContext("base backup " + base.source);
  }
  if (!request.databases.empty() && request.globals) {
    auto globals = DumpGlobals(request);
    if (!globals.ok()) {
      *reason = "GlobalsFailed";
      return globals.status();
    }
    m.globals.present = true;
    m.globals.sql = *globals;
    m.globals.size_bytes = globals->size();
  }
  for (const auto& source : request.databases) {
    DatabaseBackup db;
    Status s = BackupDatabase(request, source, options, &db, written, reason);
    m.databases.push_back(db);
    if (!s.ok()) return s.WithContext("database source " + source.source);
  }
  for (const auto& source : request.media) {
    MediaBackup media;
    Status s = BackupMedia(request, source, options, &media, written, reason);
    m.media.push_back(std::move(media));
    if (!s.ok()) return s.WithContext("media source " + source.source);
  }
  return Status::Ok();
}

BackupOutcome BackupRunner::Run(const BackupRequest& request) {
  BackupOutcome outcome;
  Manifest& m = outcome.manifest;
  WallTime start = clock_.Now();
  m.backup_id = request.backup_id;
  m.policy = request.policy;
  m.run_kind = request.run_kind;
  m.tags = request.extra_tags;
  m.start_time = FormatRfc3339(start);
  m.agent_version = request.agent_version;
  outcome.status = ValidateBackupRequest(request);
  if (!outcome.status.ok()) {
    outcome.reason = "InvalidRequest";
    return outcome;
  }
  SnapshotOptions options;
  options.time = ResticTime(start);
  if (Status ready = restic_.EnsureRepository(); !ready.ok()) {
    outcome.status = ready;
    outcome.reason = ready.code() == StatusCode::kPermissionDenied ? "RepositoryAccessDenied" : "RepositoryFailed";
    return outcome;
  }

  // The manifest's restic process starts now: opening the repository overlaps the dump.
  SnapshotOptions manifest_options = options;
  manifest_options.tags = RunTags(request.backup_id, request.policy, request.run_kind, kRoleManifest, "");
  manifest_options.tags.insert(manifest_options.tags.end(), request.extra_tags.begin(), request.extra_tags.end());
  std::optional<ResticBackupSummary> manifest_summary;
  std::mutex manifest_mutex;
  auto manifest_process = restic_.StartStdinBackup(kManifestPath, manifest_options, [&](const std::string& line) {
    ResticLine parsed = ParseResticBackupLine(line, "manifest");
    std::lock_guard lock(manifest_mutex);
    if (parsed.summary) manifest_summary = parsed.summary;
  });
  if (!manifest_process.ok()) {
    outcome.status = manifest_process.status();
    outcome.reason = "RepositoryFailed";
    return outcome;
  }

  std::vector<std::string> written;
  auto fail = [&](Status status, std::string reason) {
    outcome.status = std::move(status);
    outcome.reason = std::move(reason);
    AbandonRun(**manifest_process, written, &outcome);
    return outcome;
  };

  std::string reason;
  Status sources = BackupSources(request, options, m, &written, &reason);
  if (!sources.ok()) return fail(sources, reason);

  m.end_time = FormatRfc3339(clock_.Now());
  auto finished = (*manifest_process)->Finish(SerializeManifest(m));
  if (!finished.ok()) return fail(finished.status(), "ManifestFailed");
  if (!finished->Succeeded()) return fail(ClassifyResticFailure("writing the manifest", *finished), "ManifestFailed");
  {
    std::lock_guard lock(manifest_mutex);
    if (!manifest_summary || manifest_summary->snapshot_id.empty()) {
      return fail(InternalError("restic reported no snapshot for the manifest"), "ManifestFailed");
    }
    outcome.manifest_snapshot_id = manifest_summary->snapshot_id;
  }
  log_("info", "Backup completed backup_id=" + request.backup_id + " manifest_snapshot=" + outcome.manifest_snapshot_id);
  return outcome;
}

}  // namespace lifeboat::agent
