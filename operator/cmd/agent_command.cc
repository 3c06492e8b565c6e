// `lifeboat agent ...`: what Lifeboat's Jobs run. Flag parsing and wiring only: each command's body
// is a function in operator/agent/ (backup_command.h, restore_command.h, swap_command.h,
// repository_commands.h) that takes the command's inputs and a CommandContext. Every flag can also
// come from the environment variable named in its help, so a Job spec can fill them from
// ConfigMaps; secrets (RESTIC_PASSWORD[_FILE], PGPASSWORD/PGPASSFILE, AWS_ACCESS_KEY_ID/
// AWS_SECRET_ACCESS_KEY) are only ever read from the environment by the children.
#include <signal.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <thread>

#include "operator/agent/agent_log.h"
#include "operator/agent/backup_command.h"
#include "operator/agent/cancellation.h"
#include "operator/agent/command_context.h"
#include "operator/agent/drill_command.h"
#include "operator/agent/rejoin_command.h"
#include "operator/agent/posix_process_runner.h"
#include "operator/agent/pqxx_pg_session.h"
#include "operator/agent/repository_commands.h"
#include "operator/agent/restore_command.h"
#include "operator/agent/swap_command.h"
#include "operator/agent/wal_stream_command.h"
#include "operator/cmd/wal_status_publisher.h"
#include "operator/kube/cpprest_http_transport.h"
#include "operator/kube/http_api_client.h"
#include "operator/kube/kube_config.h"
#include "operator/cmd/commands.h"
#include "operator/logging/log.h"

extern char** environ;

namespace lifeboat::cmd {
namespace {

// A command's inputs as its flags fill them, and where its result is written.
template <typename Command>
struct Flags {
  Command command;
  std::string termination_log = "/dev/termination-log";
};

// SIGTERM/SIGINT (Pod deletion, Job cancellation) cancel the run: the children are stopped, the run
// fails as any failed run does, and the result says "Cancelled". Signals are taken by one thread
// with sigwait; all other threads block them. Installed only when a command runs, not when flags
// are merely parsed.
agent::Cancellation& InstallCancellation() {
  static agent::Cancellation cancellation;
  static const bool installed = [] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([set] {
      for (;;) {
        int signal = 0;
        if (sigwait(&set, &signal) == 0) cancellation.Cancel();
      }
    }).detach();
    return true;
  }();
  (void)installed;
  return cancellation;
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

// Runs one agent command in this process: the real context (processes, PostgreSQL, signals), then
// the result to the termination log and as the last line of stdout. Returns the exit code.
using CommandBody = std::function<agent::AgentResult(const agent::CommandContext& context)>;
int RunAgent(const std::string& name, const std::string& termination_log, const CommandBody& body) {
  log::Setup(log::Format::kJson, log::Level::kInfo);
  agent::PosixProcessRunner runner;
  const agent::CommandContext context{
      SystemClock::Instance(),
      Environment(),
      agent::AgentLogSink(name),
      runner,
      [](const agent::PgConnectionConfig& config) { return std::make_unique<agent::PqxxPgConnector>(config); },
      InstallCancellation(),
      std::cout,
      [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); }};
  const agent::AgentResult result = body(context);
  const std::string text = agent::RenderTerminationMessage(result);
  if (!termination_log.empty()) {
    std::ofstream out(termination_log, std::ios::trunc);
    out << text;
    if (!out) context.log("warn", "Could not write the termination message path=" + termination_log);
  }
  std::cout << text << std::endl;
  return agent::ExitCodeFor(result.status);
}

// Registers `app`'s command: when it is chosen, `run(flags.command, context)` runs through RunAgent.
template <typename Command, typename Run>
void Register(CommandRegistry& registry, CLI::App* app, Flags<Command>& flags, Run run) {
  registry.commands.emplace_back(app, [app, &flags, run] {
    return RunAgent(app->get_name(), flags.termination_log,
                    [&](const agent::CommandContext& context) { return run(flags.command, context); });
  });
}

void AddTerminationLogFlag(CLI::App* app, std::string& termination_log) {
  app->add_option("--termination-log", termination_log, "Where the JSON result is written")
      ->envname("LIFEBOAT_TERMINATION_LOG");
}

void AddRepositoryFlags(CLI::App* app, agent::RepositoryConfig& repository) {
  app->add_option("--repository-path", repository.path, "Local or mounted (PVC) repository directory")
      ->envname("LIFEBOAT_REPOSITORY_PATH");
  app->add_option("--repository-url", repository.url, "A restic repository string (rest:..., s3:...)")
      ->envname("LIFEBOAT_REPOSITORY_URL");
  app->add_option("--s3-endpoint", repository.s3.endpoint, "S3-compatible endpoint URL")->envname("LIFEBOAT_S3_ENDPOINT");
  app->add_option("--s3-bucket", repository.s3.bucket, "S3 bucket")->envname("LIFEBOAT_S3_BUCKET");
  app->add_option("--s3-prefix", repository.s3.prefix, "Folder inside the bucket")->envname("LIFEBOAT_S3_PREFIX");
  app->add_option("--s3-region", repository.s3.region, "S3 region")->envname("LIFEBOAT_S3_REGION");
  app->add_option("--ca-bundle", repository.ca_bundle, "PEM CA bundle for the repository endpoint")
      ->envname("LIFEBOAT_CA_BUNDLE");
  app->add_option("--repository-group", repository.group,
                  "GID: keep a local repository group-shared with this group (Jobs of several users use it)")
      ->envname("LIFEBOAT_REPOSITORY_GROUP");
}

void AddPgFlags(CLI::App* app, agent::PgConnectionConfig& pg) {
  app->add_option("--pg-host", pg.host, "PostgreSQL host or socket directory")->envname("PGHOST");
  app->add_option("--pg-port", pg.port, "PostgreSQL port")->envname("PGPORT");
  app->add_option("--pg-user", pg.user, "PostgreSQL user")->envname("PGUSER");
  app->add_option("--pg-sslmode", pg.sslmode, "libpq sslmode")->envname("PGSSLMODE");
}

void AddRetentionFlags(CLI::App* app, agent::RetentionOptions& r) {
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

void AddBackupCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::BackupCommand> backup;
  CLI::App* b = parent->add_subcommand("backup", "Back up PostgreSQL databases and media paths into the repository");
  AddRepositoryFlags(b, backup.command.repository);
  AddTerminationLogFlag(b, backup.termination_log);
  AddPgFlags(b, backup.command.pg);
  b->add_option("--backup-id", backup.command.request.backup_id, "Run id (default: <policy>-<time>-<random>)")->envname("LIFEBOAT_BACKUP_ID");
  b->add_option("--policy", backup.command.request.policy, "Policy name recorded in tags and manifest")
      ->envname("LIFEBOAT_POLICY")->default_val("manual");
  b->add_option("--run-kind", backup.command.request.run_kind, "scheduled | on-demand | pre-restore")
      ->envname("LIFEBOAT_RUN_KIND")->default_val("on-demand");
  b->add_option("--tag", backup.command.request.extra_tags, "Extra snapshot tag (repeatable)");
  b->add_option("--database", backup.command.databases, "[source=]database to dump (repeatable)")->envname("LIFEBOAT_DATABASES")->delimiter(' ');
  b->add_flag("--no-globals", backup.command.no_globals, "Skip pg_dumpall --globals-only");
  b->add_flag("--globals-no-role-passwords", backup.command.request.globals_no_role_passwords,
              "Dump globals without role passwords (for non-superusers)");
  b->add_option("--format", backup.command.request.format, "custom (streamed) | directory (parallel)")
      ->envname("LIFEBOAT_DUMP_FORMAT")->default_val("custom");
  b->add_option("--compression", backup.command.request.compression, "pg_dump -Z level (0: let restic compress)")
      ->envname("LIFEBOAT_DUMP_COMPRESSION")->default_val(0);
  b->add_option("--jobs", backup.command.request.jobs, "pg_dump -j for directory format")->default_val(2);
  b->add_flag("--table-checksums", backup.command.request.table_checksums, "Also compute per-table checksums (reads every table)")
      ->envname("LIFEBOAT_TABLE_CHECKSUMS");
  b->add_option("--media", backup.command.media, "[source=]/path to back up (repeatable)")->envname("LIFEBOAT_MEDIA")->delimiter(' ');
  b->add_option("--exclude", backup.command.excludes, "Exclude pattern for media (repeatable, restic syntax)");
  b->add_option("--media-exclude", backup.command.media_excludes,
                "SOURCE=PATTERN: exclude pattern for one media source only (repeatable)");
  b->add_flag("--no-media-checksums", backup.command.no_media_checksums, "Skip per-file SHA-256 of media");
  b->add_option("--work-dir", backup.command.request.work_dir, "Scratch directory")->envname("LIFEBOAT_WORK_DIR")->default_val("/tmp");
  b->add_flag("--base-backup", backup.command.request.base_backup,
              "Take a physical base backup of the whole cluster (pg_basebackup over a replication connection) for point-in-time recovery")
      ->envname("LIFEBOAT_BASE_BACKUP");
  b->add_option("--base-backup-source", backup.command.request.base_backup_source, "The base backup's source name")
      ->default_val("cluster");
  b->add_option("--postgres-root", backup.command.request.postgres_root, "Where /<major>/bin/pg_verifybackup of each PostgreSQL version is")
      ->default_val("/usr/lib/postgresql");
  AddRetentionFlags(b, backup.command.retention);
  b->add_option("--check-read-data-subset", backup.command.check_subset, "After success, restic check --read-data-subset=VALUE");
  backup.command.agent_version = LIFEBOAT_VERSION;
  Register(registry, b, backup, agent::RunBackupCommand);
}

void AddRestoreCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::RestoreCommand> restore;
  CLI::App* r = parent->add_subcommand("restore", "Restore a backup's database and/or media, then verify");
  AddRepositoryFlags(r, restore.command.repository);
  AddTerminationLogFlag(r, restore.termination_log);
  AddPgFlags(r, restore.command.pg);
  r->add_option("--backup-id", restore.command.request.backup_id, "Backup to restore (or --recovery-target)")->envname("LIFEBOAT_BACKUP_ID");
  r->add_option("--recovery-target", restore.command.recovery_target,
                "Point-in-time recovery from the policy's base backups and WAL: latest, an RFC 3339 time, or lsn:X/Y")
      ->envname("LIFEBOAT_RECOVERY_TARGET");
  r->add_option("--policy", restore.command.policy, "Whose base backups and WAL a point-in-time recovery uses")->envname("LIFEBOAT_POLICY");
  r->add_option("--table", restore.command.request.tables,
                "Point-in-time recovery: restore only this table (schema.table; repeatable)")->envname("LIFEBOAT_TABLES")->delimiter(' ');
  r->add_option("--postgres-root", restore.command.postgres_root, "Where /<major>/bin of the recovery server is")
      ->default_val("/usr/lib/postgresql");
  r->add_option("--database-source", restore.command.request.database_source, "Database source in the backup");
  r->add_option("--target-database", restore.command.request.target_database, "Database to restore into")->envname("LIFEBOAT_TARGET_DATABASE");
  r->add_option("--mode", restore.command.mode, "NewDatabase | Replace")->envname("LIFEBOAT_RESTORE_MODE")->default_val("NewDatabase");
  r->add_flag("--safety-backup-done", restore.command.request.safety_backup_done, "Confirms the pre-restore safety backup exists (required by Replace)");
  r->add_option("--strategy", restore.command.strategy,
                 "With Replace: Swap (restore beside the live database; `swap-database` renames it in) | InPlace (drop, then restore)")
      ->default_val("Swap");
  r->add_option("--staging-database", restore.command.request.staging_database,
                "Where NewDatabase and a Swap Replace restore before the rename (default: <target>_restoring)");
  r->add_option("--request", restore.command.request.request_marker,
                "<namespace>/<name> of the RestoreRequest; marks the databases this restore makes")
      ->default_val("manual");
  r->add_flag("--no-create-roles", restore.command.no_create_roles,
              "Do not create the roles the backup needs that the target lacks (from the backup's globals)");
  r->add_option("--owner", restore.command.request.owner,
                "Restore everything owned by this role (pg_restore --no-owner --no-privileges --role); no role is created");
  r->add_option("--keep-failed-as", restore.command.request.keep_failed_as,
                "Keep a failed restore's staging database under this name instead of dropping it");
  r->add_option("--jobs", restore.command.request.jobs, "pg_restore -j")->default_val(2);
  r->add_option("--maintenance-database", restore.command.request.maintenance_database, "Database used for CREATE/DROP DATABASE")
      ->default_val("postgres");
  r->add_option("--media-source", restore.command.request.media_source, "Media source in the backup");
  r->add_option("--media-target", restore.command.request.media_target, "Directory to restore media into")->envname("LIFEBOAT_MEDIA_TARGET");
  r->add_option("--media-mode", restore.command.media_mode, "Merge | Replace")->envname("LIFEBOAT_MEDIA_MODE")->default_val("Merge");
  r->add_option("--media-owner", restore.command.media_owner,
                "UID:GID: give every restored file and folder this owner (as `chown -R` would)");
  r->add_flag("--no-verify", restore.command.no_verify, "Skip comparing with the manifest");
  r->add_option("--checks-json", restore.command.checks_json, "JSON list of SQL checks")->envname("LIFEBOAT_CHECKS");
  r->add_option("--checks-file", restore.command.checks_file, "File with the JSON list of SQL checks");
  r->add_option("--work-dir", restore.command.request.work_dir, "Scratch directory (holds the dump during pg_restore)")
      ->envname("LIFEBOAT_WORK_DIR")->default_val("/tmp");
  Register(registry, r, restore, agent::RunRestoreCommand);
}

void AddSwapCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::SwapCommand> swap;
  CLI::App* w = parent->add_subcommand(
      "swap-database", "Swap a verified staging database in for the live one (one transaction), roll an unfinished swap back, "
                       "or drop the previous database");
  AddPgFlags(w, swap.command.pg);
  AddTerminationLogFlag(w, swap.termination_log);
  w->add_option("--database", swap.command.names.live, "The live database")->required();
  w->add_option("--staging", swap.command.names.staging, "The staging database holding the verified restore")->required();
  w->add_option("--previous", swap.command.names.previous, "The name the live database is kept under")->required();
  w->add_option("--request", swap.command.names.request, "<namespace>/<name> of the RestoreRequest (the databases' marker)")->required();
  w->add_option("--maintenance-database", swap.command.maintenance_database, "Database the renames run from")->default_val("postgres");
  auto* rollback = w->add_flag("--rollback", swap.command.rollback,
                               "Undo an unfinished swap: the live database accepts connections again, the staging one is dropped");
  w->add_flag("--drop-previous", swap.command.drop_previous, "Drop the previous database (only when this request kept it)")->excludes(rollback);
  w->add_option("--keep-failed-as", swap.command.keep_failed_as, "With --rollback: keep the staging database under this name");
  Register(registry, w, swap, agent::RunSwapCommand);
}

void AddVerifyCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::VerifyCommand> verify;
  CLI::App* v = parent->add_subcommand("verify", "Run SQL checks against a restored database (read-only)");
  AddPgFlags(v, verify.command.pg);
  AddTerminationLogFlag(v, verify.termination_log);
  v->add_option("--database", verify.command.database, "Database the checks run in unless a check names another")
      ->envname("LIFEBOAT_TARGET_DATABASE")->required();
  v->add_option("--checks-json", verify.command.checks_json, "JSON list of SQL checks")->envname("LIFEBOAT_CHECKS");
  v->add_option("--checks-file", verify.command.checks_file, "File with the JSON list of SQL checks");
  Register(registry, v, verify, agent::RunVerifyCommand);
}

void AddCatalogCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::CatalogCommand> catalog;
  CLI::App* c = parent->add_subcommand("catalog", "List the backups in a repository as JSON");
  AddRepositoryFlags(c, catalog.command.repository);
  AddTerminationLogFlag(c, catalog.termination_log);
  c->add_option("--policy", catalog.command.policy, "Only this policy's backups");
  c->add_option("--backup-id", catalog.command.backup_id, "Only this backup, with its full manifest");
  c->add_flag("--manifests", catalog.command.manifests, "Include each manifest's summary (one restic dump per backup)");
  c->add_flag("--include-incomplete", catalog.command.include_incomplete, "Also list runs without a manifest");
  c->add_option("--select", catalog.command.selections,
                "database:<source>[@<backup id>] or media:<source>[@<backup id>]: report which backup restores it "
                "(without an id: the newest complete one, never a pre-restore safety backup); repeatable");
  c->add_option("--before", catalog.command.before, "With --select: only backups taken at or before this RFC 3339 time");
  Register(registry, c, catalog, agent::RunCatalogCommand);
}

void AddRetentionCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::RetentionCommand> retention;
  CLI::App* t = parent->add_subcommand("retention", "Apply a policy's keep rules (forget + prune)");
  AddRepositoryFlags(t, retention.command.repository);
  AddTerminationLogFlag(t, retention.termination_log);
  t->add_option("--policy", retention.command.policy, "Policy whose backups the rules apply to")->envname("LIFEBOAT_POLICY")->required();
  AddRetentionFlags(t, retention.command.retention);
  Register(registry, t, retention, agent::RunRetentionCommand);
}

void AddCheckCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::CheckCommand> check;
  CLI::App* k = parent->add_subcommand("check", "Verify the repository (restic check)");
  AddRepositoryFlags(k, check.command.repository);
  AddTerminationLogFlag(k, check.termination_log);
  k->add_option("--read-data-subset", check.command.read_data_subset, "e.g. 10% or 1/5; empty: structure only");
  Register(registry, k, check, agent::RunCheckCommand);
}

void AddDrillCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::DrillCommand> drill;
  CLI::App* d = parent->add_subcommand(
      "drill", "Restore the newest backups into a scratch PostgreSQL and scratch space, check them, measure RTO and RPO");
  AddRepositoryFlags(d, drill.command.repository);
  AddTerminationLogFlag(d, drill.termination_log);
  d->add_option("--policy", drill.command.policy, "Whose backups are drilled")->envname("LIFEBOAT_POLICY")->required();
  d->add_option("--source", drill.command.sources,
                "database:<source> or media:<source> (repeatable); default: every source of the newest backup");
  d->add_option("--work-dir", drill.command.work_dir, "Scratch space (the scratch server's data, restored media)")
      ->envname("LIFEBOAT_WORK_DIR")->default_val("/scratch");
  d->add_option("--jobs", drill.command.jobs, "pg_restore -j")->default_val(2);
  d->add_flag("!--no-row-counts", drill.command.row_counts, "Skip comparing row counts with the manifest");
  d->add_flag("!--no-table-checksums", drill.command.table_checksums, "Skip comparing table checksums with the manifest");
  d->add_flag("!--no-amcheck", drill.command.amcheck, "Skip amcheck of the B-tree indexes");
  d->add_flag("--heap-check", drill.command.heap, "Also check every table's heap (amcheck's verify_heapam)");
  d->add_flag("!--no-file-checksums", drill.command.file_checksums, "Skip comparing media files with the manifest");
  d->add_option("--checks-json", drill.command.checks_json, "JSON list of SQL checks")->envname("LIFEBOAT_CHECKS");
  d->add_option("--postgres-root", drill.command.postgres_root, "Where /<major>/bin of each PostgreSQL server version is")
      ->default_val("/usr/lib/postgresql");
  d->add_option("--recovery-target", drill.command.recovery_target,
                "Rehearse a point-in-time recovery (latest, an RFC 3339 time or lsn:X/Y) from the policy's base backups "
                "and WAL instead of restoring its dumps; the RPO is measured to the last replayed commit");
  d->add_option("--drill", drill.command.drill, "<namespace>/<name>: store the run's report in the repository, chained to the drill's previous one")
      ->envname("LIFEBOAT_DRILL");
  d->add_option("--run", drill.command.run, "The run's id (recorded in the report)");
  d->add_option("--trigger", drill.command.trigger, "Scheduled | OnDemand | Created | Manual (recorded in the report)")->default_val("Manual");
  d->add_option("--rto-objective", drill.command.rto_objective, "Duration (e.g. 30m): the report judges the measured RTO against it");
  d->add_option("--rpo-objective", drill.command.rpo_objective, "Duration (e.g. 26h): the report judges the measured RPO against it");
  drill.command.agent_version = LIFEBOAT_VERSION;
  Register(registry, d, drill, agent::RunDrillCommand);
}

void AddRejoinCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::RejoinCommand> rejoin;
  CLI::App* r = parent->add_subcommand("rejoin", "Make a stopped former primary a streaming standby of the new primary (pg_rewind, standby.signal)");
  AddTerminationLogFlag(r, rejoin.termination_log);
  r->add_option("--data-dir", rejoin.command.data_dir, "The former primary's data folder (PGDATA)")->required();
  r->add_option("--primary-host", rejoin.command.primary_host, "The new primary's host")->required();
  r->add_option("--primary-port", rejoin.command.primary_port, "The new primary's port")->default_val(5432);
  r->add_option("--slot", rejoin.command.slot, "Replication slot on the new primary")->required();
  r->add_option("--application-name", rejoin.command.application_name, "How the standby shows in pg_stat_replication");
  r->add_option("--source-user", rejoin.command.source_user, "pg_rewind's user on the new primary (password: PGPASSWORD)")
      ->envname("PGUSER");
  r->add_option("--postgres-root", rejoin.command.postgres_root, "Where /<major>/bin of each PostgreSQL version is")
      ->default_val("/usr/lib/postgresql");
  Register(registry, r, rejoin, agent::RunRejoinCommand);
}

void AddReportsCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::ReportsCommand> reports;
  CLI::App* r = parent->add_subcommand("reports", "List a drill's reports stored in the repository and verify their hash chain");
  AddRepositoryFlags(r, reports.command.repository);
  AddTerminationLogFlag(r, reports.termination_log);
  r->add_option("--drill", reports.command.drill, "<namespace>/<name> of the DRDrill")->required();
  r->add_option("--expect-newest-sha256", reports.command.expect_newest_sha256,
                "The sha256 the drill's status.lastRun.report names: a deleted or altered newest report is then found too");
  Register(registry, r, reports, agent::RunReportsCommand);
}

void AddWalStreamCommand(CLI::App* parent, CommandRegistry& registry) {
  static Flags<agent::WalStreamCommand> stream;
  static double upload_interval_seconds = 60;
  CLI::App* w = parent->add_subcommand(
      "wal-stream", "Stream a database's WAL with pg_receivewal and a replication slot into the repository (runs until stopped)");
  AddRepositoryFlags(w, stream.command.repository);
  AddTerminationLogFlag(w, stream.termination_log);
  AddPgFlags(w, stream.command.options.pg);
  auto& o = stream.command.options;
  w->add_option("--policy", o.policy, "The BackupPolicy (<namespace>.<name>): tags the WAL snapshots")
      ->envname("LIFEBOAT_POLICY")->required();
  w->add_option("--slot", o.slot, "Physical replication slot (created when missing)")->envname("LIFEBOAT_WAL_SLOT")->required();
  w->add_option("--buffer", o.buffer_dir, "The buffer volume: pg_receivewal writes <buffer>/wal")
      ->envname("LIFEBOAT_WAL_BUFFER")->default_val("/buffer");
  w->add_option("--upload-interval", upload_interval_seconds, "Seconds between uploads of the segment being written")
      ->envname("LIFEBOAT_WAL_UPLOAD_INTERVAL")->default_val(60)->check(CLI::Range(1.0, 86400.0));
  w->add_option("--group-segments", o.group_segments, "Completed segments per WAL group (one snapshot each)")->default_val(16);
  w->add_option("--status-file", o.status_file, "Where the streamer's status (JSON) is kept up to date")
      ->envname("LIFEBOAT_WAL_STATUS_FILE");
  w->add_option("--bin-dir", o.bin_dir, "Where pg_receivewal is (default: PATH)");
  static std::string status_config_map;
  w->add_option("--status-configmap", status_config_map,
                "ConfigMap (in the Pod's namespace) that receives the status, through the in-cluster API")
      ->envname("LIFEBOAT_WAL_STATUS_CONFIGMAP");
  registry.commands.emplace_back(w, [w] {
    stream.command.options.upload_interval = std::chrono::seconds(static_cast<long>(upload_interval_seconds));
    stream.command.agent_version = LIFEBOAT_VERSION;
    return RunAgent(w->get_name(), stream.termination_log, [&](const agent::CommandContext& context) {
      // The API connection lives as long as the streamer; without it the status file still works,
      // and the operator reports the streamer's status as unknown.
      std::unique_ptr<kube::CppRestHttpTransport> transport;
      std::unique_ptr<kube::HttpApiClient> api;
      std::unique_ptr<WalStatusPublisher> publisher;
      if (!status_config_map.empty()) {
        auto config = kube::LoadInClusterConfig(kube::ProcessEnv());
        kube::CppRestTransportOptions transport_options;
        transport_options.request_timeout = std::chrono::seconds(10);
        auto created = config.ok() ? kube::CppRestHttpTransport::Create(*config, transport_options)
                                   : StatusOr<std::unique_ptr<kube::CppRestHttpTransport>>(config.status());
        if (!created.ok()) {
          context.log("warn", "The status ConfigMap " + status_config_map +
                                  " cannot be written (no in-cluster API access): " + created.status().message());
        } else {
          transport = std::move(*created);
          kube::HttpApiClientOptions client_options;
          client_options.user_agent = std::string("lifeboat-wal-streamer/") + LIFEBOAT_VERSION;
          client_options.max_throttle_retries = 2;
          api = std::make_unique<kube::HttpApiClient>(*transport, context.clock, client_options);
          publisher = std::make_unique<WalStatusPublisher>(*api, context.clock, config->ns, status_config_map, context.log);
          stream.command.on_status = [&publisher](const agent::WalStreamStatus& status) { publisher->Publish(status); };
        }
      }
      return agent::RunWalStreamCommand(stream.command, context);
    });
  });
}

}  // namespace

void AddAgentCommand(CLI::App& app, CommandRegistry& registry) {
  CLI::App* agent = app.add_subcommand("agent", "What Lifeboat Jobs run: backup, restore, swap-database, verify, catalog, retention, check, drill, reports, rejoin, wal-stream");
  agent->require_subcommand(1);
  AddBackupCommand(agent, registry);
  AddRestoreCommand(agent, registry);
  AddSwapCommand(agent, registry);
  AddVerifyCommand(agent, registry);
  AddCatalogCommand(agent, registry);
  AddRetentionCommand(agent, registry);
  AddCheckCommand(agent, registry);
  AddDrillCommand(agent, registry);
  AddReportsCommand(agent, registry);
  AddRejoinCommand(agent, registry);
  AddWalStreamCommand(agent, registry);
}

}  // namespace lifeboat::cmd
