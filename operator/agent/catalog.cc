#include "operator/agent/catalog.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "operator/agent/snapshot_tags.h"

namespace lifeboat::agent {

std::vector<CatalogEntry> BuildCatalog(const std::vector<ResticSnapshot>& snapshots) {
  std::map<std::string, CatalogEntry> by_id;
  for (const auto& s : snapshots) {
    std::string id = s.TagValue(kTagBackup);
    if (id.empty()) continue;
    CatalogEntry& e = by_id[id];
    e.backup_id = id;
    if (e.policy.empty()) e.policy = s.TagValue(kTagPolicy);
    if (e.run_kind.empty()) e.run_kind = s.TagValue(kTagKind);
    if (e.time.empty() || s.time < e.time) e.time = s.time;
    std::string role = s.TagValue(kTagRole);
    if (role == kRoleManifest) {
      e.complete = true;
      e.manifest_snapshot_id = s.id;
    } else if (role == kRoleDatabase) {
      e.database_snapshots[s.TagValue(kTagSource)] = s.id;
    } else if (role == kRoleMedia) {
      e.media_snapshots[s.TagValue(kTagSource)] = s.id;
    }
  }
  std::vector<CatalogEntry> out;
  for (auto& [id, entry] : by_id) out.push_back(std::move(entry));
  std::sort(out.begin(), out.end(), [](const CatalogEntry& a, const CatalogEntry& b) {
    return a.time != b.time ? a.time > b.time : a.backup_id > b.backup_id;
  });
  return out;
}

nlohmann::json CatalogEntryJson(const CatalogEntry& e) {
  return nlohmann::json{{"backupId", e.backup_id},
                        {"policy", e.policy},
                        {"runKind", e.run_kind},
                        {"time", e.time},
                        {"complete", e.complete},
                        {"manifestSnapshotId", e.manifest_snapshot_id},
                        {"databaseSnapshots", e.database_snapshots},
                        {"mediaSnapshots", e.media_snapshots}};
}

}  // namespace lifeboat::agent
