// BackupResult: the fields `lifeboat agent backup` adds to its result (agent_result.h), which the
// BackupPolicy controller (and the RestoreRequest controller, for a safety backup) read back from
// the Pod's termination message. Defined once and used by the agent, the controllers and the tests.
// JSON names are those of docs/agent.md; reading is tolerant (a field of an unexpected type reads as
// absent). Plain values; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lifeboat::agent {

struct BackupDatabaseReport {
  std::string source;
  std::string database;
  std::string snapshot_id;
  std::optional<std::int64_t> size_bytes;
  std::int64_t tables = 0;
  std::int64_t rows = 0;
  std::string server_version;
  std::string wal_lsn;
};

struct BackupMediaReport {
  std::string source;
  std::string snapshot_id;
  std::int64_t files = 0;
  std::optional<std::int64_t> bytes;
  std::int64_t data_added = 0;  // Bytes restic added to the repository for this source.
};

struct BackupBaseReport {
  std::string source;
  std::string snapshot_id;
  std::string system_id;
  std::int64_t timeline = 0;
  std::string start_lsn;
  std::string end_lsn;
  std::string consistent_time;  // RFC 3339: the earliest time this backup recovers to.
  std::optional<std::int64_t> size_bytes;
  bool verified = false;
};

struct RetentionReport {
  std::int64_t kept = 0;
  std::vector<std::string> removed;  // Backup ids.
  std::string error;                 // Retention failed (the backup itself is good).
};

struct CheckReport {
  std::string read_data_subset;
  std::optional<bool> ok;
};

struct BackupResult {
  std::string policy;
  std::string run_kind;
  std::string repository;
  std::string manifest_snapshot_id;
  std::optional<std::int64_t> size_bytes;
  std::vector<BackupDatabaseReport> databases;
  std::vector<BackupMediaReport> media;
  std::vector<BackupBaseReport> base_backups;
  std::vector<std::string> forgotten_snapshots;  // A failed run's leftovers, removed.
  std::optional<RetentionReport> retention;
  std::optional<CheckReport> check;
};

nlohmann::json BackupResultToJson(const BackupResult& result);
BackupResult ParseBackupResult(const nlohmann::json& result);

}  // namespace lifeboat::agent
