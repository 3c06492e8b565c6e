// Media ownership on restore: restic gives restored files their recorded owner only when it runs
// as root; a Job running as a non-root user (every Job on a cluster with restricted Pod Security)
// owns what it restores. This gives each restored file the owner wanted — the target's `owner`
// (the runbook's `chown -R`, applied to the folders on the way too) or else the one recorded in
// the backup — where the process may, and counts the files left with another owner, with the
// sentence that says why and what fixes it. Reads and changes the files under `target`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/agent/file_access.h"
#include "operator/agent/manifest.h"

namespace lifeboat::agent {

struct OwnershipOutcome {
  std::int64_t files_checked = 0;  // Restored files with a wanted owner.
  std::int64_t not_restored = 0;   // ... left with another owner.
  std::string message;             // Empty when every file has its owner.
};

OwnershipOutcome RestoreOwnership(const std::string& target, const std::vector<MediaFile>& files,
                                  const std::optional<MediaFileOwner>& owner, const ProcessUser& user);

// "uid 33, gid 33" from "33:33" (or "33" for both); InvalidArgument otherwise.
StatusOr<MediaFileOwner> ParseMediaOwner(const std::string& text);

}  // namespace lifeboat::agent
