// Catalog: the backups present in a repository, rebuilt from snapshot tags alone (one
// `restic snapshots` call), so a fresh cluster can find what to restore after a total loss.
// A backup is complete when its manifest snapshot exists; runs with data snapshots but no manifest
// are listed as incomplete only on request. Pure grouping functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "operator/agent/restic_output.h"

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

}  // namespace lifeboat::agent
