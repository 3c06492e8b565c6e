#include "operator/agent/manifest.h"

#include <nlohmann/json.hpp>

namespace lifeboat::agent {

using nlohmann::json;

namespace {

json TableJson(const TableStats& t) {
  json j{{"schema", t.schema}, {"name", t.name}, {"rows", t.rows}};
  if (!t.checksum.empty()) j["checksum"] = t.checksum;
  return j;
}

json DatabaseJson(const DatabaseBackup& d, bool with_tables) {
  json j{{"source", d.source},       {"database", d.database},       {"format", d.format},
         {"compression", d.compression}, {"snapshotId", d.snapshot_id}, {"path", d.path},
         {"sizeBytes", d.size_bytes}, {"serverVersion", d.server_version},
         {"serverVersionNum", d.server_version_num}, {"walLsn", d.wal_lsn}, {"pgSnapshot", d.pg_snapshot},
         {"checksums", d.checksums}, {"tableCount", d.tables.size()}};
  std::int64_t rows = 0;
  for (const auto& t : d.tables) rows += t.rows;
  j["totalRows"] = rows;
  if (!d.owner.empty()) j["owner"] = d.owner;
  if (d.roles_recorded) j["roles"] = d.roles;
  if (with_tables) {
    j["tables"] = json::array();
    for (const auto& t : d.tables) j["tables"].push_back(TableJson(t));
  }
  return j;
}

json MediaJson(const MediaBackup& m, bool with_files) {
  json j{{"source", m.source},          {"root", m.root},           {"excludes", m.excludes},
         {"snapshotId", m.snapshot_id}, {"fileCount", m.file_count}, {"totalBytes", m.total_bytes},
         {"dataAdded", m.data_added},   {"checksums", m.checksums}};
  if (with_files) {
    j["files"] = json::array();
    for (const auto& f : m.files) {
      json fj{{"path", f.path}, {"size", f.size}, {"mtimeNs", f.mtime_ns}};
      if (!f.sha256.empty()) fj["sha256"] = f.sha256;
      if (f.owner) fj.update({{"uid", f.owner->uid}, {"gid", f.owner->gid}, {"mode", f.owner->mode}});
      j["files"].push_back(std::move(fj));
    }
  }
  return j;
}

json BaseBackupJson(const BaseBackupRecord& b) {
  return json{{"source", b.source},           {"snapshotId", b.snapshot_id},       {"systemIdentifier", b.system_id},
              {"serverMajor", b.server_major}, {"timeline", b.timeline},            {"startLsn", b.start_lsn},
              {"endLsn", b.end_lsn},           {"consistentTime", b.consistent_time}, {"sizeBytes", b.size_bytes},
              {"dataAdded", b.data_added},     {"verified", b.verified}};
}

json ToJson(const Manifest& m, bool full) {
  json j{{"schemaVersion", m.schema_version}, {"kind", "LifeboatBackupManifest"},
         {"backupId", m.backup_id},           {"policy", m.policy},
         {"runKind", m.run_kind},             {"startTime", m.start_time},
         {"endTime", m.end_time},             {"agentVersion", m.agent_version},
         {"tags", m.tags}};
  json g{{"present", m.globals.present}, {"sizeBytes", m.globals.size_bytes}};
  if (full) g["sql"] = m.globals.sql;
  j["globals"] = g;
  j["databases"] = json::array();
  for (const auto& d : m.databases) j["databases"].push_back(DatabaseJson(d, full));
  j["media"] = json::array();
  for (const auto& x : m.media) j["media"].push_back(MediaJson(x, full));
  if (!m.base_backups.empty()) {
    j["baseBackups"] = json::array();
    for (const auto& b : m.base_backups) j["baseBackups"].push_back(BaseBackupJson(b));
  }
  return j;
}

template <typename T>
T Required(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) throw std::invalid_argument(where + "." + key + " is missing");
  return j.at(key).get<T>();
}

}  // namespace

json ManifestToJson(const Manifest& manifest) { return ToJson(manifest, true); }
std::string SerializeManifest(const Manifest& manifest) { return ToJson(manifest, true).dump(); }
json ManifestSummaryJson(const Manifest& manifest) { return ToJson(manifest, false); }

StatusOr<Manifest> ParseManifest(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError("manifest is not a JSON object");
  try {
    Manifest m;
    m.schema_version = Required<int>(j, "schemaVersion", "manifest");
    if (m.schema_version != kManifestSchemaVersion) {
      return InvalidArgumentError("manifest schemaVersion " + std::to_string(m.schema_version) +
                                  " is not supported (this agent reads version " +
                                  std::to_string(kManifestSchemaVersion) + ")");
    }
    m.backup_id = Required<std::string>(j, "backupId", "manifest");
    m.policy = j.value("policy", "");
    m.run_kind = j.value("runKind", "");
    m.start_time = j.value("startTime", "");
    m.end_time = j.value("endTime", "");
    m.agent_version = j.value("agentVersion", "");
    if (j.contains("tags")) m.tags = j["tags"].get<std::vector<std::string>>();
    if (j.contains("globals")) {
      const json& g = j["globals"];
      m.globals.present = g.value("present", false);
      m.globals.size_bytes = g.value("sizeBytes", 0ULL);
      m.globals.sql = g.value("sql", "");
    }
    for (const json& d : j.value("databases", json::array())) {
      DatabaseBackup db;
      db.source = Required<std::string>(d, "source", "databases[]");
      db.database = Required<std::string>(d, "database", "databases[]");
      db.format = Required<std::string>(d, "format", "databases[]");
      db.compression = d.value("compression", 0);
      db.snapshot_id = Required<std::string>(d, "snapshotId", "databases[]");
      db.path = Required<std::string>(d, "path", "databases[]");
      db.size_bytes = d.value("sizeBytes", 0ULL);
      db.server_version = d.value("serverVersion", "");
      db.server_version_num = d.value("serverVersionNum", 0);
      db.wal_lsn = d.value("walLsn", "");
      db.pg_snapshot = d.value("pgSnapshot", "");
      db.checksums = d.value("checksums", false);
      db.owner = d.value("owner", "");
      if (d.contains("roles") && d["roles"].is_array()) {
        db.roles_recorded = true;
        for (const json& r : d["roles"]) {
          if (r.is_string()) db.roles.push_back(r.get<std::string>());
        }
      }
      for (const json& t : d.value("tables", json::array())) {
        TableStats ts;
        ts.schema = Required<std::string>(t, "schema", "tables[]");
        ts.name = Required<std::string>(t, "name", "tables[]");
        ts.rows = Required<std::int64_t>(t, "rows", "tables[]");
        ts.checksum = t.value("checksum", "");
        db.tables.push_back(std::move(ts));
      }
      m.databases.push_back(std::move(db));
    }
    for (const json& x : j.value("media", json::array())) {
      MediaBackup mb;
      mb.source = Required<std::string>(x, "source", "media[]");
      mb.root = x.value("root", "");
      if (x.contains("excludes")) mb.excludes = x["excludes"].get<std::vector<std::string>>();
      mb.snapshot_id = Required<std::string>(x, "snapshotId", "media[]");
      mb.file_count = x.value("fileCount", 0ULL);
      mb.total_bytes = x.value("totalBytes", 0ULL);
      mb.data_added = x.value("dataAdded", 0ULL);
      mb.checksums = x.value("checksums", false);
      for (const json& f : x.value("files", json::array())) {
        MediaFile mf;
        mf.path = Required<std::string>(f, "path", "files[]");
        mf.size = f.value("size", 0ULL);
        mf.mtime_ns = f.value("mtimeNs", static_cast<std::int64_t>(0));
        mf.sha256 = f.value("sha256", "");
        if (f.contains("uid") && f.contains("gid") && f.contains("mode")) {
          mf.owner = MediaFileOwner{f["uid"].get<std::uint32_t>(), f["gid"].get<std::uint32_t>(), f["mode"].get<std::uint32_t>()};
        }
        mb.files.push_back(std::move(mf));
      }
      m.media.push_back(std::move(mb));
    }
    for (const json& b : j.value("baseBackups", json::array())) {
      BaseBackupRecord r;
      r.source = Required<std::string>(b, "source", "baseBackups[]");
      r.snapshot_id = Required<std::string>(b, "snapshotId", "baseBackups[]");
      r.system_id = Required<std::string>(b, "systemIdentifier", "baseBackups[]");
      r.server_major = b.value("serverMajor", "");
      r.timeline = b.value("timeline", 0u);
      r.start_lsn = Required<std::string>(b, "startLsn", "baseBackups[]");
      r.end_lsn = Required<std::string>(b, "endLsn", "baseBackups[]");
      r.consistent_time = b.value("consistentTime", "");
      r.size_bytes = b.value("sizeBytes", 0ULL);
      r.data_added = b.value("dataAdded", 0ULL);
      r.verified = b.value("verified", false);
      m.base_backups.push_back(std::move(r));
    }
    return m;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("manifest is malformed: ") + e.what());
  }
}

}  // namespace lifeboat::agent
