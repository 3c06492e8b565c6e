// RestoreResult and SwapDatabaseResult: the fields `lifeboat agent restore` and `lifeboat agent
// swap-database` add to their result (agent_result.h), which the RestoreRequest controller reads
// back from the Pod's termination message. Defined once and used by the agent, the controller and
// the tests, so the two sides cannot disagree on a name or a type. JSON names are those of
// docs/agent.md. Reading is tolerant (a field of an unexpected type reads as absent: a newer or
// damaged result never crashes a reconcile). Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/agent/maintenance_results.h"

namespace lifeboat::agent {

// What happened to the database target.
struct DatabaseRestoreReport {
  std::string source;
  std::string target;
  std::string snapshot_id;
  bool streamed = false;
  double fetch_seconds = 0;
  double data_seconds = 0;
  double restore_seconds = 0;
  double verify_seconds = 0;
  std::int64_t tables_verified = 0;
  bool checksums_verified = false;  // The tables' checksums were compared too (the backup had them).
  std::int64_t mismatches = 0;
  std::string staging_database;     // Where it was restored before the rename or the swap.
  bool staging_dropped = false;     // A failed restore dropped it.
  std::string kept_as;              // ... or kept it under this name (--keep-failed-as).
  std::string cleanup_error;        // Why the failed restore could not remove it.
  bool target_dropped = false;      // InPlace: the target is gone (the safety backup must go back).
  std::vector<std::string> roles_created;
  std::vector<std::string> roles_without_password;
};

// What happened to the media target.
struct MediaRestoreReport {
  std::string source;
  std::string target;
  std::string mode;  // Merge | Replace
  std::string snapshot_id;
  std::int64_t files_verified = 0;
  std::int64_t mismatches = 0;
  // Restored files whose owner is not the one wanted (the backup's, or the target's `owner`)
  // because the Job's user may not give files away; the sentence says why and what fixes it.
  std::int64_t owners_not_restored = 0;
  std::string ownership_message;
};

// A point-in-time recovery (--recovery-target): which base backup, how far the WAL replay got.
struct RecoveryReport {
  std::string target;                // "latest", an RFC 3339 time, or "lsn:X/Y" (as asked).
  std::string base_backup_id;
  std::string base_consistent_time;
  std::string reached_time;          // The last replayed commit's time: the point actually reached.
  std::string reached_lsn;
  std::string archive_until;         // The last recoverable time the archive knew of.
  bool replayed_to_end = false;      // No commit after the target was archived: all of the archive was replayed.
  std::int64_t wal_snapshots = 0;
  double fetch_seconds = 0;
  double replay_seconds = 0;
  std::vector<std::string> tables;   // Only these tables were restored (empty: the whole database).
};

struct RestoreResult {
  std::string repository;
  std::string backup_time;  // The restored backup's start (RFC 3339): the RPO.
  std::string policy;
  std::optional<DatabaseRestoreReport> database;
  std::optional<MediaRestoreReport> media;
  std::optional<RecoveryReport> recovery;
  std::vector<SqlCheckReport> checks;
  std::vector<std::string> mismatches;              // The first ones, human-readable.
};

// The result fields as written (only what is set) and as read from a whole result.
nlohmann::json RestoreResultToJson(const RestoreResult& result);
RestoreResult ParseRestoreResult(const nlohmann::json& result);

struct SwapDatabaseResult {
  std::string action;  // swap | rollback | drop-previous
  std::string database;
  std::string staging;
  std::string previous;
  bool swapped = false;
  bool already_swapped = false;
  int terminated_sessions = 0;
  std::optional<double> unavailable_seconds;
  bool live_intact = false;
  bool staging_dropped = false;
  std::string kept_as;
  std::string state;  // A sentence for the status (rollback).
  bool dropped = false;
};

nlohmann::json SwapDatabaseResultToJson(const SwapDatabaseResult& result);
SwapDatabaseResult ParseSwapDatabaseResult(const nlohmann::json& result);

}  // namespace lifeboat::agent
