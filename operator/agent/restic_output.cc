#include "operator/agent/restic_output.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace lifeboat::agent {
namespace {

bool Contains(const std::string& haystack, const char* needle) { return haystack.find(needle) != std::string::npos; }

// The most informative line of restic's stderr: the first "Fatal:" line, else the last non-empty one.
std::string KeyLine(const std::string& stderr_text) {
  std::string last;
  std::size_t start = 0;
  while (start < stderr_text.size()) {
    auto nl = stderr_text.find('\n', start);
    std::string line = stderr_text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? stderr_text.size() : nl + 1;
    if (line.rfind("Fatal:", 0) == 0) return line;
    if (!line.empty()) last = line;
  }
  return last;
}

}  // namespace

std::string ResticSnapshot::TagValue(const std::string& key) const {
  std::string prefix = key + "=";
  for (const auto& tag : tags) {
    if (tag.rfind(prefix, 0) == 0) return tag.substr(prefix.size());
  }
  return "";
}

StatusOr<std::vector<ResticSnapshot>> ParseSnapshotsJson(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !(doc.is_array() || doc.is_null())) {
    return InternalError("restic snapshots printed something that is not a JSON array");
  }
  std::vector<ResticSnapshot> out;
  if (doc.is_null()) return out;
  for (const auto& item : doc) {
    if (!item.is_object() || !item.contains("id")) return InternalError("restic snapshot entry without an id");
    ResticSnapshot s;
    s.id = item.value("id", "");
    s.short_id = item.value("short_id", s.id.substr(0, 8));
    s.time = item.value("time", "");
    if (item.contains("paths") && item["paths"].is_array()) s.paths = item["paths"].get<std::vector<std::string>>();
    if (item.contains("tags") && item["tags"].is_array()) s.tags = item["tags"].get<std::vector<std::string>>();
    out.push_back(std::move(s));
  }
  return out;
}

ResticLine ParseResticBackupLine(const std::string& line, const std::string& source) {
  ResticLine out;
  if (line.empty() || line.front() != '{') return out;
  nlohmann::json doc = nlohmann::json::parse(line, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return out;
  std::string type = doc.value("message_type", "");
  if (type == "status") {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer,
                  "Backup progress source=%s percent=%.1f files_done=%llu total_files=%llu bytes_done=%llu total_bytes=%llu",
                  source.c_str(), doc.value("percent_done", 0.0) * 100.0,
                  static_cast<unsigned long long>(doc.value("files_done", 0ULL)),
                  static_cast<unsigned long long>(doc.value("total_files", 0ULL)),
                  static_cast<unsigned long long>(doc.value("bytes_done", 0ULL)),
                  static_cast<unsigned long long>(doc.value("total_bytes", 0ULL)));
    out.progress_message = buffer;
  } else if (type == "summary") {
    ResticBackupSummary s;
    s.snapshot_id = doc.value("snapshot_id", "");
    s.files_new = doc.value("files_new", 0ULL);
    s.files_changed = doc.value("files_changed", 0ULL);
    s.files_unmodified = doc.value("files_unmodified", 0ULL);
    s.data_added = doc.value("data_added", 0ULL);
    s.total_files_processed = doc.value("total_files_processed", 0ULL);
    s.total_bytes_processed = doc.value("total_bytes_processed", 0ULL);
    s.total_duration_seconds = doc.value("total_duration", 0.0);
    out.summary = s;
  } else if (type == "error") {
    std::string item = doc.value("item", "");
    std::string message;
    if (doc.contains("error") && doc["error"].is_object()) message = doc["error"].value("message", "");
    out.error_message = "restic could not read " + item + (message.empty() ? "" : ": " + message);
  }
  return out;
}

Status ClassifyResticFailure(const std::string& action, const ProcessResult& result) {
  const std::string& err = result.stderr_tail;
  std::string detail = KeyLine(err);
  if (detail.empty()) detail = "restic " + result.Describe();
  std::string message = action + ": " + detail;
  if (Contains(err, "wrong password or no key found")) {
    return PermissionDeniedError(action + ": wrong repository password (no key in the repository matches it)");
  }
  if (Contains(err, "Is there a repository at the following location?") || Contains(err, "unable to open config file") ||
      Contains(err, "repository does not exist")) {
    return NotFoundError(action + ": no restic repository at this location (it is initialised by the first backup)");
  }
  if (Contains(err, "Access Denied") || Contains(err, "AccessDenied") || Contains(err, "InvalidAccessKeyId") ||
      Contains(err, "SignatureDoesNotMatch") || Contains(err, "Forbidden")) {
    return PermissionDeniedError(message);
  }
  if (Contains(err, "repository is already locked") || Contains(err, "unable to create lock")) {
    return UnavailableError(message);
  }
  if (Contains(err, "connection refused") || Contains(err, "no such host") || Contains(err, "timeout") ||
      Contains(err, "i/o timeout") || Contains(err, "TLS handshake") || Contains(err, "503")) {
    return UnavailableError(message);
  }
  if (Contains(err, "x509:") || Contains(err, "certificate")) return UnavailableError(message);
  return InternalError(message);
}

bool IsRepositoryLocked(const Status& status) {
  return status.code() == StatusCode::kUnavailable && (Contains(status.message(), "repository is already locked") ||
                                                       Contains(status.message(), "unable to create lock"));
}

}  // namespace lifeboat::agent
