// MediaScan: walks a media source directory the way restic backs it up (same exclude semantics,
// see MatchesExclude) and records every regular file's relative path, size, mtime and optionally its
// SHA-256. Checksums of files whose size and mtime equal an entry of `previous` (the last manifest)
// are reused instead of re-reading the file, as restic itself skips unchanged files.
// Thread-compatible (no shared state).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "operator/agent/file_access.h"
#include "operator/agent/manifest.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

// restic's exclude semantics for a path relative to the backup root (components joined by '/'):
// a pattern starting with '/' is anchored at the root, any other pattern matches a run of path
// components ending at this entry anywhere in the path; each component is an fnmatch glob.
bool MatchesExclude(const std::string& relative_path, const std::string& pattern);

// Patterns as restic must receive them when it runs inside `root` with "." as the target:
// anchored patterns become absolute ("/sub" -> "<root>/sub"), others pass unchanged.
std::vector<std::string> ResticExcludePatterns(const std::string& root, const std::vector<std::string>& patterns);

struct MediaScanOptions {
  std::vector<std::string> excludes;
  bool checksums = true;
  std::map<std::string, MediaFile> previous;  // By relative path.
};

struct MediaScanResult {
  std::vector<MediaFile> files;  // Sorted by path.
  std::uint64_t total_bytes = 0;
  std::uint64_t hashed_bytes = 0;  // Bytes actually read for checksums (the rest were reused).
  // Files the process may not read and folders it may not list (relative paths; "." for the root).
  // They are not in `files`; a backup with any of them fails.
  InaccessiblePaths unreadable;
};

StatusOr<MediaScanResult> ScanMediaTree(const std::string& root, const MediaScanOptions& options);

}  // namespace lifeboat::agent
