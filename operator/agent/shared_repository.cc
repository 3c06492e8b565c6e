#include "operator/agent/shared_repository.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace lifeboat::agent {
namespace {

bool Share(const std::string& path, std::uint32_t group) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return false;
  if (st.st_gid != group && ::lchown(path.c_str(), static_cast<uid_t>(-1), group) != 0) return false;
  const mode_t bits = S_ISDIR(st.st_mode) ? (S_ISGID | S_IRWXG) : S_IRGRP;
  return (st.st_mode & bits) == bits || ::chmod(path.c_str(), (st.st_mode & 07777) | bits) == 0;
}

}  // namespace

bool IsSharedWithGroup(const std::string& root, std::uint32_t group) {
  struct stat st {};
  const std::string config = root + "/config";
  return ::stat(config.c_str(), &st) == 0 && st.st_gid == group && (st.st_mode & S_IRGRP) != 0;
}

Status ShareWithGroup(const std::string& root, std::uint32_t group) {
  namespace fs = std::filesystem;
  std::error_code ec;
  Share(root, group);
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    Share(it->path().string(), group);
  }
  if (!Share(root + "/config", group)) {
    return PermissionDeniedError("cannot share the repository " + root + " with group " + std::to_string(group) + ": " +
                                 std::strerror(errno) + " (the Job's user must own it and be in that group)");
  }
  return Status::Ok();
}

}  // namespace lifeboat::agent
