// Retention: the policy's keep rules turned into `restic forget` arguments, and the pure selection
// of which data snapshots go with the manifests restic removed.
//
// How retention runs (see docs/agent.md): restic applies the keep rules to the policy's manifest
// snapshots only (`--tag lifeboat-role=manifest,lifeboat-policy=P --group-by host`, all Lifeboat
// snapshots use host "lifeboat"), so the rules count backup runs, not snapshots. Then the data
// snapshots of removed runs, and orphans (data snapshots of runs that never wrote a manifest,
// older than a grace period so a running backup is not touched), are forgotten by id; then prune.
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "operator/agent/restic_output.h"
#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

struct RetentionRules {
  int keep_last = 0;
  int keep_hourly = 0;
  int keep_daily = 0;
  int keep_weekly = 0;
  int keep_monthly = 0;
  int keep_yearly = 0;
  std::string keep_within;  // restic duration such as "7d", "2y5m7d3h"; empty: none.
};

// The arguments after `restic forget --json`. InvalidArgument when no rule is set (restic would
// keep everything silently) or a count is negative or keep_within is malformed.
StatusOr<std::vector<std::string>> BuildForgetArgs(const RetentionRules& rules, const std::string& policy);

// The backup ids of the manifests restic kept and removed, from `forget --json` output.
struct ForgetOutcome {
  std::set<std::string> kept_backup_ids;
  std::set<std::string> removed_backup_ids;
};
StatusOr<ForgetOutcome> ParseForgetOutput(const std::string& json_text);

// Data snapshots (not manifests) of the policy to forget: those whose run lost its manifest
// (`removed`), and those whose run has no manifest at all and are older than `orphan_grace`.
// `snapshots` are all snapshots tagged with the policy, including the remaining manifests.
std::vector<std::string> SelectDataSnapshotsToForget(const std::vector<ResticSnapshot>& snapshots,
                                                     const std::set<std::string>& removed_backup_ids, WallTime now,
                                                     std::chrono::seconds orphan_grace);

}  // namespace lifeboat::agent
