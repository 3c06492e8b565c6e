// Volume ownership: what the kubelet does to a volume's files for a pod's `fsGroup`
// (SetVolumeOwnership, Kubernetes pkg/volume/volume_linux.go), and how it makes the directories
// of a `subPath` (pkg/volume/util/subpath).
//
// fsGroup: every file and directory under the volume gets group fsGroup (symbolic links too,
// without following them) and, except symbolic links, the mode bits 0660 (0440 when the volume
// is read-only) added to its own; directories also get 0110 and setgid, so that files created
// later inherit the group. The walk visits a directory's entries before the directory itself, so
// an interrupted walk leaves the root unchanged. With `fsGroupChangePolicy: OnRootMismatch` the
// walk is skipped when the root already has group fsGroup, those bits and setgid.
//
// VolumeOwnershipFor says which volumes get it: emptyDir, secret, configMap, downwardAPI and
// projected volumes always (their fsGroupChangePolicy is ignored; the file volumes are
// read-only), claims unless read-only (as CSI drivers with fsGroupPolicy File do), hostPath never.
//
// VolumeOwnershipFor, OwnedMode and RootMatches are pure; the others change the file system. Errors of
// single chown/chmod calls are ignored (the kubelet logs them and goes on); errors reading a
// directory end the walk. Thread-compatible (one caller per directory tree).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/jobs/security_context.h"
#include "operator/core/status.h"

namespace lifeboat::devcluster {

struct VolumeOwnership {
  int64_t fs_group = 0;
  bool read_only = false;         // the volume is read-only: 0440 instead of 0660
  bool on_root_mismatch = false;  // fsGroupChangePolicy: OnRootMismatch
};

// The ownership change the kubelet's volume plugin makes to `volume` (an entry of the pod's
// spec.volumes) for the pod's fsGroup; nullopt for none (no fsGroup, hostPath, a read-only claim).
std::optional<VolumeOwnership> VolumeOwnershipFor(const nlohmann::json& volume, const EffectiveSecurityContext& context);

// The mode (permission, setuid, setgid and sticky bits) a file or directory gets.
mode_t OwnedMode(mode_t mode, bool is_directory, bool read_only);

// OnRootMismatch: whether a root with this group and mode needs no walk (a directory with group
// fsGroup, the bits of OwnedMode and setgid).
bool RootMatches(gid_t gid, mode_t mode, bool is_directory, int64_t fs_group, bool read_only);

// Applies fsGroup to `root` and everything below it. Returns whether it walked (false when
// OnRootMismatch found the root matching). InternalError when a directory cannot be read.
StatusOr<bool> SetVolumeOwnership(const std::filesystem::path& root, const VolumeOwnership& ownership);

// Creates the missing directories of `path` (inside `volume_root`) as the kubelet creates a
// subPath: each with the mode of the volume root, including its setgid/sticky bits, whatever the
// umask. An existing `path` is left alone.
Status MakeSubPathDirectories(const std::filesystem::path& volume_root, const std::filesystem::path& path);

}  // namespace lifeboat::devcluster
