#include "operator/agent/media_scan.h"

#include "operator/agent/sha256.h"

#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace lifeboat::agent {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (!part.empty()) out.push_back(part);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

bool MatchRun(const std::vector<std::string>& pattern, const std::vector<std::string>& path, std::size_t offset) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (fnmatch(pattern[i].c_str(), path[offset + i].c_str(), 0) != 0) return false;
  }
  return true;
}

}  // namespace

bool MatchesExclude(const std::string& relative_path, const std::string& pattern) {
  std::vector<std::string> path = Split(relative_path);
  std::vector<std::string> pat = Split(pattern);
  if (pat.empty() || pat.size() > path.size()) return false;
  if (!pattern.empty() && pattern.front() == '/') return pat.size() == path.size() && MatchRun(pat, path, 0);
  return MatchRun(pat, path, path.size() - pat.size());
}

std::vector<std::string> ResticExcludePatterns(const std::string& root, const std::vector<std::string>& patterns) {
  std::string base = root;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::vector<std::string> out;
  for (const auto& p : patterns) out.push_back(!p.empty() && p.front() == '/' ? (base == "/" ? p : base + p) : p);
  return out;
}

StatusOr<MediaScanResult> ScanMediaTree(const std::string& root, const MediaScanOptions& options) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return FailedPreconditionError("media path " + root + " is not a directory");
  MediaScanResult result;
  if (::access(root.c_str(), R_OK | X_OK) != 0) {
    result.unreadable.Add(".", OwnerOf(root));
    return result;
  }
  // A folder the Job's user may not list is recorded (and skipped), as is a file it may not read:
  // the backup then fails naming them instead of with restic's bare "some files could not be read".
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
  if (ec) return FailedPreconditionError("cannot read media path " + root + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return FailedPreconditionError("cannot read media path " + root + ": " + ec.message());
    std::string rel = fs::relative(it->path(), root, ec).generic_string();
    bool excluded = std::any_of(options.excludes.begin(), options.excludes.end(),
                                [&](const std::string& p) { return MatchesExclude(rel, p); });
    if (excluded) {
      if (it->is_directory(ec) && !it->is_symlink(ec)) it.disable_recursion_pending();
      continue;
    }
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (::access(it->path().c_str(), R_OK | X_OK) != 0) result.unreadable.Add(rel, OwnerOf(it->path().string()));
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    if (::access(it->path().c_str(), R_OK) != 0) {
      result.unreadable.Add(rel, OwnerOf(it->path().string()));
      continue;
    }
    MediaFile f;
    f.path = rel;
    f.size = static_cast<std::uint64_t>(st.st_size);
    f.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    f.owner = MediaFileOwner{st.st_uid, st.st_gid, static_cast<std::uint32_t>(st.st_mode & 07777)};
    if (options.checksums) {
      auto prev = options.previous.find(rel);
      if (prev != options.previous.end() && prev->second.size == f.size && prev->second.mtime_ns == f.mtime_ns &&
          !prev->second.sha256.empty()) {
        f.sha256 = prev->second.sha256;
      } else {
        auto sum = Sha256File(it->path().string());
        if (!sum.ok()) return sum.status();
        f.sha256 = *sum;
        result.hashed_bytes += f.size;
      }
    }
    result.total_bytes += f.size;
    result.files.push_back(std::move(f));
  }
  std::sort(result.files.begin(), result.files.end(), [](const MediaFile& a, const MediaFile& b) { return a.path < b.path; });
  return result;
}

}  // namespace lifeboat::agent
