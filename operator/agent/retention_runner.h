// ApplyRetention: runs a policy's retention against the repository (see retention.h for the
// scheme): restic forget on the policy's manifests with the keep rules, forget of the removed runs'
// data snapshots and of old orphans, of the archived WAL no kept base backup needs (wal_archive.h),
// then prune. Thread-safe as far as the ResticClient is.
#pragma once

#include <chrono>
#include <cstdint>
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
  std::vector<std::string> forgotten_wal_snapshots;  // Superseded uploads and WAL no kept base backup needs.
};

// A policy's retention as the agent commands take it: the keep rules, how old a run without a
// manifest must be before its data is removed, and whether to prune.
struct RetentionOptions {
  RetentionRules rules;
  std::int64_t orphan_grace_seconds = 6 * 3600;
  bool no_prune = false;

  bool HasRules() const;
};

StatusOr<RetentionOutcome> ApplyRetention(ResticClient& restic, const RetentionRules& rules, const std::string& policy,
                                          WallTime now, std::chrono::seconds orphan_grace, bool prune);
StatusOr<RetentionOutcome> ApplyRetention(ResticClient& restic, const RetentionOptions& options, const std::string& policy,
                                          WallTime now);

}  // namespace lifeboat::agent
