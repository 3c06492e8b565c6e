// ApplyRetention: runs a policy's retention against the repository (see retention.h for the
// scheme): restic forget on the policy's manifests with the keep rules, forget of the removed runs'
// data snapshots and of old orphans, then prune. Thread-safe as far as the ResticClient is.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "operator/agent/restic_client.h"
#include "operator/agent/retention.h"

namespace lifeboat::agent {

struct RetentionOutcome {
  std::set<std::string> kept_backup_ids;
  std::set<std::string> removed_backup_ids;
  std::vector<std::string> forgotten_data_snapshots;
};

StatusOr<RetentionOutcome> ApplyRetention(ResticClient& restic, const RetentionRules& rules, const std::string& policy,
                                          WallTime now, std::chrono::seconds orphan_grace, bool prune);

}  // namespace lifeboat::agent
