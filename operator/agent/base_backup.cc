#include "operator/agent/base_backup.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "operator/agent/external_programs.h"
#include "operator/agent/replication_connection.h"
#include "operator/agent/wal_archive.h"
#include "operator/agent/wal_names.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace fs = std::filesystem;
namespace {

StatusOr<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) text.pop_back();
  return text;
}

std::string LastLine(const std::string& text) {
  std::string t = Trimmed(text);
  auto at = t.rfind('\n');
  return at == std::string::npos ? t : t.substr(at + 1);
}

}  // namespace

StatusOr<BackupLabel> ParseBackupLabel(const std::string& text) {
  BackupLabel label;
  bool have_start = false, have_timeline = false;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("START WAL LOCATION: ", 0) == 0) {
      std::string lsn = line.substr(20);
      lsn = lsn.substr(0, lsn.find(' '));
      auto parsed = ParseLsn(lsn);
      if (!parsed.ok()) return parsed.status().WithContext("backup_label");
      label.start_lsn = *parsed;
      have_start = true;
    } else if (line.rfind("START TIMELINE: ", 0) == 0) {
      try {
        label.timeline = static_cast<std::uint32_t>(std::stoul(line.substr(16)));
        have_timeline = true;
      } catch (const std::exception&) {
        return InvalidArgumentError("backup_label: START TIMELINE is \"" + line.substr(16) + "\"");
      }
    }
  }
  if (!have_start || !have_timeline) return InvalidArgumentError("backup_label has no START WAL LOCATION or START TIMELINE");
  return label;
}

StatusOr<std::uint64_t> BackupManifestEndLsn(const std::string& manifest_json) {
  auto j = nlohmann::json::parse(manifest_json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("WAL-Ranges") || !j["WAL-Ranges"].is_array() ||
      j["WAL-Ranges"].empty()) {
    return InvalidArgumentError("backup_manifest has no WAL-Ranges");
  }
  const auto& last = j["WAL-Ranges"].back();
  if (!last.contains("End-LSN") || !last["End-LSN"].is_string()) return InvalidArgumentError("backup_manifest's WAL range has no End-LSN");
  auto lsn = ParseLsn(last["End-LSN"].get<std::string>());
  if (!lsn.ok()) return lsn.status().WithContext("backup_manifest");
  return *lsn;
}

StatusOr<std::string> SystemIdentifierFromControlFile(const std::string& bytes) {
  if (bytes.size() < sizeof(std::uint64_t)) return InvalidArgumentError("pg_control is shorter than 8 bytes");
  std::uint64_t id = 0;
  std::memcpy(&id, bytes.data(), sizeof id);
  return std::to_string(id);
}

Status BaseBackupTaker::Take(const BaseBackupRequest& request, SnapshotOptions options, BaseBackupRecord* out,
                             std::string* reason) {
  out->source = request.source;
  const fs::path dir = fs::path(request.work_dir) / ("lifeboat-base-" + request.backup_id);
  std::error_code ec;
  fs::remove_all(dir, ec);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{dir};

  // --no-sync: restic reads the copy at once and it is thrown away; fsync would only cost time.
  ProcessSpec spec;
  spec.argv = {kPgBaseBackup, "--pgdata", dir.string(), "--format=plain", "--wal-method=stream", "--checkpoint=fast",
               "--no-sync", "--label", "lifeboat " + request.backup_id, "--dbname", ReplicationConnInfo(request.pg),
               "--no-password"};
  log_("info", "Base backup started source=" + request.source + " into=" + dir.string());
  auto ran = runner_.Run(spec, "", nullptr);
  if (!ran.ok() || !ran->Succeeded()) {
    *reason = "BaseBackupFailed";
    if (!ran.ok()) return ran.status();
    return InternalError("pg_basebackup " + ran->Describe() + ": " + LastLine(ran->stderr_tail));
  }
  const WallTime consistent = clock_.Now();

  auto label_text = ReadWhole(dir / "backup_label");
  auto manifest_text = ReadWhole(dir / "backup_manifest");
  auto control = ReadWhole(dir / "global" / "pg_control");
  auto version = ReadWhole(dir / "PG_VERSION");
  if (!label_text.ok() || !manifest_text.ok() || !control.ok() || !version.ok()) {
    *reason = "BaseBackupFailed";
    return InternalError("pg_basebackup's copy lacks backup_label, backup_manifest, global/pg_control or PG_VERSION");
  }
  auto label = ParseBackupLabel(*label_text);
  auto end = BackupManifestEndLsn(*manifest_text);
  auto system = SystemIdentifierFromControlFile(*control);
  if (!label.ok() || !end.ok() || !system.ok()) {
    *reason = "BaseBackupFailed";
    return !label.ok() ? label.status() : (!end.ok() ? end.status() : system.status());
  }
  out->system_id = *system;
  out->server_major = Trimmed(*version);
  out->timeline = label->timeline;
  out->start_lsn = FormatLsn(label->start_lsn);
  out->end_lsn = FormatLsn(*end);
  out->consistent_time = FormatRfc3339Micro(consistent);

  // pg_verifybackup of the server's major version checks every file's checksum and that the WAL
  // the backup needs is there and parses.
  const fs::path verifier = fs::path(request.postgres_root) / out->server_major / "bin" / "pg_verifybackup";
  if (fs::exists(verifier, ec)) {
    ProcessSpec verify;
    verify.argv = {verifier.string(), "--quiet", dir.string()};
    auto verified = runner_.Run(verify, "", nullptr);
    if (!verified.ok() || !verified->Succeeded()) {
      *reason = "BaseBackupVerificationFailed";
      if (!verified.ok()) return verified.status();
      return InternalError("pg_verifybackup " + verified->Describe() + ": " + LastLine(verified->stderr_tail));
    }
    out->verified = true;
  } else {
    log_("warn", "Base backup not verified: " + verifier.string() + " is not installed (the image lacks PostgreSQL " +
                     out->server_major + "'s client tools)");
  }

  BaseBackupPoint point;
  point.system_id = out->system_id;
  point.start_lsn = label->start_lsn;
  point.end_lsn = *end;
  point.consistent_time = consistent;
  auto wal_tags = BaseBackupTags(point);
  options.tags.insert(options.tags.end(), wal_tags.begin(), wal_tags.end());
  auto stored = restic_.BackupDirectory(dir.string(), {}, options, request.source);
  if (!stored.ok()) {
    *reason = "RepositoryFailed";
    return stored.status();
  }
  out->snapshot_id = stored->snapshot_id;
  out->size_bytes = stored->total_bytes_processed;
  out->data_added = stored->data_added;
  log_("info", "Base backup stored source=" + request.source + " snapshot=" + out->snapshot_id + " wal=" + out->start_lsn +
                   ".." + out->end_lsn + " timeline=" + std::to_string(out->timeline) +
                   " verified=" + (out->verified ? "true" : "false"));
  return Status::Ok();
}

}  // namespace lifeboat::agent
