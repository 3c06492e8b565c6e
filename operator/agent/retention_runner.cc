#include "operator/agent/retention_runner.h"

#include <algorithm>

#include "operator/agent/snapshot_tags.h"
#include "operator/agent/wal_archive.h"

namespace lifeboat::agent {

StatusOr<RetentionOutcome> ApplyRetention(ResticClient& restic, const RetentionRules& rules, const std::string& policy,
                                          WallTime now, std::chrono::seconds orphan_grace, bool prune) {
  auto args = BuildForgetArgs(rules, policy);
  if (!args.ok()) return args.status();
  auto output = restic.ForgetWithArgs(*args);
  if (!output.ok()) return output.status();
  auto parsed = ParseForgetOutput(*output);
  if (!parsed.ok()) return parsed.status();
  RetentionOutcome outcome;
  outcome.kept_backup_ids = parsed->kept_backup_ids;
  outcome.removed_backup_ids = parsed->removed_backup_ids;
  auto snapshots = restic.Snapshots({Tag(kTagPolicy, policy)});
  if (!snapshots.ok()) return snapshots.status();
  outcome.forgotten_data_snapshots = SelectDataSnapshotsToForget(*snapshots, parsed->removed_backup_ids, now, orphan_grace);
  LIFEBOAT_RETURN_IF_ERROR(restic.Forget(outcome.forgotten_data_snapshots));
  // The WAL archive: what the base backups kept no longer need (runs just removed have no manifest
  // in `snapshots` any more, so they no longer count).
  outcome.forgotten_wal_snapshots = SelectWalSnapshotsToForget(ListWalArchive(*snapshots, policy));
  for (std::size_t i = 0; i < outcome.forgotten_wal_snapshots.size(); i += 500) {  // Keeps argv short.
    auto from = outcome.forgotten_wal_snapshots.begin() + static_cast<std::ptrdiff_t>(i);
    auto to = outcome.forgotten_wal_snapshots.begin() +
              static_cast<std::ptrdiff_t>(std::min(i + 500, outcome.forgotten_wal_snapshots.size()));
    LIFEBOAT_RETURN_IF_ERROR(restic.Forget(std::vector<std::string>(from, to)));
  }
  if (prune && (!outcome.removed_backup_ids.empty() || !outcome.forgotten_data_snapshots.empty() ||
                !outcome.forgotten_wal_snapshots.empty())) {
    LIFEBOAT_RETURN_IF_ERROR(restic.Prune());
  }
  return outcome;
}

bool RetentionOptions::HasRules() const {
  return rules.keep_last || rules.keep_hourly || rules.keep_daily || rules.keep_weekly || rules.keep_monthly ||
         rules.keep_yearly || !rules.keep_within.empty();
}

StatusOr<RetentionOutcome> ApplyRetention(ResticClient& restic, const RetentionOptions& options, const std::string& policy,
                                          WallTime now) {
  return ApplyRetention(restic, options.rules, policy, now, std::chrono::seconds(options.orphan_grace_seconds),
                        !options.no_prune);
}

}  // namespace lifeboat::agent
