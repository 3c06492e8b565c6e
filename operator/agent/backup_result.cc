#include "operator/agent/backup_result.h"

namespace lifeboat::agent {
namespace {

using nlohmann::json;

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
std::optional<std::int64_t> Int(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->is_number_float() ? static_cast<std::int64_t>(it->get<double>()) : it->get<std::int64_t>();
}
std::vector<std::string> Strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}
// The objects of list `key` (a non-list, or non-object entries, read as nothing).
std::vector<json> Objects(const json& j, const char* key) {
  std::vector<json> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const json& v : *it) {
    if (v.is_object()) out.push_back(v);
  }
  return out;
}
template <typename T>
void PutOptional(json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

}  // namespace

json BackupResultToJson(const BackupResult& r) {
  json databases = json::array(), media = json::array();
  for (const auto& d : r.databases) {
    json e{{"source", d.source}, {"database", d.database}, {"snapshotId", d.snapshot_id}, {"tables", d.tables},
           {"rows", d.rows}, {"serverVersion", d.server_version}, {"walLsn", d.wal_lsn}};
    PutOptional(e, "sizeBytes", d.size_bytes);
    databases.push_back(std::move(e));
  }
  for (const auto& m : r.media) {
    json e{{"source", m.source}, {"snapshotId", m.snapshot_id}, {"files", m.files}, {"dataAdded", m.data_added}};
    PutOptional(e, "bytes", m.bytes);
    media.push_back(std::move(e));
  }
  json j{{"policy", r.policy}, {"runKind", r.run_kind}, {"repository", r.repository},
         {"manifestSnapshotId", r.manifest_snapshot_id}, {"databases", databases}, {"media", media}};
  PutOptional(j, "sizeBytes", r.size_bytes);
  if (!r.forgotten_snapshots.empty()) j["forgottenSnapshots"] = r.forgotten_snapshots;
  if (r.retention) {
    j["retention"] = r.retention->error.empty() ? json{{"kept", r.retention->kept}, {"removed", r.retention->removed}}
                                                : json{{"error", r.retention->error}};
  }
  if (r.check) {
    j["check"] = {{"readDataSubset", r.check->read_data_subset}};
    PutOptional(j["check"], "ok", r.check->ok);
  }
  return j;
}

BackupResult ParseBackupResult(const json& j) {
  BackupResult r;
  if (!j.is_object()) return r;
  r.policy = Str(j, "policy");
  r.run_kind = Str(j, "runKind");
  r.repository = Str(j, "repository");
  r.manifest_snapshot_id = Str(j, "manifestSnapshotId");
  r.size_bytes = Int(j, "sizeBytes");
  for (const json& d : Objects(j, "databases")) {
    r.databases.push_back({Str(d, "source"), Str(d, "database"), Str(d, "snapshotId"), Int(d, "sizeBytes"),
                           Int(d, "tables").value_or(0), Int(d, "rows").value_or(0), Str(d, "serverVersion"),
                           Str(d, "walLsn")});
  }
  for (const json& m : Objects(j, "media")) {
    r.media.push_back({Str(m, "source"), Str(m, "snapshotId"), Int(m, "files").value_or(0), Int(m, "bytes"),
                       Int(m, "dataAdded").value_or(0)});
  }
  r.forgotten_snapshots = Strings(j, "forgottenSnapshots");
  if (auto it = j.find("retention"); it != j.end() && it->is_object()) {
    r.retention = RetentionReport{Int(*it, "kept").value_or(0), Strings(*it, "removed"), Str(*it, "error")};
  }
  if (auto it = j.find("check"); it != j.end() && it->is_object()) {
    CheckReport check{Str(*it, "readDataSubset"), std::nullopt};
    if (auto ok = it->find("ok"); ok != it->end() && ok->is_boolean()) check.ok = ok->get<bool>();
    r.check = check;
  }
  return r;
}

}  // namespace lifeboat::agent
