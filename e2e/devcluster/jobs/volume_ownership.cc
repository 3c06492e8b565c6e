#include "e2e/devcluster/jobs/volume_ownership.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace lifeboat::devcluster {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kReadWriteBits = 0660;
constexpr mode_t kReadOnlyBits = 0440;
constexpr mode_t kSearchBits = 0110;

std::string ErrnoMessage(const std::string& what, const fs::path& path) {
  return what + " " + path.string() + ": " + std::strerror(errno);
}

// Changes one entry (lstat'ed as `st`): group fsGroup, and the mode unless it is a symlink.
void ChangeEntry(const fs::path& path, const struct stat& st, const VolumeOwnership& ownership) {
  (void)::lchown(path.c_str(), static_cast<uid_t>(-1), static_cast<gid_t>(ownership.fs_group));
  if (S_ISLNK(st.st_mode)) return;  // chmod would change the link's target
  (void)::chmod(path.c_str(), OwnedMode(st.st_mode, S_ISDIR(st.st_mode), ownership.read_only));
}

// Depth first, a directory after its entries (as the kubelet's walkDeep).
Status Walk(const fs::path& path, const struct stat& st, const VolumeOwnership& ownership) {
  if (S_ISDIR(st.st_mode)) {
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return InternalError(ErrnoMessage("reading", path));
    std::vector<std::string> names;
    while (struct dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(dir);
    for (const std::string& name : names) {
      const fs::path child = path / name;
      struct stat child_st {};
      if (::lstat(child.c_str(), &child_st) != 0) {
        if (errno == ENOENT) continue;  // removed meanwhile
        return InternalError(ErrnoMessage("lstat", child));
      }
      LIFEBOAT_RETURN_IF_ERROR(Walk(child, child_st, ownership));
    }
  }
  ChangeEntry(path, st, ownership);
  return Status::Ok();
}

}  // namespace

std::optional<VolumeOwnership> VolumeOwnershipFor(const nlohmann::json& volume, const EffectiveSecurityContext& context) {
  if (!context.fs_group || !volume.is_object()) return std::nullopt;
  VolumeOwnership ownership;
  ownership.fs_group = *context.fs_group;
  if (volume.contains("persistentVolumeClaim")) {
    if (volume["persistentVolumeClaim"].value("readOnly", false)) return std::nullopt;
    ownership.on_root_mismatch = context.fs_group_change_policy == "OnRootMismatch";
    return ownership;
  }
  if (volume.contains("emptyDir")) return ownership;
  for (const char* file_volume : {"secret", "configMap", "downwardAPI", "projected"}) {
    if (volume.contains(file_volume)) {
      ownership.read_only = true;
      return ownership;
    }
  }
  return std::nullopt;
}

mode_t OwnedMode(mode_t mode, bool is_directory, bool read_only) {
  mode_t owned = (mode & 07777) | (read_only ? kReadOnlyBits : kReadWriteBits);
  if (is_directory) owned |= kSearchBits | S_ISGID;
  return owned;
}

bool RootMatches(gid_t gid, mode_t mode, bool is_directory, int64_t fs_group, bool read_only) {
  if (static_cast<int64_t>(gid) != fs_group || !is_directory) return false;
  const mode_t wanted = (read_only ? kReadOnlyBits : kReadWriteBits) | kSearchBits;
  return (mode & wanted) == wanted && (mode & S_ISGID) != 0;
}

StatusOr<bool> SetVolumeOwnership(const fs::path& root, const VolumeOwnership& ownership) {
  if (ownership.on_root_mismatch) {
    struct stat st {};
    if (::stat(root.c_str(), &st) == 0 &&
        RootMatches(st.st_gid, st.st_mode, S_ISDIR(st.st_mode), ownership.fs_group, ownership.read_only)) {
      return false;
    }
  }
  struct stat st {};
  if (::lstat(root.c_str(), &st) != 0) return InternalError(ErrnoMessage("lstat", root));
  LIFEBOAT_RETURN_IF_ERROR(Walk(root, st, ownership));
  return true;
}

Status MakeSubPathDirectories(const fs::path& volume_root, const fs::path& path) {
  struct stat root_st {};
  if (::stat(volume_root.c_str(), &root_st) != 0) return InternalError(ErrnoMessage("stat", volume_root));
  const mode_t mode = root_st.st_mode & 07777;
  const fs::path relative = path.lexically_relative(volume_root);
  if (relative.empty() || *relative.begin() == "..") {
    return InvalidArgumentError("path " + path.string() + " is outside of " + volume_root.string());
  }
  fs::path current = volume_root;
  for (const fs::path& part : relative) {
    if (part == ".") continue;
    current /= part;
    if (::mkdir(current.c_str(), mode) == 0) {
      if (::chmod(current.c_str(), mode) != 0) return InternalError(ErrnoMessage("chmod", current));
    } else if (errno != EEXIST) {
      return InternalError(ErrnoMessage("mkdir", current));
    }
  }
  return Status::Ok();
}

}  // namespace lifeboat::devcluster
