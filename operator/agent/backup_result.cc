#include "operator/agent/backup_result.h"

#include "operator/agent/result_fields.h"

namespace lifeboat::agent {
namespace {

using nlohmann::json;

using fields::Objects;
using fields::Strings;
std::string Str(const json& j, const char* key) { return fields::String(j, key); }
std::optional<std::int64_t> Int(const json& j, const char* key) { return fields::Integer(j, key); }

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
  json bases = json::array();
  for (const auto& b : r.base_backups) {
    json e{{"source", b.source},     {"snapshotId", b.snapshot_id}, {"systemIdentifier", b.system_id},
           {"timeline", b.timeline}, {"startLsn", b.start_lsn},     {"endLsn", b.end_lsn},
           {"consistentTime", b.consistent_time}, {"verified", b.verified}};
    PutOptional(e, "sizeBytes", b.size_bytes);
    bases.push_back(std::move(e));
  }
  json j{{"policy", r.policy}, {"runKind", r.run_kind}, {"repository", r.repository},
         {"manifestSnapshotId", r.manifest_snapshot_id}, {"databases", databases}, {"media", media}};
  PutOptional(j, "sizeBytes", r.size_bytes);
  if (!bases.empty()) j["baseBackups"] = bases;
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
  for (const json& b : Objects(j, "baseBackups")) {
    BackupBaseReport base;
    base.source = Str(b, "source");
    base.snapshot_id = Str(b, "snapshotId");
    base.system_id = Str(b, "systemIdentifier");
    base.timeline = Int(b, "timeline").value_or(0);
    base.start_lsn = Str(b, "startLsn");
    base.end_lsn = Str(b, "endLsn");
    base.consistent_time = Str(b, "consistentTime");
    base.size_bytes = Int(b, "sizeBytes");
    if (auto v = b.find("verified"); v != b.end() && v->is_boolean()) base.verified = v->get<bool>();
    r.base_backups.push_back(std::move(base));
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
