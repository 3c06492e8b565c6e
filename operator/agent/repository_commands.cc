#include "operator/agent/repository_commands.h"

#include "operator/agent/wal_archive.h"

#include <functional>
#include <map>
#include <optional>

#include "operator/agent/catalog.h"
#include "operator/agent/drill_report.h"
#include "operator/agent/maintenance_results.h"
#include "operator/agent/manifest.h"
#include "operator/agent/restic_client.h"
#include "operator/agent/snapshot_tags.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace {

using nlohmann::json;

// Runs a repository command's body on the repository `repository` names (an invalid configuration
// ends the command with its error) and closes the result.
using RepositoryBody = std::function<void(ResticClient& restic, AgentResult& result, WallTime start)>;
AgentResult RunOnRepository(const std::string& command, const RepositoryConfig& repository,
                            const CommandContext& context, const RepositoryBody& body) {
  const WallTime start = context.clock.Now();
  AgentResult result;
  result.command = command;
  auto invocation = RepositoryInvocation(repository, context);
  if (!invocation.ok()) {
    result.status = invocation.status();
  } else {
    ResticClient restic(context.runner, *invocation, nullptr, context.sleep);
    body(restic, result, start);
  }
  FinishResult(result, start, context);
  return result;
}

// The answers to the selections: each selection's backup, keyed by BackupSelection::Key() (an
// object, so the termination message's size limit never drops one). NotFound when any selection
// has no backup.
Status SelectBackups(const CatalogCommand& command, const std::vector<CatalogEntry>& catalog,
                     std::map<std::string, SelectedBackup>* selected) {
  std::optional<WallTime> before;
  if (!command.before.empty()) {
    auto parsed = ParseRfc3339(command.before);
    if (!parsed.ok()) {
      return InvalidArgumentError("--before \"" + command.before + "\" is not an RFC 3339 time: " + parsed.status().message());
    }
    before = *parsed;
  }
  std::string errors;
  for (const std::string& text : command.selections) {
    auto selection = ParseBackupSelection(text);
    if (!selection.ok()) return selection.status();
    SelectedBackup chosen = SelectBackup(catalog, *selection, command.policy, before);
    (*selected)[selection->Key()] = chosen;
    if (!chosen.error.empty()) errors += (errors.empty() ? "" : "; ") + chosen.error;
  }
  return errors.empty() ? Status::Ok() : NotFoundError(errors);
}

// One catalog entry as listed, with its manifest (or summary) when asked for.
json ListedEntry(ResticClient& restic, const CatalogCommand& command, const CatalogEntry& entry) {
  json j = CatalogEntryJson(entry);
  if ((!command.manifests && command.backup_id.empty()) || !entry.complete) return j;
  auto text = restic.DumpToString(entry.manifest_snapshot_id, kManifestPath);
  auto manifest = text.ok() ? ParseManifest(*text) : StatusOr<Manifest>(text.status());
  if (manifest.ok()) {
    j["manifest"] = !command.backup_id.empty() ? ManifestToJson(*manifest) : ManifestSummaryJson(*manifest);
  } else {
    j["manifestError"] = manifest.status().ToString();
  }
  return j;
}

void Catalog(ResticClient& restic, const CatalogCommand& command, const CommandContext& context, AgentResult& result) {
  // A selection by id may name another policy's backup (a safety backup, to roll back): with
  // selections the whole repository is read and the policy only narrows the listing and "latest".
  std::vector<std::string> tags{kTagLifeboat};
  if (!command.policy.empty() && command.selections.empty()) tags.push_back(Tag(kTagPolicy, command.policy));
  if (!command.backup_id.empty()) tags.push_back(Tag(kTagBackup, command.backup_id));
  auto snapshots = restic.Snapshots(tags);
  if (!snapshots.ok()) {
    result.status = snapshots.status();
    return;
  }
  const std::vector<CatalogEntry> catalog = BuildCatalog(*snapshots);
  CatalogResult fields;
  fields.repository = restic.location();
  const Status selection_status = SelectBackups(command, catalog, &fields.selected);
  json backups = json::array();
  for (const auto& entry : catalog) {
    if (!entry.complete && !command.include_incomplete) continue;
    if (!command.policy.empty() && entry.policy != command.policy) continue;
    fields.backup_ids.push_back(entry.backup_id);
    backups.push_back(ListedEntry(restic, command, entry));
  }
  if (!command.backup_id.empty() && backups.empty()) {
    result.status = NotFoundError("backup \"" + command.backup_id + "\" is not in the repository");
    result.reason = "BackupNotFound";
    return;
  }
  // The full catalog is listed; the termination message carries the count and newest ids.
  json listing{{"repository", restic.location()}, {"backups", backups}};
  result.fields = CatalogResultToJson(fields);
  if (!command.policy.empty()) {
    WalArchiveListing archive = ListWalArchive(*snapshots, command.policy);
    if (!archive.base_backups.empty() || !archive.batches.empty()) {
      listing["walArchive"] = RecoveryWindowJson(AnalyzeRecoveryWindow(archive), archive);
      result.fields["walArchive"] = listing["walArchive"];
    }
  }
  context.listing << listing.dump() << std::endl;
  if (!selection_status.ok()) {
    result.status = selection_status;
    if (selection_status.code() == StatusCode::kNotFound) result.reason = "BackupNotFound";
  }
}

void Reports(ResticClient& restic, const ReportsCommand& command, const CommandContext& context, AgentResult& result) {
  auto drill = ParseDrillIdentity(command.drill);
  if (!drill.ok()) {
    result.status = drill.status().WithContext("--drill");
    result.reason = "InvalidRequest";
    return;
  }
  auto snapshots = restic.Snapshots({kTagLifeboat, Tag(kTagRole, kRoleDrillReport), Tag(kTagDrill, drill->TagValue())});
  if (!snapshots.ok()) {
    result.status = snapshots.status();
    return;
  }
  std::vector<StoredReport> stored;
  for (const ResticSnapshot& s : *snapshots) {
    auto content = restic.DumpToString(s.id, kDrillReportPath);
    if (!content.ok()) {
      result.status = content.status().WithContext("reading report " + s.short_id);
      return;
    }
    stored.push_back({s.id, s.time, *content});
  }
  const ReportChain chain = VerifyReportChain(std::move(stored), command.expect_newest_sha256);
  json listing = ReportChainToJson(chain);
  listing["drill"] = command.drill;
  listing["repository"] = restic.location();
  context.listing << listing.dump() << std::endl;
  json fields{{"drill", command.drill}, {"repository", restic.location()}, {"reports", chain.reports.size()},
              {"chainIntact", chain.intact()}};
  if (!chain.reports.empty()) {
    fields["newest"] = {{"snapshotId", chain.reports.back().snapshot_id}, {"sha256", chain.reports.back().sha256}};
  }
  json problems = json::array();  // Bounded: the termination message has a size limit; the listing has all.
  for (std::size_t i = 0; i < chain.problems.size() && i < 10; ++i) problems.push_back(chain.problems[i]);
  fields["problems"] = problems;
  result.fields = fields;
  if (!chain.intact()) {
    result.status = FailedPreconditionError(std::to_string(chain.problems.size()) + " problem(s) in the report chain of drill " +
                                  command.drill + ": " + chain.problems.front());
    result.reason = "ReportChainBroken";
  }
}

}  // namespace

AgentResult RunReportsCommand(const ReportsCommand& command, const CommandContext& context) {
  return RunOnRepository("reports", command.repository, context, [&](ResticClient& restic, AgentResult& result, WallTime) {
    Reports(restic, command, context, result);
  });
}

AgentResult RunCatalogCommand(const CatalogCommand& command, const CommandContext& context) {
  return RunOnRepository("catalog", command.repository, context, [&](ResticClient& restic, AgentResult& result, WallTime) {
    Catalog(restic, command, context, result);
  });
}

AgentResult RunRetentionCommand(const RetentionCommand& command, const CommandContext& context) {
  return RunOnRepository("retention", command.repository, context,
                         [&](ResticClient& restic, AgentResult& result, WallTime start) {
    auto applied = ApplyRetention(restic, command.retention, command.policy, start);
    if (!applied.ok()) {
      result.status = applied.status();
      return;
    }
    RetentionResult fields{command.policy,
                           {applied->kept_backup_ids.begin(), applied->kept_backup_ids.end()},
                           {applied->removed_backup_ids.begin(), applied->removed_backup_ids.end()},
                           static_cast<std::int64_t>(applied->forgotten_data_snapshots.size())};
    result.fields = RetentionResultToJson(fields);
    context.log("info", "Retention applied policy=" + command.policy + " kept=" + std::to_string(fields.kept.size()) +
                            " removed=" + std::to_string(fields.removed.size()));
  });
}

AgentResult RunCheckCommand(const CheckCommand& command, const CommandContext& context) {
  return RunOnRepository("check", command.repository, context, [&](ResticClient& restic, AgentResult& result, WallTime) {
    result.status = restic.Check(command.read_data_subset);
    result.fields = CheckResultToJson({command.read_data_subset});
  });
}

}  // namespace lifeboat::agent
