#include "operator/agent/catalog.h"

#include "operator/agent/result_fields.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "operator/agent/snapshot_tags.h"
#include "operator/core/time_format.h"

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

StatusOr<BackupSelection> ParseBackupSelection(const std::string& text) {
  BackupSelection s;
  std::size_t colon = text.find(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("--select \"" + text + "\": expected database:<source>[@<backup id>] or media:<source>[@<backup id>]");
  }
  s.kind = text.substr(0, colon);
  if (s.kind != kRoleDatabase && s.kind != kRoleMedia) {
    return InvalidArgumentError("--select \"" + text + "\": the kind must be database or media, not \"" + s.kind + "\"");
  }
  std::string rest = text.substr(colon + 1);
  std::size_t at = rest.find('@');
  s.source = rest.substr(0, at);
  if (at != std::string::npos) s.backup_id = rest.substr(at + 1);
  if (s.source.empty()) return InvalidArgumentError("--select \"" + text + "\": the source name is empty");
  return s;
}

namespace {

const std::map<std::string, std::string>& SnapshotsOf(const CatalogEntry& e, const std::string& kind) {
  return kind == kRoleDatabase ? e.database_snapshots : e.media_snapshots;
}

std::string Names(const std::map<std::string, std::string>& by_source) {
  std::string out;
  for (const auto& [source, id] : by_source) out += (out.empty() ? "" : ", ") + source;
  return out.empty() ? "none" : out;
}

SelectedBackup Found(const CatalogEntry& e) { return {e.backup_id, e.time, e.policy, e.run_kind, ""}; }

}  // namespace

SelectedBackup SelectBackup(const std::vector<CatalogEntry>& catalog, const BackupSelection& selection,
                            const std::string& policy, std::optional<WallTime> before) {
  SelectedBackup out;
  std::string what = selection.kind + " \"" + selection.source + "\"";
  if (!selection.backup_id.empty()) {
    auto it = std::find_if(catalog.begin(), catalog.end(),
                           [&](const CatalogEntry& e) { return e.backup_id == selection.backup_id; });
    if (it == catalog.end()) {
      out.error = "Backup \"" + selection.backup_id + "\" is not in the repository";
    } else if (!it->complete) {
      out.error = "Backup \"" + selection.backup_id + "\" is incomplete (it has no manifest: the run did not finish)";
    } else if (SnapshotsOf(*it, selection.kind).count(selection.source) == 0) {
      out.error = "Backup \"" + selection.backup_id + "\" holds no " + what + " (its " + selection.kind +
                  " sources: " + Names(SnapshotsOf(*it, selection.kind)) + ")";
    } else {
      out = Found(*it);
    }
    return out;
  }
  // The newest by parsed time: restic prints local offsets, so strings alone do not order.
  const CatalogEntry* best = nullptr;
  WallTime best_time{};
  const CatalogEntry* oldest_holding = nullptr;
  WallTime oldest_time{};
  for (const CatalogEntry& e : catalog) {
    if (!e.complete || e.run_kind == kRunKindPreRestore) continue;
    if (!policy.empty() && e.policy != policy) continue;
    if (SnapshotsOf(e, selection.kind).count(selection.source) == 0) continue;
    auto time = ParseRfc3339(e.time);
    if (!time.ok()) continue;
    if (oldest_holding == nullptr || *time < oldest_time) {
      oldest_holding = &e;
      oldest_time = *time;
    }
    if (before && *time > *before) continue;
    if (best == nullptr || *time > best_time) {
      best = &e;
      best_time = *time;
    }
  }
  if (best != nullptr) return Found(*best);
  if (!policy.empty()) what += " by policy " + policy;
  if (oldest_holding == nullptr) {
    out.error = "The repository has no complete backup of " + what;
  } else {
    out.error = "The repository has no complete backup of " + what + " taken at or before " + FormatRfc3339(*before) +
                " (the oldest is " + oldest_holding->backup_id + " from " + FormatRfc3339(oldest_time) + ")";
  }
  return out;
}

nlohmann::json SelectedBackupJson(const SelectedBackup& s) {
  if (!s.error.empty()) return nlohmann::json{{"error", s.error}};
  return nlohmann::json{{"backupId", s.backup_id}, {"time", s.time}, {"policy", s.policy}, {"runKind", s.run_kind}};
}

namespace {

std::string StringAt(const nlohmann::json& j, const char* key) { return fields::String(j, key); }

}  // namespace

nlohmann::json CatalogResultToJson(const CatalogResult& r) {
  nlohmann::json j{{"repository", r.repository}, {"count", r.backup_ids.size()}, {"backupIds", r.backup_ids}};
  if (!r.backup_ids.empty()) j["latestBackupId"] = r.backup_ids.front();
  if (!r.selected.empty()) {
    j["selected"] = nlohmann::json::object();
    for (const auto& [key, chosen] : r.selected) j["selected"][key] = SelectedBackupJson(chosen);
  }
  return j;
}

CatalogResult ParseCatalogResult(const nlohmann::json& j) {
  CatalogResult r;
  if (!j.is_object()) return r;
  r.repository = StringAt(j, "repository");
  if (auto ids = j.find("backupIds"); ids != j.end() && ids->is_array()) {
    for (const auto& id : *ids) {
      if (id.is_string()) r.backup_ids.push_back(id.get<std::string>());
    }
  }
  if (auto selected = j.find("selected"); selected != j.end() && selected->is_object()) {
    for (auto it = selected->begin(); it != selected->end(); ++it) {
      if (!it->is_object()) continue;
      r.selected[it.key()] = {StringAt(*it, "backupId"), StringAt(*it, "time"), StringAt(*it, "policy"),
                              StringAt(*it, "runKind"), StringAt(*it, "error")};
    }
  }
  if (auto wal = j.find("walArchive"); wal != j.end() && wal->is_object()) {
    CatalogWalArchive archive;
    archive.first_recoverable_time = StringAt(*wal, "firstRecoverableTime");
    archive.last_recoverable_time = StringAt(*wal, "lastRecoverableTime");
    if (auto n = wal->find("baseBackups"); n != wal->end() && n->is_number_integer()) archive.base_backups = n->get<std::int64_t>();
    archive.gap = wal->contains("gap");
    r.wal_archive = archive;
  }
  return r;
}

}  // namespace lifeboat::agent
