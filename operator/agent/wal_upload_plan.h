// WalUploadPlan: what the WAL streamer uploads next, decided from the files pg_receivewal has
// written into its folder. The streamer keeps one group of consecutive segments of one timeline
// in the folder; every upload is a snapshot of the whole group so far (its completed segments, the
// segment still being written, and every timeline history file), so a recovery restores one
// snapshot per group (wal_archive.h). A group is sealed, and its completed segments removed from
// the folder, once it holds `group_segments` completed segments, when its timeline ended (a newer
// timeline's segment appeared after a promotion), or when the next segment is missing (the server
// no longer had it: a gap the archive reports). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/agent/wal_names.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

struct WalGroupPlan {
  std::string group;                 // First segment file of the group.
  std::uint32_t timeline = 0;
  std::uint64_t first_segno = 0;
  std::uint64_t last_segno = 0;      // Newest segment in the upload (complete or partial).
  std::uint64_t completed = 0;       // Completed segments in the group.
  std::string partial_file;          // The segment being written ("<segment>.partial"), if any.
  std::vector<std::string> files;    // Everything to upload: segments of the group, then history files.
  // After a successful upload: the group is done; these files leave the folder and the next group
  // starts at `next_group_segno` (of `next_timeline`).
  bool seal = false;
  std::vector<std::string> remove_after_upload;
  std::string seal_reason;           // "full", "timeline ended", "gap"
};

// The current group in `files` (names in pg_receivewal's folder; other files are ignored).
// `group_start`: the group being filled (its first segment file), or empty to start with the
// oldest segment in the folder. nullopt when the folder holds no segment of that group yet; a plan
// with no files and `seal` when the group's first segment will never come (a gap, or its timeline
// ended): the streamer moves on to NextWalGroup.
std::optional<WalGroupPlan> PlanWalGroup(const std::vector<std::string>& files, const std::string& group_start,
                                         std::uint64_t group_segments,
                                         std::uint64_t segment_size = kDefaultWalSegmentSize);

// The group that follows a sealed one: the oldest segment left in the folder after the seal, or
// empty when none is there yet.
std::string NextWalGroup(const std::vector<std::string>& files_after_seal,
                         std::uint64_t segment_size = kDefaultWalSegmentSize);

// A timeline history file's switch points: "<parent tli>\t<switch lsn>\t<reason>" lines; the LSN
// where `timeline` ended (the first line naming it as a parent), or nullopt.
std::optional<std::uint64_t> TimelineSwitchPoint(const std::string& history_text, std::uint32_t timeline);

}  // namespace lifeboat::agent
