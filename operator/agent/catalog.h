// Catalog: the backups present in a repository, rebuilt from snapshot tags alone (one
// `restic snapshots` call), so a fresh cluster can find what to restore after a total loss.
// A backup is complete when its manifest snapshot exists; runs with data snapshots but no manifest
// are listed as incomplete only on request. Also the choice of the backup a restore target
// restores (a named id, or the newest complete backup holding the source, optionally taken at or
// before a time). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "operator/agent/restic_output.h"
#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

struct CatalogEntry {
  std::string backup_id;
  std::string policy;
  std::string run_kind;
  std::string time;                    // The run's start time (all its snapshots share it).
  bool complete = false;               // Has a manifest.
  std::string manifest_snapshot_id;
  std::map<std::string, std::string> database_snapshots;  // source -> snapshot id
  std::map<std::string, std::string> media_snapshots;     // source -> snapshot id
};

// Groups Lifeboat snapshots by backup id, newest first; snapshots without a backup tag are ignored.
std::vector<CatalogEntry> BuildCatalog(const std::vector<ResticSnapshot>& snapshots);

nlohmann::json CatalogEntryJson(const CatalogEntry& entry);

// One restore target's question: which backup holds `source` (a database or a media source)?
struct BackupSelection {
  std::string kind;       // "database" | "media"
  std::string source;
  std::string backup_id;  // Wanted id; empty: the newest complete backup holding the source.

  // "database:shop@" / "media:uploads@nightly-1": the selection's key in the agent's result, and
  // a valid --select value.
  std::string Key() const { return kind + ":" + source + "@" + backup_id; }
};

// Parses "database:shop", "database:shop@", "media:uploads@<backup id>" (the agent's --select value).
StatusOr<BackupSelection> ParseBackupSelection(const std::string& text);

struct SelectedBackup {
  std::string backup_id;  // Empty when none matches; `error` says why.
  std::string time;
  std::string policy;
  std::string run_kind;
  std::string error;
};

// The backup `selection` restores. A named id must be a complete backup holding the source, of
// any policy (so a safety backup can be restored to roll back). Without an id: the newest complete
// backup holding the source, of `policy` when not empty, taken at or before `before` when set, and
// never a pre-restore safety backup (those are restored only by naming them).
SelectedBackup SelectBackup(const std::vector<CatalogEntry>& catalog, const BackupSelection& selection,
                            const std::string& policy, std::optional<WallTime> before);

nlohmann::json SelectedBackupJson(const SelectedBackup& selected);

// What `lifeboat agent catalog` reports in its result (the whole catalog goes to stdout): the
// count and ids, newest first, and the answer to each --select by its Key(). Read back by the
// RestoreRequest controller's Validate step; reading is tolerant (wrong types read as absent).
// With --policy, when the policy has base backups or archived WAL: its recoverability window
// (walArchive; RecoveryWindowJson in wal_archive.h writes it). What a point-in-time restore checks
// before it changes anything.
struct CatalogWalArchive {
  std::string first_recoverable_time;  // RFC 3339 (microseconds); empty: no base backup can become consistent.
  std::string last_recoverable_time;
  std::int64_t base_backups = 0;
  bool gap = false;  // Newer WAL exists that no recovery can reach until the next base backup.
};

struct CatalogResult {
  std::string repository;
  std::vector<std::string> backup_ids;  // Newest first.
  std::map<std::string, SelectedBackup> selected;
  std::optional<CatalogWalArchive> wal_archive;  // Read only (the agent writes walArchive itself).
};
nlohmann::json CatalogResultToJson(const CatalogResult& result);
CatalogResult ParseCatalogResult(const nlohmann::json& result);

}  // namespace lifeboat::agent
