// A group-shared local repository: on a claim, Jobs of one resource may run as different users
// (the media's owner for a media restore, the image's user for the database), so the repository's
// folders are group-owned by the repository group, group-writable and setgid (new files inherit the
// group), and its files group-readable. restic sees the group-readable config and from then on
// writes every file group-readable and every folder group-writable itself (restic 0.14, local
// backend). Done once, by a process that owns the files: after `restic init`, or when an older
// repository's config is not group-readable yet. Changes files under `root`.
#pragma once

#include <cstdint>
#include <string>

#include "operator/core/status.h"

namespace lifeboat::agent {

// Whether `root`'s config is group-readable and owned by `group`.
bool IsSharedWithGroup(const std::string& root, std::uint32_t group);

// Gives every folder and file under `root` (and `root`) the group, g+rwx and setgid on folders, g+r
// on files. Entries the process may not change are skipped; fails only when the config itself
// cannot be shared (restic would then keep writing private files).
Status ShareWithGroup(const std::string& root, std::uint32_t group);

}  // namespace lifeboat::agent
