// Manifest: the record of one backup run, stored in the repository as its own restic snapshot
// (file /lifeboat/manifest.json, tagged lifeboat-role=manifest) next to the data. A backup is
// "good" exactly when its manifest exists: data snapshots without a manifest are leftovers of a
// failed run. Versioned JSON schema (kManifestSchemaVersion), documented in docs/agent.md.
// Plain value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "operator/agent/pg_session.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

inline constexpr int kManifestSchemaVersion = 1;
inline constexpr const char* kManifestPath = "/lifeboat/manifest.json";

struct DatabaseBackup {
  std::string source;          // Source name (defaults to the database name).
  std::string database;
  std::string format;          // "custom" (one file) or "directory".
  int compression = 0;         // pg_dump -Z level.
  std::string snapshot_id;     // restic snapshot holding the dump.
  std::string path;            // Path of the dump inside that snapshot ("/lifeboat/db/<source>.dump" or a directory).
  std::uint64_t size_bytes = 0;
  std::string server_version;
  int server_version_num = 0;
  std::string wal_lsn;         // WAL position when the snapshot was taken.
  std::string pg_snapshot;     // The exported snapshot name pg_dump used.
  bool checksums = false;      // Whether tables[].checksum was computed.
  std::vector<TableStats> tables;
  // The database's owner and the roles its objects depend on (owners, grantees, policies), as of the
  // snapshot: the roles a restore must find or create. Absent from manifests written before they were
  // recorded (roles_recorded false).
  std::string owner;
  bool roles_recorded = false;
  std::vector<std::string> roles;
};

struct Globals {
  bool present = false;
  std::uint64_t size_bytes = 0;
  std::string sql;             // pg_dumpall --globals-only output (roles, tablespaces).
};

// Who owned a media file when it was backed up, so a restore can give it back (and say when it
// could not). Absent in manifests written before Lifeboat recorded it.
struct MediaFileOwner {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint32_t mode = 0;  // Permission bits (07777).
};

struct MediaFile {
  std::string path;            // Relative to the source root.
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::string sha256;          // Hex; empty when checksums were not requested.
  std::optional<MediaFileOwner> owner = std::nullopt;
};

struct MediaBackup {
  std::string source;
  std::string root;            // The backed-up directory (snapshot root = its content).
  std::vector<std::string> excludes;
  std::string snapshot_id;
  std::uint64_t file_count = 0;
  std::uint64_t total_bytes = 0;
  std::uint64_t data_added = 0;  // Bytes restic added to the repository for this run.
  bool checksums = false;
  std::vector<MediaFile> files;
};

// A physical base backup of the whole database cluster (pg_basebackup, plain format), the
// starting point of a point-in-time recovery with the policy's archived WAL (wal_archive.h).
struct BaseBackupRecord {
  std::string source;            // "cluster" unless named.
  std::string snapshot_id;       // The data folder, as restic holds it.
  std::string system_id;         // The database cluster's system identifier (pg_control).
  std::string server_major;      // PG_VERSION: which server binaries recover it.
  std::uint32_t timeline = 0;
  std::string start_lsn;         // Recovery reads WAL from here ...
  std::string end_lsn;           // ... and is consistent once it replayed up to here.
  std::string consistent_time;   // RFC 3339: when pg_basebackup finished.
  std::uint64_t size_bytes = 0;
  std::uint64_t data_added = 0;
  bool verified = false;         // pg_verifybackup checked every file against the backup's own manifest.
};

struct Manifest {
  int schema_version = kManifestSchemaVersion;
  std::string backup_id;
  std::string policy;
  std::string run_kind;        // "scheduled", "on-demand", "pre-restore", ...
  std::string start_time;      // RFC 3339.
  std::string end_time;
  std::string agent_version;
  std::vector<std::string> tags;   // Extra user tags (key=value).
  Globals globals;
  std::vector<DatabaseBackup> databases;
  std::vector<MediaBackup> media;
  std::vector<BaseBackupRecord> base_backups;  // Absent before point-in-time recovery existed.
};

nlohmann::json ManifestToJson(const Manifest& manifest);
std::string SerializeManifest(const Manifest& manifest);
// Rejects unknown schema versions and missing required fields with InvalidArgument.
StatusOr<Manifest> ParseManifest(const std::string& text);

// The manifest without the bulky parts (globals SQL, per-file media list) for catalog listings.
nlohmann::json ManifestSummaryJson(const Manifest& manifest);

}  // namespace lifeboat::agent
