#include "operator/agent/backup_command.h"

#include <random>

#include "operator/agent/backup_result.h"
#include "operator/agent/restic_client.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace {

// "[name=]value" -> {name, value}; the name is empty when there is no '='.
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

// The BackupRequest the command's lists describe; InvalidArgument for a --media-exclude that
// names no media source.
StatusOr<BackupRequest> RequestOf(const BackupCommand& command, WallTime start) {
  BackupRequest r = command.request;
  if (r.backup_id.empty()) r.backup_id = DefaultBackupId(r.policy, start);
  r.pg = command.pg;
  r.globals = !command.no_globals;
  r.media_checksums = !command.no_media_checksums;
  r.agent_version = command.agent_version;
  for (const auto& d : command.databases) {
    auto [name, db] = SplitNamed(d);
    r.databases.push_back({name.empty() ? db : name, db});
  }
  for (const auto& m : command.media) {
    auto [name, path] = SplitNamed(m);
    r.media.push_back({name.empty() ? BaseName(path) : name, path, command.excludes});
  }
  for (const auto& e : command.media_excludes) {
    auto [source, pattern] = SplitNamed(e);
    bool found = false;
    for (auto& m : r.media) {
      if (m.source != source) continue;
      m.excludes.push_back(pattern);
      found = true;
    }
    if (source.empty() || pattern.empty() || !found) {
      return InvalidArgumentError("--media-exclude " + e + ": expected SOURCE=PATTERN naming a --media source");
    }
  }
  return r;
}

// What the run put into the repository, from its manifest.
BackupResult ReportOf(const BackupRequest& request, const BackupOutcome& outcome, const std::string& repository) {
  BackupResult fields;
  fields.policy = request.policy;
  fields.run_kind = request.run_kind;
  fields.repository = repository;
  fields.manifest_snapshot_id = outcome.manifest_snapshot_id;
  std::int64_t size = 0;
  for (const auto& d : outcome.manifest.databases) {
    std::int64_t rows = 0;
    for (const auto& t : d.tables) rows += t.rows;
    size += static_cast<std::int64_t>(d.size_bytes);
    fields.databases.push_back({d.source, d.database, d.snapshot_id, static_cast<std::int64_t>(d.size_bytes),
                                static_cast<std::int64_t>(d.tables.size()), rows, d.server_version, d.wal_lsn});
  }
  for (const auto& x : outcome.manifest.media) {
    size += static_cast<std::int64_t>(x.total_bytes);
    fields.media.push_back({x.source, x.snapshot_id, static_cast<std::int64_t>(x.file_count),
                            static_cast<std::int64_t>(x.total_bytes), static_cast<std::int64_t>(x.data_added)});
  }
  for (const auto& b : outcome.manifest.base_backups) {
    size += static_cast<std::int64_t>(b.size_bytes);
    fields.base_backups.push_back({b.source, b.snapshot_id, b.system_id, static_cast<std::int64_t>(b.timeline), b.start_lsn,
                                   b.end_lsn, b.consistent_time, static_cast<std::int64_t>(b.size_bytes), b.verified});
  }
  fields.size_bytes = size;
  fields.forgotten_snapshots = outcome.forgotten_snapshots;
  return fields;
}

// The policy's retention after a good backup. A failure is reported, not fatal: the backup itself
// is good, and the next run retries.
RetentionReport RunRetention(ResticClient& restic, const BackupCommand& command, const std::string& policy,
                             const CommandContext& context) {
  auto applied = ApplyRetention(restic, command.retention, policy, context.clock.Now());
  if (!applied.ok()) {
    context.log("warn", "Retention failed error=" + applied.status().ToString());
    return RetentionReport{0, {}, applied.status().ToString()};
  }
  return RetentionReport{static_cast<std::int64_t>(applied->kept_backup_ids.size()),
                         {applied->removed_backup_ids.begin(), applied->removed_backup_ids.end()}, ""};
}

}  // namespace

std::string DefaultBackupId(const std::string& policy, WallTime now) {
  std::string t = FormatRfc3339(now);  // 2026-11-22T01:02:03Z -> 20261122-010203
  std::string compact = t.substr(0, 4) + t.substr(5, 2) + t.substr(8, 2) + "-" + t.substr(11, 2) + t.substr(14, 2) + t.substr(17, 2);
  std::random_device rd;
  static const char* kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string suffix;
  for (int i = 0; i < 5; ++i) suffix += kAlphabet[rd() % 36];
  return policy + "-" + compact + "-" + suffix;
}

AgentResult RunBackupCommand(BackupCommand command, const CommandContext& context) {
  const WallTime start = context.clock.Now();
  AgentResult result;
  result.command = "backup";
  auto request = RequestOf(command, start);
  auto invocation = RepositoryInvocation(command.repository, context);
  if (!request.ok() || !invocation.ok()) {
    result.backup_id = command.request.backup_id;
    result.status = request.ok() ? invocation.status() : request.status();
    FinishResult(result, start, context);
    return result;
  }
  const BackupRequest& r = *request;
  result.backup_id = r.backup_id;
  ResticClient restic(context.runner, *invocation, [&](const std::string& m) { context.log("info", m); }, context.sleep);
  auto connector = context.connect_pg(r.pg);
  BackupRunner backup(restic, *connector, context.runner, context.clock, context.log);
  context.log("info", "Backup started backup_id=" + r.backup_id + " policy=" + r.policy + " kind=" + r.run_kind +
                          " repository=" + restic.location());
  const BackupOutcome outcome = backup.Run(r);
  result.status = outcome.status;
  result.reason = outcome.reason;
  BackupResult fields = ReportOf(r, outcome, restic.location());
  if (outcome.status.ok() && command.retention.HasRules()) fields.retention = RunRetention(restic, command, r.policy, context);
  if (outcome.status.ok() && !command.check_subset.empty()) {
    Status checked = restic.Check(command.check_subset);
    fields.check = CheckReport{command.check_subset, checked.ok()};
    if (IsRepositoryLocked(checked)) {
      // Another process (a drill) held its lock for all of kLockWait: nothing is known to be wrong.
      fields.check = CheckReport{command.check_subset, std::nullopt};
      context.log("warn", "Repository check skipped: the repository stayed locked by another process; the next backup checks it. " +
                              checked.message());
    } else if (!checked.ok()) {
      result.status = checked;
      result.reason = "RepositoryCheckFailed";
    }
  }
  result.fields = BackupResultToJson(fields);
  FinishResult(result, start, context);
  return result;
}

}  // namespace lifeboat::agent
