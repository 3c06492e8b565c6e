// StreamBackupDecision: judges a `pg_dump | restic backup --stdin` pipeline from both sides' results.
// The dump is good only when pg_dump exited 0 AND restic exited 0 with a summary (snapshot id).
// When pg_dump failed but restic still saved a snapshot (it saw EOF before the agent could stop it),
// that snapshot holds a truncated dump and must be forgotten. When restic fails by itself and pg_dump
// then dies of the broken pipe, restic's error is reported as the cause. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "operator/agent/process_runner.h"
#include "operator/agent/restic_output.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

struct StreamBackupDecision {
  Status status;                          // Ok when the snapshot is a complete dump.
  std::string reason;                     // "DumpFailed", "RepositoryFailed", ... on failure.
  std::string snapshot_id;                // The good snapshot (status Ok).
  std::optional<std::string> forget_snapshot;  // A saved-but-bad snapshot to forget.
};

StreamBackupDecision DecideStreamBackup(const std::string& producer_name, const PipelineResult& pipeline,
                                        const std::optional<ResticBackupSummary>& summary);

// The first line of stderr that says what went wrong (for messages); "" when stderr is empty.
std::string FirstErrorLine(const std::string& stderr_text);

}  // namespace lifeboat::agent
