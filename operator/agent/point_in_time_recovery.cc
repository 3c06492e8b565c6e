#include "operator/agent/point_in_time_recovery.h"

#include <filesystem>
#include <future>
#include <fstream>
#include <set>

#include "operator/agent/external_programs.h"
#include "operator/agent/role_plan.h"
#include "operator/agent/scratch_postgres.h"
#include "operator/agent/snapshot_tags.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace fs = std::filesystem;
namespace {

// Production's configuration files are renamed with this suffix (never deleted: an engineer
// looking at the scratch copy may want them).
constexpr const char* kKeptAside = ".production";

double Seconds(SteadyTime from, SteadyTime to) { return std::chrono::duration<double>(to - from).count(); }

std::string Quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

Status WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return InternalError("cannot write " + path.string());
  return Status::Ok();
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// "2026-12-05 11:09:19.000000+00": the form PostgreSQL's timestamptz input reads without doubt.
std::string PostgresTimestamp(WallTime time) {
  std::string text = FormatRfc3339Micro(time);  // 2026-12-05T11:09:19.000000Z
  if (auto t = text.find('T'); t != std::string::npos) text[t] = ' ';
  if (!text.empty() && text.back() == 'Z') text.replace(text.size() - 1, 1, "+00");
  return text;
}

}  // namespace

std::vector<std::string> RecoveryTargetSettings(const RecoveryTarget& target) {
  switch (target.kind) {
    case RecoveryTarget::Kind::kLatest: return {};
    case RecoveryTarget::Kind::kTime:
      return {"recovery_target_time = " + Quoted(PostgresTimestamp(target.time)), "recovery_target_inclusive = on"};
    case RecoveryTarget::Kind::kLsn:
      return {"recovery_target_lsn = " + Quoted(FormatLsn(target.lsn)), "recovery_target_inclusive = on"};
  }
  return {};
}

bool RecoveryEndedBeforeTarget(const std::string& server_log) {
  return server_log.find("recovery ended before configured recovery target was reached") != std::string::npos;
}

PointInTimeRecovery::~PointInTimeRecovery() { Stop(); }

PgConnectionConfig PointInTimeRecovery::Connection() const { return {dir_ + "/socket", "5432", "postgres", "disable"}; }

void PointInTimeRecovery::Stop() {
  if (!running_) return;
  running_ = false;
  ProcessSpec stop;
  stop.argv = {bin_dir_ + "/" + kPgCtl, "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"};
  auto stopped = runner_.Run(stop, "", nullptr);
  if (!stopped.ok() || !stopped->Succeeded()) log_("warn", "The recovery server did not stop cleanly dir=" + dir_);
}

std::string PointInTimeRecovery::LogText() const {
  std::ifstream in(dir_ + "/server.log");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Status PointInTimeRecovery::Fetch(const RecoveryPlan& plan, RecoveryOutcome* outcome) {
  const fs::path data = fs::path(dir_) / "data", wal = fs::path(dir_) / "wal";
  // The base backup and the WAL come down side by side (restic is as much waiting for storage as
  // computing).
  auto base = std::async(std::launch::async, [&] { return restic_.Restore(plan.base.snapshot_id, data.string()); });
  Status wal_fetched = FetchWal(plan, wal, outcome);
  if (Status s = base.get(); !s.ok()) return s.WithContext("restoring base backup " + plan.base.backup_id);
  if (!wal_fetched.ok()) return wal_fetched;
  std::error_code ec;
  fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace, ec);  // PostgreSQL insists on 0700.
  return Status::Ok();
}

Status PointInTimeRecovery::FetchWal(const RecoveryPlan& plan, const std::filesystem::path& wal, RecoveryOutcome* outcome) {
  std::error_code ec;
  fs::create_directories(wal, ec);
  int index = 0;
  for (const auto& batch : plan.batches) {  // In chain order: a later group's copy of a file wins.
    const fs::path fetched = fs::path(dir_) / ("fetch-" + std::to_string(index++));
    if (Status s = restic_.Restore(batch.snapshot_id, fetched.string()); !s.ok()) {
      return s.WithContext("fetching WAL group " + batch.group);
    }
    for (const auto& entry : fs::recursive_directory_iterator(fetched, ec)) {
      if (!entry.is_regular_file() || !ParseWalFileName(entry.path().filename().string())) continue;
      fs::rename(entry.path(), wal / entry.path().filename(), ec);
      if (ec) return InternalError("moving fetched WAL " + entry.path().string() + ": " + ec.message());
    }
    fs::remove_all(fetched, ec);
  }
  outcome->wal_snapshots = static_cast<int>(plan.batches.size());
  // A segment still being written when it was uploaded is replayed as far as it goes (PostgreSQL
  // stops at its first invalid record), unless the completed segment is there too.
  std::vector<fs::path> partials;
  for (const auto& entry : fs::directory_iterator(wal, ec)) {
    auto parsed = ParseWalFileName(entry.path().filename().string());
    if (parsed && parsed->kind == WalFileKind::kPartialSegment) partials.push_back(entry.path());
  }
  for (const auto& partial : partials) {
    fs::path complete = partial;
    complete.replace_extension();
    if (fs::exists(complete, ec)) {
      fs::remove(partial, ec);
    } else {
      fs::rename(partial, complete, ec);
    }
  }
  return Status::Ok();
}

Status PointInTimeRecovery::Configure(const RecoveryRequest& request, bool with_target) {
  const fs::path data = fs::path(dir_) / "data";
  std::error_code ec;
  for (const char* name : {"postgresql.conf", "postgresql.auto.conf", "pg_hba.conf", "pg_ident.conf"}) {
    const fs::path original = data / name, aside = data / (std::string(name) + kKeptAside);
    if (fs::exists(original, ec) && !fs::exists(aside, ec)) fs::rename(original, aside, ec);
  }
  fs::remove(data / "standby.signal", ec);
  fs::remove(data / "postmaster.pid", ec);  // Copied from a running server by older tools; never ours.
  std::string conf =
      "# The recovery server of a Lifeboat point-in-time recovery. Production's own settings are in\n"
      "# postgresql.conf" + std::string(kKeptAside) + " and are not used.\n"
      "listen_addresses = ''\n"
      "port = 5432\n"
      "unix_socket_directories = " + Quoted(dir_ + "/socket") + "\n"
      "max_connections = 30\n"
      "shared_buffers = 128MB\n"
      "max_wal_size = 4GB\n"
      "hot_standby = off\n"
      "fsync = off\n"
      "synchronous_commit = off\n"
      "archive_mode = off\n"
      "autovacuum = off\n"
      "ssl = off\n"
      "shared_preload_libraries = ''\n"
      "restore_command = " + Quoted("cp \"" + dir_ + "/wal/%f\" \"%p\"") + "\n"
      "recovery_target_timeline = 'latest'\n"
      "recovery_target_action = 'promote'\n";
  if (with_target) {
    for (const auto& line : RecoveryTargetSettings(request.target)) conf += line + "\n";
  }
  if (Status s = WriteText(data / "postgresql.conf", conf); !s.ok()) return s;
  if (Status s = WriteText(data / "postgresql.auto.conf", ""); !s.ok()) return s;
  if (Status s = WriteText(data / "pg_hba.conf", "local all all trust\n"); !s.ok()) return s;
  if (Status s = WriteText(data / "pg_ident.conf", ""); !s.ok()) return s;
  return WriteText(data / "recovery.signal", "");
}

Status PointInTimeRecovery::StartServer(RecoveryOutcome* outcome) {
  ProcessSpec start;
  // pg_ctl returns once the postmaster runs; with hot_standby off nobody can connect before the
  // promotion, so the replay is waited for below: until a connection succeeds or the server stops.
  start.argv = {bin_dir_ + "/" + kPgCtl, "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w", "-t", "300", "start"};
  const SteadyTime t0 = clock_.SteadyNow();
  auto started = runner_.Run(start, "", nullptr);
  if (!started.ok()) return started.status();
  running_ = true;  // Stop() is harmless if it did not start.
  auto connector = connect_pg_(Connection());
  StatusOr<std::unique_ptr<PgSession>> session = UnavailableError("not tried");
  while (true) {
    session = connector->Connect("postgres");
    if (session.ok()) break;
    const std::string error = session.status().message();
    const bool replaying = error.find("not accepting connections") != std::string::npos ||
                           error.find("starting up") != std::string::npos;
    std::error_code ec;
    if (!replaying || !std::filesystem::exists(dir_ + "/data/postmaster.pid", ec)) {
      outcome->replay_seconds += Seconds(t0, clock_.SteadyNow());
      return FailedPreconditionError("the recovery server is not running: " + error);
    }
    sleep_(std::chrono::milliseconds(200));
  }
  outcome->replay_seconds += Seconds(t0, clock_.SteadyNow());
  auto rows = (*session)->Query(
      "SELECT pg_is_in_recovery()::text, "
      "to_char(pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
      "COALESCE(pg_last_wal_replay_lsn(), pg_current_wal_lsn())::text, current_setting('server_version')",
      {});
  if (!rows.ok()) return rows.status();
  if (rows->empty() || (*rows)[0].size() < 4) return InternalError("the recovery server answered no row");
  const auto& row = (*rows)[0];
  if (row[0].value_or("") != "false") return InternalError("the recovery server did not promote");
  outcome->reached_time = row[1].value_or("");
  outcome->reached_lsn = row[2].value_or("");
  outcome->server_version = row[3].value_or("");
  return Status::Ok();
}

RecoveryOutcome PointInTimeRecovery::Recover(const RecoveryRequest& request) {
  RecoveryOutcome outcome;
  auto fail = [&](Status status, const std::string& reason) {
    outcome.status = std::move(status);
    outcome.reason = reason;
    return outcome;
  };
  const SteadyTime t0 = clock_.SteadyNow();
  auto snapshots = restic_.Snapshots({Tag(kTagPolicy, request.policy)});
  if (!snapshots.ok()) return fail(snapshots.status().WithContext("listing the repository"), "RepositoryFailed");
  WalArchiveListing archive = ListWalArchive(*snapshots, request.policy);
  for (const auto& skipped : archive.skipped) log_("warn", "Skipped in the WAL archive: " + skipped);
  auto plan = PlanRecovery(archive, request.target);
  if (!plan.ok()) {
    RecoveryWindow window = AnalyzeRecoveryWindow(archive);
    if (window.last_recoverable) outcome.archive_until = FormatRfc3339Micro(*window.last_recoverable);
    return fail(plan.status(), plan.status().code() == StatusCode::kFailedPrecondition ? "RecoveryTargetNotReached"
                                                                                      : "BaseBackupNotFound");
  }
  outcome.base_backup_id = plan->base.backup_id;
  outcome.base_consistent_time = FormatRfc3339Micro(plan->base.consistent_time);
  if (plan->archive_until) outcome.archive_until = FormatRfc3339Micro(*plan->archive_until);
  log_("info", "Recovery planned target=" + DescribeRecoveryTarget(request.target) + " base_backup=" + plan->base.backup_id +
                   " wal_groups=" + std::to_string(plan->batches.size()) + " archive_until=" + outcome.archive_until);

  dir_ = (fs::path(request.work_dir) / "lifeboat-recovery").string();
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::create_directories(fs::path(dir_) / "socket", ec);
  if (ec) return fail(FailedPreconditionError("cannot create " + dir_ + ": " + ec.message()), "RecoveryFailed");
  if (Status fetched = Fetch(*plan, &outcome); !fetched.ok()) return fail(fetched, "FetchFailed");
  outcome.fetch_seconds = Seconds(t0, clock_.SteadyNow());

  std::ifstream version_file(dir_ + "/data/PG_VERSION");
  std::string major((std::istreambuf_iterator<char>(version_file)), std::istreambuf_iterator<char>());
  auto bin = ServerBinDir(Trimmed(major), request.postgres_root);
  if (!bin.ok()) return fail(bin.status(), "DatabaseVersionUnsupported");
  bin_dir_ = *bin;

  if (Status s = Configure(request, true); !s.ok()) return fail(s, "RecoveryFailed");
  Status started = StartServer(&outcome);
  if (!started.ok() && RecoveryEndedBeforeTarget(LogText())) {
    const bool covered = request.target.kind == RecoveryTarget::Kind::kTime && plan->archive_until &&
                         *plan->archive_until >= request.target.time;
    if (!covered) {
      return fail(FailedPreconditionError("the archived WAL ends before the recovery target " +
                                          DescribeRecoveryTarget(request.target) + "; the last recoverable time is " +
                                          (outcome.archive_until.empty() ? "unknown" : outcome.archive_until)),
                  "RecoveryTargetNotReached");
    }
    // Every commit in the archive is before the target: the whole archive is the wanted state.
    log_("info", "No commit after the target in the archive, which reaches " + outcome.archive_until +
                     ": replaying all of it");
    outcome.replayed_to_end = true;
    running_ = false;
    if (Status s = Configure(request, false); !s.ok()) return fail(s, "RecoveryFailed");
    started = StartServer(&outcome);
  }
  if (!started.ok()) {
    std::string log = LogText();
    if (log.size() > 1500) log = log.substr(log.size() - 1500);
    return fail(InternalError(started.message() + "; the recovery server's log ends: " + log), "RecoveryFailed");
  }
  log_("info", "Recovered to " + (outcome.reached_time.empty() ? std::string("the base backup") : outcome.reached_time) +
                   " lsn=" + outcome.reached_lsn + " fetch_seconds=" + std::to_string(outcome.fetch_seconds) +
                   " replay_seconds=" + std::to_string(outcome.replay_seconds));
  return outcome;
}

StatusOr<DatabaseBackup> DescribeRecoveredDatabase(PgConnector& server, const std::string& database,
                                                   const std::vector<std::string>& tables, bool checksums,
                                                   bool measure) {
  auto session = server.Connect(database);
  if (!session.ok()) return session.status().WithContext("database " + database + " in the recovered server");
  DatabaseBackup db;
  db.source = database;
  db.database = database;
  db.format = "custom";
  db.checksums = checksums && measure;
  auto version = (*session)->Query("SELECT current_setting('server_version'), current_setting('server_version_num')", {});
  if (!version.ok()) return version.status();
  if (!version->empty() && (*version)[0].size() == 2) {
    db.server_version = (*version)[0][0].value_or("");
    db.server_version_num = std::stoi((*version)[0][1].value_or("0"));
  }
  if (Status roles = RecordDatabaseRoles(**session, database, &db); !roles.ok()) return roles;
  auto listed = (*session)->ListTables();
  if (!listed.ok()) return listed.status();
  std::set<std::string> wanted, found;
  for (const auto& t : tables) wanted.insert(t.find('.') == std::string::npos ? "public." + t : t);
  for (const auto& table : *listed) {
    const std::string name = table.schema + "." + table.name;
    if (!wanted.empty() && !wanted.count(name)) continue;
    found.insert(name);
    if (!measure) {
      db.tables.push_back({table.schema, table.name, 0, ""});
      continue;
    }
    auto stats = (*session)->MeasureTable(table, checksums);
    if (!stats.ok()) return stats.status();
    db.tables.push_back(*stats);
  }
  for (const auto& name : wanted) {
    if (!found.count(name)) {
      return NotFoundError("table " + name + " does not exist in database " + database + " at the recovery target");
    }
  }
  return db;
}

}  // namespace lifeboat::agent
