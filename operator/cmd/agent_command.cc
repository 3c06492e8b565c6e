// `lifeboat agent ...`: what Lifeboat's Jobs run. Flag parsing and wiring only; the work is in
// operator/agent/. Every flag can also come from the environment variable named in its help, so a
// Job spec can fill them from ConfigMaps; secrets (RESTIC_PASSWORD[_FILE], PGPASSWORD/PGPASSFILE,
// AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are only ever read from the environment by the children.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <iostream>
#include <thread>
#include <map>
#include <memory>
#include <random>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "operator/agent/agent_result.h"
#include "operator/agent/backup_result.h"
#include "operator/agent/backup_runner.h"
#include "operator/agent/catalog.h"
#include "operator/agent/posix_process_runner.h"
#include "operator/agent/pqxx_pg_session.h"
#include "operator/agent/repository_config.h"
#include "operator/agent/restic_client.h"
#include "operator/agent/database_swap.h"
#include "operator/agent/restore_runner.h"
#include "operator/agent/retention_runner.h"
#include "operator/agent/snapshot_tags.h"
#include "operator/agent/sql_check_runner.h"
#include "operator/cmd/commands.h"
#include "operator/core/time_format.h"

extern char** environ;

namespace lifeboat::cmd {
namespace {

using agent::AgentResult;

struct CommonOptions {
  agent::RepositoryConfig repository;
  std::string termination_log = "/dev/termination-log";
  agent::PgConnectionConfig pg;
};

struct RetentionOptions {
  agent::RetentionRules rules;
  std::int64_t orphan_grace_seconds = 6 * 3600;
  bool no_prune = false;
};

// SIGTERM/SIGINT (Pod deletion, Job cancellation): the agent stops its children (SIGINT, see kStopSignal), the
// run then fails as any failed run does (its snapshots are forgotten, no manifest), and the result
// says "Cancelled". Signals are taken by one thread with sigwait; all other threads block them.
std::atomic<bool> g_cancelled{false};

// Runs an agent command's body with SIGTERM/SIGINT turned into cancellation (installed only when a
// command runs, not when flags are merely parsed).
void InstallCancellation();
int RunAgent(const std::function<int()>& body) {
  InstallCancellation();
  return body();
}

void InstallCancellation() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    for (;;) {
      int signal = 0;
      if (sigwait(&set, &signal) != 0) continue;
      g_cancelled = true;
      agent::TerminateRunningChildren(agent::kStopSignal);
    }
  }).detach();
}

std::map<std::string, std::string> Environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

std::shared_ptr<spdlog::logger> Logger() {
  static auto logger = [] {
    auto l = spdlog::stdout_logger_mt("lifeboat-agent");
    l->set_pattern("%v");
    l->flush_on(spdlog::level::info);
    return l;
  }();
  return logger;
}

// Log lines are JSON objects, one per line, on stdout (the Pod log).
agent::LogSink MakeLogSink(const std::string& command) {
  return [command](const std::string& level, const std::string& message) {
    nlohmann::json line{{"ts", FormatRfc3339Micro(SystemClock::Instance().Now())},
                        {"level", level},
                        {"component", "agent"},
                        {"command", command},
                        {"msg", message}};
    Logger()->info(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  };
}

void AddTerminationLogFlag(CLI::App* app, CommonOptions& o) {
  app->add_option("--termination-log", o.termination_log, "Where the JSON result is written")
      ->envname("LIFEBOAT_TERMINATION_LOG");
}

void AddRepositoryFlags(CLI::App* app, CommonOptions& o) {
  app->add_option("--repository-path", o.repository.path, "Local or mounted (PVC) repository directory")
      ->envname("LIFEBOAT_REPOSITORY_PATH");
  app->add_option("--repository-url", o.repository.url, "A restic repository string (rest:..., s3:...)")
      ->envname("LIFEBOAT_REPOSITORY_URL");
  app->add_option("--s3-endpoint", o.repository.s3.endpoint, "S3-compatible endpoint URL")->envname("LIFEBOAT_S3_ENDPOINT");
  app->add_option("--s3-bucket", o.repository.s3.bucket, "S3 bucket")->envname("LIFEBOAT_S3_BUCKET");
  app->add_option("--s3-prefix", o.repository.s3.prefix, "Folder inside the bucket")->envname("LIFEBOAT_S3_PREFIX");
  app->add_option("--s3-region", o.repository.s3.region, "S3 region")->envname("LIFEBOAT_S3_REGION");
  app->add_option("--ca-bundle", o.repository.ca_bundle, "PEM CA bundle for the repository endpoint")
      ->envname("LIFEBOAT_CA_BUNDLE");
  AddTerminationLogFlag(app, o);
}

void AddPgFlags(CLI::App* app, CommonOptions& o) {
  app->add_option("--pg-host", o.pg.host, "PostgreSQL host or socket directory")->envname("PGHOST");
  app->add_option("--pg-port", o.pg.port, "PostgreSQL port")->envname("PGPORT");
  app->add_option("--pg-user", o.pg.user, "PostgreSQL user")->envname("PGUSER");
  app->add_option("--pg-sslmode", o.pg.sslmode, "libpq sslmode")->envname("PGSSLMODE");
}

void AddRetentionFlags(CLI::App* app, RetentionOptions& r) {
  app->add_option("--keep-last", r.rules.keep_last, "Keep the last N backups")->envname("LIFEBOAT_KEEP_LAST");
  app->add_option("--keep-hourly", r.rules.keep_hourly, "Keep one backup per hour for N hours")->envname("LIFEBOAT_KEEP_HOURLY");
  app->add_option("--keep-daily", r.rules.keep_daily, "Keep one backup per day for N days")->envname("LIFEBOAT_KEEP_DAILY");
  app->add_option("--keep-weekly", r.rules.keep_weekly, "Keep one per week for N weeks")->envname("LIFEBOAT_KEEP_WEEKLY");
  app->add_option("--keep-monthly", r.rules.keep_monthly, "Keep one per month for N months")->envname("LIFEBOAT_KEEP_MONTHLY");
  app->add_option("--keep-yearly", r.rules.keep_yearly, "Keep one per year for N years")->envname("LIFEBOAT_KEEP_YEARLY");
  app->add_option("--keep-within", r.rules.keep_within, "Keep all backups within this duration (e.g. 7d)")
      ->envname("LIFEBOAT_KEEP_WITHIN");
  app->add_option("--orphan-grace-seconds", r.orphan_grace_seconds,
                  "Data snapshots of runs without a manifest are removed once older than this");
  app->add_flag("--no-prune", r.no_prune, "Forget without pruning unreferenced data");
}

bool HasRetentionRules(const agent::RetentionRules& r) {
  return r.keep_last || r.keep_hourly || r.keep_daily || r.keep_weekly || r.keep_monthly || r.keep_yearly ||
         !r.keep_within.empty();
}

// Writes the result to the termination log and stdout; returns the process exit code.
int Finish(const CommonOptions& o, AgentResult result, WallTime start, const agent::LogSink& log) {
  if (g_cancelled && !result.status.ok()) {
    result.status = CancelledError("the agent was asked to stop (SIGTERM/SIGINT): " + result.status.message());
    result.reason = "Cancelled";
  }
  WallTime end = SystemClock::Instance().Now();
  result.start_time = FormatRfc3339(start);
  result.end_time = FormatRfc3339(end);
  result.duration_seconds = std::chrono::duration<double>(end - start).count();
  std::string text = agent::RenderTerminationMessage(result);
  if (!o.termination_log.empty()) {
    std::ofstream out(o.termination_log, std::ios::trunc);
    out << text;
    if (!out) log("warn", "Could not write the termination message path=" + o.termination_log);
  }
  std::cout << text << std::endl;
  return agent::ExitCodeFor(result.status);
}

StatusOr<agent::ResticInvocation> Invocation(const CommonOptions& o) {
  return agent::BuildResticInvocation(o.repository, Environment());
}

std::string DefaultBackupId(const std::string& policy, WallTime now) {
  std::string t = FormatRfc3339(now);  // 2026-11-22T01:02:03Z -> 20261122-010203
  std::string compact = t.substr(0, 4) + t.substr(5, 2) + t.substr(8, 2) + "-" + t.substr(11, 2) + t.substr(14, 2) + t.substr(17, 2);
  std::random_device rd;
  static const char* kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix;
  for (int i = 0; i < 5; ++i) suffix += kAlphabet[rd() % 36];
  return policy + "-" + compact + "-" + suffix;
}

// "[name=]value" -> {name, value}; name defaults to `default_name(value)`.
std::pair<std::string, std::string> SplitNamed(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos) return {"", text};
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::string BaseName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  auto slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

struct BackupFlags {
  CommonOptions common;
  agent::BackupRequest request;
  std::vector<std::string> databases, media, excludes, media_excludes;
  bool no_globals = false, no_media_checksums = false;
  RetentionOptions retention;
  std::string check_subset;
};

int RunBackup(BackupFlags& f) {
  WallTime start = SystemClock::Instance().Now();
  auto log = MakeLogSink("backup");
  AgentResult result;
  result.command = "backup";
  auto& r = f.request;
  if (r.backup_id.empty()) r.backup_id = DefaultBackupId(r.policy, start);
  result.backup_id = r.backup_id;
  r.pg = f.common.pg;
  r.globals = !f.no_globals;
  r.media_checksums = !f.no_media_checksums;
  r.agent_version = LIFEBOAT_VERSION;
  for (const auto& d : f.databases) {
    auto [name, db] = SplitNamed(d);
    r.databases.push_back({name.empty() ? db : name, db});
  }
  for (const auto& m : f.media) {
    auto [name, path] = SplitNamed(m);
    r.media.push_back({name.empty() ? BaseName(path) : name, path, f.excludes});
  }
  for (const auto& e : f.media_excludes) {
    auto [source, pattern] = SplitNamed(e);
    bool found = false;
    for (auto& m : r.media) {
      if (m.source == source) {
        m.excludes.push_back(pattern);
        found = true;
      }
    }
    if (source.empty() || pattern.empty() || !found) {
      result.status = InvalidArgumentError("--media-exclude " + e + ": expected SOURCE=PATTERN naming a --media source");
      return Finish(f.common, result, start, log);
    }
  }
  auto invocation = Invocation(f.common);
  if (!invocation.ok()) {
    result.status = invocation.status();
    return Finish(f.common, result, start, log);
  }
  agent::PosixProcessRunner runner;
  agent::ResticClient restic(runner, *invocation, [&](const std::string& m) { log("info", m); });
  agent::PqxxPgConnector connector(r.pg);
  agent::BackupRunner backup(restic, connector, runner, SystemClock::Instance(), log);
  log("info", "Backup started backup_id=" + r.backup_id + " policy=" + r.policy + " kind=" + r.run_kind +
                  " repository=" + restic.location());
  agent::BackupOutcome outcome = backup.Run(r);
  result.status = outcome.status;
  result.reason = outcome.reason;
  const auto& m = outcome.manifest;
  agent::BackupResult fields;
  fields.policy = r.policy;
  fields.run_kind = r.run_kind;
  fields.repository = restic.location();
  fields.manifest_snapshot_id = outcome.manifest_snapshot_id;
  std::int64_t size = 0;
  for (const auto& d : m.databases) {
    std::int64_t rows = 0;
    for (const auto& t : d.tables) rows += t.rows;
    size += static_cast<std::int64_t>(d.size_bytes);
    fields.databases.push_back({d.source, d.database, d.snapshot_id, static_cast<std::int64_t>(d.size_bytes),
                                static_cast<std::int64_t>(d.tables.size()), rows, d.server_version, d.wal_lsn});
  }
  for (const auto& x : m.media) {
    size += static_cast<std::int64_t>(x.total_bytes);
    fields.media.push_back({x.source, x.snapshot_id, static_cast<std::int64_t>(x.file_count),
                            static_cast<std::int64_t>(x.total_bytes), static_cast<std::int64_t>(x.data_added)});
  }
  fields.size_bytes = size;
  fields.forgotten_snapshots = outcome.forgotten_snapshots;
  if (outcome.status.ok() && HasRetentionRules(f.retention.rules)) {
    auto applied = agent::ApplyRetention(restic, f.retention.rules, r.policy, SystemClock::Instance().Now(),
                                         std::chrono::seconds(f.retention.orphan_grace_seconds), !f.retention.no_prune);
    if (applied.ok()) {
      fields.retention = agent::RetentionReport{static_cast<std::int64_t>(applied->kept_backup_ids.size()),
                                                {applied->removed_backup_ids.begin(), applied->removed_backup_ids.end()}, ""};
    } else {
      // The backup itself is good; retention is reported and retried by the next run.
      fields.retention = agent::RetentionReport{0, {}, applied.status().ToString()};
      log("warn", "Retention failed error=" + applied.status().ToString());
    }
  }
  if (outcome.status.ok() && !f.check_subset.empty()) {
    Status checked = restic.Check(f.check_subset);
    fields.check = agent::CheckReport{f.check_subset, checked.ok()};
    if (!checked.ok()) {
      result.status = checked;
      result.reason = "RepositoryCheckFailed";
    }
  }
  result.fields = agent::BackupResultToJson(fields);
  return Finish(f.common, result, start, log);
}

// The SQL checks of --checks-json or --checks-file (none when both are empty).
StatusOr<std::vector<agent::SqlCheck>> LoadChecks(const std::string& json, const std::string& file) {
  std::string text = json;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return InvalidArgumentError("cannot read --checks-file " + file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  if (text.empty()) return std::vector<agent::SqlCheck>{};
  return agent::ParseSqlChecks(text);
}

struct RestoreFlags {
  CommonOptions common;
  agent::RestoreRequest request;
  std::string mode = "NewDatabase", strategy = "Swap", media_mode = "Merge", checks_json, checks_file;
  bool no_verify = false, no_create_roles = false;
};

int RunRestore(RestoreFlags& f) {
  WallTime start = SystemClock::Instance().Now();
  auto log = MakeLogSink("restore");
  AgentResult result;
  result.command = "restore";
  auto& r = f.request;
  result.backup_id = r.backup_id;
  r.pg = f.common.pg;
  r.verify = !f.no_verify;
  r.create_roles = !f.no_create_roles;
  auto fail = [&](Status s, const char* reason) {
    result.status = std::move(s);
    result.reason = reason;
    return Finish(f.common, result, start, log);
  };
  auto mode = agent::ParseDatabaseRestoreMode(f.mode);
  if (!mode.ok()) return fail(mode.status(), "InvalidRequest");
  r.mode = *mode;
  auto strategy = agent::ParseReplaceStrategy(f.strategy);
  if (!strategy.ok()) return fail(strategy.status(), "InvalidRequest");
  r.strategy = *strategy;
  auto media_mode = agent::ParseMediaRestoreMode(f.media_mode);
  if (!media_mode.ok()) return fail(media_mode.status(), "InvalidRequest");
  r.media_mode = *media_mode;
  auto checks = LoadChecks(f.checks_json, f.checks_file);
  if (!checks.ok()) return fail(checks.status(), "InvalidRequest");
  r.checks = *checks;
  auto invocation = Invocation(f.common);
  if (!invocation.ok()) return fail(invocation.status(), "InvalidRequest");
  agent::PosixProcessRunner runner;
  agent::ResticClient restic(runner, *invocation, [&](const std::string& m) { log("info", m); });
  agent::PqxxPgConnector connector(r.pg);
  agent::RestoreRunner restore(restic, connector, runner, SystemClock::Instance(), log);
  log("info", "Restore started backup_id=" + r.backup_id + " target_database=" + r.target_database +
                  " media_target=" + r.media_target + " repository=" + restic.location());
  agent::RestoreOutcome outcome = restore.Run(r);
  result.status = outcome.status;
  result.reason = outcome.reason;
  agent::RestoreResult fields;
  fields.repository = restic.location();
  fields.backup_time = outcome.backup_time;
  fields.policy = outcome.policy;
  if (!r.target_database.empty()) fields.database = outcome.database;
  if (!r.media_target.empty()) fields.media = outcome.media;
  fields.checks = outcome.checks;
  fields.mismatches = outcome.mismatches;
  result.fields = agent::RestoreResultToJson(fields);
  if (outcome.status.ok()) log("info", "Restore completed backup_id=" + r.backup_id);
  else log("error", "Restore failed reason=" + outcome.reason + " error=" + outcome.status.ToString());
  return Finish(f.common, result, start, log);
}

struct VerifyFlags {
  CommonOptions common;
  std::string database, checks_json, checks_file;
};

// `agent verify`: the user's SQL checks against a restored database, after the post-restore Jobs.
int RunVerify(VerifyFlags& f) {
  WallTime start = SystemClock::Instance().Now();
  auto log = MakeLogSink("verify");
  AgentResult result;
  result.command = "verify";
  auto checks = LoadChecks(f.checks_json, f.checks_file);
  if (checks.ok() && checks->empty()) checks = InvalidArgumentError("no checks: give --checks-json or --checks-file");
  if (!checks.ok()) {
    result.status = checks.status();
    result.reason = "InvalidRequest";
    return Finish(f.common, result, start, log);
  }
  agent::PqxxPgConnector connector(f.common.pg);
  agent::SqlChecksOutcome outcome = agent::RunSqlChecks(connector, f.database, *checks, log);
  result.fields = {{"database", f.database}, {"checks", outcome.checks}};
  if (!outcome.all_passed) {
    result.status = InternalError(outcome.first_failure);
    result.reason = "CheckFailed";
  }
  return Finish(f.common, result, start, log);
}

struct SwapFlags {
  CommonOptions common;
  agent::SwapNames names;
  std::string maintenance_database = "postgres", keep_failed_as;
  bool rollback = false, drop_previous = false;
};

// `agent swap-database`: the atomic Replace's swap, its rollback, or the later removal of the
// previous database (database_swap.h).
int RunSwapDatabase(SwapFlags& f) {
  WallTime start = SystemClock::Instance().Now();
  const char* action = f.rollback ? "rollback" : (f.drop_previous ? "drop-previous" : "swap");
  auto log = MakeLogSink("swap-database");
  AgentResult result;
  result.command = "swap-database";
  agent::SwapDatabaseResult fields;
  fields.action = action;
  fields.database = f.names.live;
  fields.staging = f.names.staging;
  fields.previous = f.names.previous;
  agent::PqxxPgConnector connector(f.common.pg);
  auto admin = connector.Connect(f.maintenance_database);
  if (!admin.ok()) {
    result.status = admin.status();
    result.reason = agent::ConnectionFailureReason(admin.status());
  } else if (f.rollback) {
    auto r = agent::RunRollback(**admin, f.names, f.keep_failed_as);
    result.status = r.status();
    result.reason = r.ok() ? "" : "RollbackFailed";
    if (r.ok()) {
      fields.swapped = r->swapped;
      fields.live_intact = r->live_intact;
      fields.staging_dropped = r->staging_dropped;
      fields.kept_as = r->kept_as;
      fields.state = r->message;
    }
  } else if (f.drop_previous) {
    auto dropped = agent::DropPrevious(**admin, f.names);
    result.status = dropped.status();
    result.reason = dropped.ok() ? "" : "DropFailed";
    fields.dropped = dropped.ok() && *dropped;
  } else {
    auto swapped = agent::RunSwap(**admin, f.names, SystemClock::Instance(),
                                  [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); });
    result.status = swapped.status();
    result.reason = swapped.ok() ? "" : "SwapFailed";
    if (swapped.ok()) {
      fields.swapped = swapped->swapped;
      fields.already_swapped = swapped->already_swapped;
      fields.terminated_sessions = swapped->terminated_sessions;
      fields.unavailable_seconds = swapped->unavailable_seconds;
      log("info", "Database swapped database=" + f.names.live + " previous=" + f.names.previous +
                      " unavailable_seconds=" + std::to_string(swapped->unavailable_seconds));
    }
  }
  result.fields = agent::SwapDatabaseResultToJson(fields);
  return Finish(f.common, result, start, log);
}

// Runs a repository command (catalog, retention, check): starts its result and log, opens the
// repository from the flags (invalid flags end the command with their error), runs `body`, then
// writes the result and returns the exit code.
using RepositoryCommandBody =
    std::function<void(agent::ResticClient& restic, AgentResult& result, WallTime start, const agent::LogSink& log)>;
int RunRepositoryCommand(const CommonOptions& common, const std::string& command, const RepositoryCommandBody& body) {
  WallTime start = SystemClock::Instance().Now();
  auto log = MakeLogSink(command);
  AgentResult result;
  result.command = command;
  auto invocation = Invocation(common);
  if (!invocation.ok()) {
    result.status = invocation.status();
    return Finish(common, result, start, log);
  }
  agent::PosixProcessRunner runner;
  agent::ResticClient restic(runner, *invocation, nullptr);
  body(restic, result, start, log);
  return Finish(common, result, start, log);
}

struct CatalogFlags {
  CommonOptions common;
  std::string policy, backup_id;
  bool manifests = false, include_incomplete = false;
  std::vector<std::string> selections;
  std::string before;
};

// The answers to --select: each selection's backup, keyed by BackupSelection::Key() (an object, so
// the termination message's size limit never drops one). Fails with BackupNotFound when any
// selection has no backup.
Status SelectBackups(const CatalogFlags& f, const std::vector<agent::CatalogEntry>& catalog,
                     std::map<std::string, agent::SelectedBackup>* selected) {
  std::optional<WallTime> before;
  if (!f.before.empty()) {
    auto parsed = ParseRfc3339(f.before);
    if (!parsed.ok()) return InvalidArgumentError("--before \"" + f.before + "\" is not an RFC 3339 time: " + parsed.status().message());
    before = *parsed;
  }
  std::string errors;
  for (const std::string& text : f.selections) {
    auto selection = agent::ParseBackupSelection(text);
    if (!selection.ok()) return selection.status();
    agent::SelectedBackup chosen = agent::SelectBackup(catalog, *selection, f.policy, before);
    (*selected)[selection->Key()] = chosen;
    if (!chosen.error.empty()) errors += (errors.empty() ? "" : "; ") + chosen.error;
  }
  return errors.empty() ? Status::Ok() : NotFoundError(errors);
}

int RunCatalog(CatalogFlags& f) {
  return RunRepositoryCommand(f.common, "catalog", [&](agent::ResticClient& restic, AgentResult& result, WallTime,
                                                   const agent::LogSink&) {
    // A selection by id may name another policy's backup (a safety backup, to roll back): with
    // --select the whole repository is read and --policy only narrows the listing and "latest".
    std::vector<std::string> tags{agent::kTagLifeboat};
    if (!f.policy.empty() && f.selections.empty()) tags.push_back(agent::Tag(agent::kTagPolicy, f.policy));
    if (!f.backup_id.empty()) tags.push_back(agent::Tag(agent::kTagBackup, f.backup_id));
    auto snapshots = restic.Snapshots(tags);
    if (!snapshots.ok()) {
      result.status = snapshots.status();
      return;
    }
    const std::vector<agent::CatalogEntry> catalog = agent::BuildCatalog(*snapshots);
    agent::CatalogResult fields;
    fields.repository = restic.location();
    Status selection_status = SelectBackups(f, catalog, &fields.selected);
    nlohmann::json backups = nlohmann::json::array();
    for (const auto& entry : catalog) {
      if (!entry.complete && !f.include_incomplete) continue;
      if (!f.policy.empty() && entry.policy != f.policy) continue;
      nlohmann::json j = agent::CatalogEntryJson(entry);
      if ((f.manifests || !f.backup_id.empty()) && entry.complete) {
        auto text = restic.DumpToString(entry.manifest_snapshot_id, agent::kManifestPath);
        auto manifest = text.ok() ? agent::ParseManifest(*text) : StatusOr<agent::Manifest>(text.status());
        if (manifest.ok()) {
          j["manifest"] = !f.backup_id.empty() ? agent::ManifestToJson(*manifest) : agent::ManifestSummaryJson(*manifest);
        } else {
          j["manifestError"] = manifest.status().ToString();
        }
      }
      fields.backup_ids.push_back(entry.backup_id);
      backups.push_back(std::move(j));
    }
    if (!f.backup_id.empty() && backups.empty()) {
      result.status = NotFoundError("backup \"" + f.backup_id + "\" is not in the repository");
      result.reason = "BackupNotFound";
      return;
    }
    // The full catalog goes to stdout; the termination message carries the count and newest ids.
    std::cout << nlohmann::json{{"repository", restic.location()}, {"backups", backups}}.dump() << std::endl;
    result.fields = agent::CatalogResultToJson(fields);
    if (!selection_status.ok()) {
      result.status = selection_status;
      if (selection_status.code() == StatusCode::kNotFound) result.reason = "BackupNotFound";
    }
  });
}

struct RetentionFlags {
  CommonOptions common;
  std::string policy;
  RetentionOptions retention;
};

int RunRetention(RetentionFlags& f) {
  return RunRepositoryCommand(f.common, "retention", [&](agent::ResticClient& restic, AgentResult& result, WallTime start,
                                                   const agent::LogSink& log) {
    auto applied = agent::ApplyRetention(restic, f.retention.rules, f.policy, start,
                                         std::chrono::seconds(f.retention.orphan_grace_seconds), !f.retention.no_prune);
    if (!applied.ok()) {
      result.status = applied.status();
    } else {
      result.fields = {{"policy", f.policy},
                       {"kept", std::vector<std::string>(applied->kept_backup_ids.begin(), applied->kept_backup_ids.end())},
                       {"removed", std::vector<std::string>(applied->removed_backup_ids.begin(), applied->removed_backup_ids.end())},
                       {"forgottenDataSnapshots", applied->forgotten_data_snapshots.size()}};
      log("info", "Retention applied policy=" + f.policy + " kept=" + std::to_string(applied->kept_backup_ids.size()) +
                      " removed=" + std::to_string(applied->removed_backup_ids.size()));
    }
  });
}

struct CheckFlags {
  CommonOptions common;
  std::string subset;
};

int RunCheck(CheckFlags& f) {
  return RunRepositoryCommand(f.common, "check", [&](agent::ResticClient& restic, AgentResult& result, WallTime,
                                                   const agent::LogSink&) {
    result.status = restic.Check(f.subset);
    result.fields = {{"readDataSubset", f.subset}};
  });
}

}  // namespace

void AddAgentCommand(CLI::App& app, CommandRegistry& registry) {
  CLI::App* agent = app.add_subcommand("agent", "What Lifeboat Jobs run: backup, restore, verify, catalog, retention, check");
  agent->require_subcommand(1);

  static BackupFlags backup;
  CLI::App* b = agent->add_subcommand("backup", "Back up PostgreSQL databases and media paths into the repository");
  AddRepositoryFlags(b, backup.common);
  AddPgFlags(b, backup.common);
  b->add_option("--backup-id", backup.request.backup_id, "Run id (default: <policy>-<time>-<random>)")->envname("LIFEBOAT_BACKUP_ID");
  b->add_option("--policy", backup.request.policy, "Policy name recorded in tags and manifest")
      ->envname("LIFEBOAT_POLICY")->default_val("manual");
  b->add_option("--run-kind", backup.request.run_kind, "scheduled | on-demand | pre-restore")
      ->envname("LIFEBOAT_RUN_KIND")->default_val("on-demand");
  b->add_option("--tag", backup.request.extra_tags, "Extra snapshot tag (repeatable)");
  b->add_option("--database", backup.databases, "[source=]database to dump (repeatable)")->envname("LIFEBOAT_DATABASES")->delimiter(' ');
  b->add_flag("--no-globals", backup.no_globals, "Skip pg_dumpall --globals-only");
  b->add_flag("--globals-no-role-passwords", backup.request.globals_no_role_passwords,
              "Dump globals without role passwords (for non-superusers)");
  b->add_option("--format", backup.request.format, "custom (streamed) | directory (parallel)")
      ->envname("LIFEBOAT_DUMP_FORMAT")->default_val("custom");
  b->add_option("--compression", backup.request.compression, "pg_dump -Z level (0: let restic compress)")
      ->envname("LIFEBOAT_DUMP_COMPRESSION")->default_val(0);
  b->add_option("--jobs", backup.request.jobs, "pg_dump -j for directory format")->default_val(2);
  b->add_flag("--table-checksums", backup.request.table_checksums, "Also compute per-table checksums (reads every table)")
      ->envname("LIFEBOAT_TABLE_CHECKSUMS");
  b->add_option("--media", backup.media, "[source=]/path to back up (repeatable)")->envname("LIFEBOAT_MEDIA")->delimiter(' ');
  b->add_option("--exclude", backup.excludes, "Exclude pattern for media (repeatable, restic syntax)");
  b->add_option("--media-exclude", backup.media_excludes,
                "SOURCE=PATTERN: exclude pattern for one media source only (repeatable)");
  b->add_flag("--no-media-checksums", backup.no_media_checksums, "Skip per-file SHA-256 of media");
  b->add_option("--work-dir", backup.request.work_dir, "Scratch directory")->envname("LIFEBOAT_WORK_DIR")->default_val("/tmp");
  AddRetentionFlags(b, backup.retention);
  b->add_option("--check-read-data-subset", backup.check_subset, "After success, restic check --read-data-subset=VALUE");
  registry.commands.emplace_back(b, [] { return RunAgent([] { return RunBackup(backup); }); });

  static RestoreFlags restore;
  CLI::App* r = agent->add_subcommand("restore", "Restore a backup's database and/or media, then verify");
  AddRepositoryFlags(r, restore.common);
  AddPgFlags(r, restore.common);
  r->add_option("--backup-id", restore.request.backup_id, "Backup to restore")->envname("LIFEBOAT_BACKUP_ID")->required();
  r->add_option("--database-source", restore.request.database_source, "Database source in the backup");
  r->add_option("--target-database", restore.request.target_database, "Database to restore into")->envname("LIFEBOAT_TARGET_DATABASE");
  r->add_option("--mode", restore.mode, "NewDatabase | Replace")->envname("LIFEBOAT_RESTORE_MODE")->default_val("NewDatabase");
  r->add_flag("--safety-backup-done", restore.request.safety_backup_done, "Confirms the pre-restore safety backup exists (required by Replace)");
  r->add_option("--strategy", restore.strategy,
                 "With Replace: Swap (restore beside the live database; `swap-database` renames it in) | InPlace (drop, then restore)")
      ->default_val("Swap");
  r->add_option("--staging-database", restore.request.staging_database,
                "Where NewDatabase and a Swap Replace restore before the rename (default: <target>_restoring)");
  r->add_option("--request", restore.request.request_marker,
                "<namespace>/<name> of the RestoreRequest; marks the databases this restore makes")
      ->default_val("manual");
  r->add_flag("--no-create-roles", restore.no_create_roles,
              "Do not create the roles the backup needs that the target lacks (from the backup's globals)");
  r->add_option("--owner", restore.request.owner,
                "Restore everything owned by this role (pg_restore --no-owner --no-privileges --role); no role is created");
  r->add_option("--keep-failed-as", restore.request.keep_failed_as,
                "Keep a failed restore's staging database under this name instead of dropping it");
  r->add_option("--jobs", restore.request.jobs, "pg_restore -j")->default_val(2);
  r->add_option("--maintenance-database", restore.request.maintenance_database, "Database used for CREATE/DROP DATABASE")
      ->default_val("postgres");
  r->add_option("--media-source", restore.request.media_source, "Media source in the backup");
  r->add_option("--media-target", restore.request.media_target, "Directory to restore media into")->envname("LIFEBOAT_MEDIA_TARGET");
  r->add_option("--media-mode", restore.media_mode, "Merge | Replace")->envname("LIFEBOAT_MEDIA_MODE")->default_val("Merge");
  r->add_flag("--no-verify", restore.no_verify, "Skip comparing with the manifest");
  r->add_option("--checks-json", restore.checks_json, "JSON list of SQL checks")->envname("LIFEBOAT_CHECKS");
  r->add_option("--checks-file", restore.checks_file, "File with the JSON list of SQL checks");
  r->add_option("--work-dir", restore.request.work_dir, "Scratch directory (holds the dump during pg_restore)")
      ->envname("LIFEBOAT_WORK_DIR")->default_val("/tmp");
  registry.commands.emplace_back(r, [] { return RunAgent([] { return RunRestore(restore); }); });

  static SwapFlags swap;
  CLI::App* w = agent->add_subcommand(
      "swap-database", "Swap a verified staging database in for the live one (one transaction), roll an unfinished swap back, "
                       "or drop the previous database");
  AddPgFlags(w, swap.common);
  AddTerminationLogFlag(w, swap.common);
  w->add_option("--database", swap.names.live, "The live database")->required();
  w->add_option("--staging", swap.names.staging, "The staging database holding the verified restore")->required();
  w->add_option("--previous", swap.names.previous, "The name the live database is kept under")->required();
  w->add_option("--request", swap.names.request, "<namespace>/<name> of the RestoreRequest (the databases' marker)")->required();
  w->add_option("--maintenance-database", swap.maintenance_database, "Database the renames run from")->default_val("postgres");
  auto* rollback = w->add_flag("--rollback", swap.rollback,
                               "Undo an unfinished swap: the live database accepts connections again, the staging one is dropped");
  w->add_flag("--drop-previous", swap.drop_previous, "Drop the previous database (only when this request kept it)")->excludes(rollback);
  w->add_option("--keep-failed-as", swap.keep_failed_as, "With --rollback: keep the staging database under this name");
  registry.commands.emplace_back(w, [] { return RunAgent([] { return RunSwapDatabase(swap); }); });

  static VerifyFlags verify;
  CLI::App* v = agent->add_subcommand("verify", "Run SQL checks against a restored database (read-only)");
  AddPgFlags(v, verify.common);
  AddTerminationLogFlag(v, verify.common);
  v->add_option("--database", verify.database, "Database the checks run in unless a check names another")
      ->envname("LIFEBOAT_TARGET_DATABASE")->required();
  v->add_option("--checks-json", verify.checks_json, "JSON list of SQL checks")->envname("LIFEBOAT_CHECKS");
  v->add_option("--checks-file", verify.checks_file, "File with the JSON list of SQL checks");
  registry.commands.emplace_back(v, [] { return RunAgent([] { return RunVerify(verify); }); });

  static CatalogFlags catalog;
  CLI::App* c = agent->add_subcommand("catalog", "List the backups in a repository as JSON");
  AddRepositoryFlags(c, catalog.common);
  c->add_option("--policy", catalog.policy, "Only this policy's backups");
  c->add_option("--backup-id", catalog.backup_id, "Only this backup, with its full manifest");
  c->add_flag("--manifests", catalog.manifests, "Include each manifest's summary (one restic dump per backup)");
  c->add_flag("--include-incomplete", catalog.include_incomplete, "Also list runs without a manifest");
  c->add_option("--select", catalog.selections,
                "database:<source>[@<backup id>] or media:<source>[@<backup id>]: report which backup restores it "
                "(without an id: the newest complete one, never a pre-restore safety backup); repeatable");
  c->add_option("--before", catalog.before, "With --select: only backups taken at or before this RFC 3339 time");
  registry.commands.emplace_back(c, [] { return RunAgent([] { return RunCatalog(catalog); }); });

  static RetentionFlags retention;
  CLI::App* t = agent->add_subcommand("retention", "Apply a policy's keep rules (forget + prune)");
  AddRepositoryFlags(t, retention.common);
  t->add_option("--policy", retention.policy, "Policy whose backups the rules apply to")->envname("LIFEBOAT_POLICY")->required();
  AddRetentionFlags(t, retention.retention);
  registry.commands.emplace_back(t, [] { return RunAgent([] { return RunRetention(retention); }); });

  static CheckFlags check;
  CLI::App* k = agent->add_subcommand("check", "Verify the repository (restic check)");
  AddRepositoryFlags(k, check.common);
  k->add_option("--read-data-subset", check.subset, "e.g. 10% or 1/5; empty: structure only");
  registry.commands.emplace_back(k, [] { return RunAgent([] { return RunCheck(check); }); });
}

}  // namespace lifeboat::cmd
