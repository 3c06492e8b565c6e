#include "operator/agent/wal_upload_plan.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace lifeboat::agent {
namespace {

struct Listed {
  std::string name;
  WalFileName parsed;
};

std::vector<Listed> Parse(const std::vector<std::string>& files, std::uint64_t segment_size) {
  std::vector<Listed> listed;
  for (const auto& name : files) {
    if (auto parsed = ParseWalFileName(name, segment_size)) listed.push_back({name, *parsed});
  }
  std::sort(listed.begin(), listed.end(), [](const Listed& a, const Listed& b) {
    if (a.parsed.timeline != b.parsed.timeline) return a.parsed.timeline < b.parsed.timeline;
    if (a.parsed.segno != b.parsed.segno) return a.parsed.segno < b.parsed.segno;
    return a.parsed.kind < b.parsed.kind;  // A completed segment before its stale ".partial".
  });
  return listed;
}

bool IsSegment(const Listed& f) { return f.parsed.kind != WalFileKind::kHistory; }

}  // namespace

std::optional<WalGroupPlan> PlanWalGroup(const std::vector<std::string>& files, const std::string& group_start,
                                         std::uint64_t group_segments, std::uint64_t segment_size) {
  std::vector<Listed> listed = Parse(files, segment_size);
  std::optional<WalFileName> start;
  if (!group_start.empty()) {
    start = ParseWalFileName(group_start, segment_size);
  } else {
    for (const auto& f : listed) {
      if (IsSegment(f)) {
        start = f.parsed;
        break;
      }
    }
  }
  if (!start) return std::nullopt;

  WalGroupPlan plan;
  plan.timeline = start->timeline;
  plan.first_segno = start->segno;
  plan.group = WalSegmentFileName(plan.timeline, plan.first_segno, segment_size);
  std::uint64_t next = plan.first_segno;  // The segment that continues the group.
  bool newer_timeline = false, beyond_gap = false;
  std::vector<std::string> completed_files;
  for (const auto& f : listed) {
    if (!IsSegment(f)) continue;
    if (f.parsed.timeline > plan.timeline) {
      newer_timeline = true;
      continue;
    }
    if (f.parsed.timeline < plan.timeline || f.parsed.segno < plan.first_segno) continue;
    if (!plan.partial_file.empty()) continue;  // Nothing of the group follows the segment being written.
    if (f.parsed.segno < next) continue;       // A stale ".partial" next to its completed segment.
    if (f.parsed.segno > next) {               // A missing segment: the server no longer had it.
      beyond_gap = true;
      break;
    }
    if (f.parsed.kind == WalFileKind::kSegment) {
      completed_files.push_back(f.name);
      plan.last_segno = f.parsed.segno;
      ++next;
      if (completed_files.size() >= group_segments) break;  // Full: the rest is the next group's.
    } else {
      plan.partial_file = f.name;
      plan.last_segno = f.parsed.segno;
    }
  }
  if (completed_files.empty() && plan.partial_file.empty()) {
    if (!beyond_gap && !newer_timeline) return std::nullopt;  // The group's first segment is not written yet.
    // The group's first segment will never come: nothing to upload, move on to what is there.
    plan.seal = true;
    plan.seal_reason = beyond_gap ? "gap" : "timeline ended";
    return plan;
  }
  plan.completed = completed_files.size();
  plan.files = completed_files;
  if (!plan.partial_file.empty()) plan.files.push_back(plan.partial_file);
  for (const auto& f : listed) {
    if (f.parsed.kind == WalFileKind::kHistory) plan.files.push_back(f.name);
  }

  if (plan.completed >= group_segments) {
    plan.seal = true;
    plan.seal_reason = "full";
    plan.remove_after_upload = completed_files;
  } else if (newer_timeline) {
    plan.seal = true;
    plan.seal_reason = "timeline ended";
    plan.remove_after_upload = completed_files;
    if (!plan.partial_file.empty()) plan.remove_after_upload.push_back(plan.partial_file);
  } else if (beyond_gap && plan.partial_file.empty()) {
    plan.seal = true;
    plan.seal_reason = "gap";
    plan.remove_after_upload = completed_files;
  }
  return plan;
}

std::string NextWalGroup(const std::vector<std::string>& files_after_seal, std::uint64_t segment_size) {
  for (const auto& f : Parse(files_after_seal, segment_size)) {
    if (IsSegment(f)) return WalSegmentFileName(f.parsed.timeline, f.parsed.segno, segment_size);
  }
  return "";
}

std::optional<std::uint64_t> TimelineSwitchPoint(const std::string& history_text, std::uint32_t timeline) {
  std::istringstream lines(history_text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    unsigned long parent = 0;
    std::string lsn;
    if (!(fields >> parent >> lsn)) continue;  // Comments and blank lines.
    if (parent != timeline) continue;
    auto parsed = ParseLsn(lsn);
    if (parsed.ok()) return *parsed;
  }
  return std::nullopt;
}

}  // namespace lifeboat::agent
