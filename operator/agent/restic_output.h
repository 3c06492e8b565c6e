// Pure parsing of what restic prints: `snapshots --json`, the `backup --json` message stream
// (status lines become progress log lines, the summary gives the snapshot id and sizes), and the
// classification of a failed restic run into a Status whose code says what to do. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/agent/process_runner.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

struct ResticSnapshot {
  std::string id;        // Full id.
  std::string short_id;
  std::string time;      // As restic prints it (RFC 3339 with nanoseconds).
  std::vector<std::string> paths;
  std::vector<std::string> tags;

  // The value of the tag "key=value", or "" when absent.
  std::string TagValue(const std::string& key) const;
};

StatusOr<std::vector<ResticSnapshot>> ParseSnapshotsJson(const std::string& text);

struct ResticBackupSummary {
  std::string snapshot_id;  // Short id, as printed in the summary.
  std::uint64_t files_new = 0, files_changed = 0, files_unmodified = 0;
  std::uint64_t data_added = 0;           // Bytes added to the repository (after dedup + compression).
  std::uint64_t total_files_processed = 0;
  std::uint64_t total_bytes_processed = 0;
  double total_duration_seconds = 0;
};

// One line of `restic backup --json`. A status line yields a progress message
// ("Backup progress source=db percent=42.0 bytes_done=... total_bytes=..."); the summary line
// fills *summary. Non-JSON lines and other message types yield nothing.
struct ResticLine {
  std::optional<std::string> progress_message;
  std::optional<ResticBackupSummary> summary;
  std::optional<std::string> error_message;  // message_type "error" (e.g. an unreadable file).
};
ResticLine ParseResticBackupLine(const std::string& line, const std::string& source);

// Turns a failed restic run into a Status: wrong password -> PermissionDenied, no repository ->
// NotFound, locked repository / network trouble -> Unavailable, S3 access denied -> PermissionDenied,
// anything else -> Internal. The message starts with `action` and quotes restic's last error line.
Status ClassifyResticFailure(const std::string& action, const ProcessResult& result);

// Whether a classified failure is another process's lock on the repository (not damage).
bool IsRepositoryLocked(const Status& status);

}  // namespace lifeboat::agent
