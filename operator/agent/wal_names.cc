#include "operator/agent/wal_names.h"

#include <cstdio>

namespace lifeboat::agent {
namespace {

std::uint64_t Hex(const std::string& text) { return std::stoull(text, nullptr, 16); }

std::string Hex8(std::uint64_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%08llX", static_cast<unsigned long long>(value & 0xFFFFFFFFull));
  return buffer;
}

// Segments per "logical WAL file" (the upper half of the name counts these).
std::uint64_t SegmentsPerId(std::uint64_t segment_size) { return 0x100000000ull / segment_size; }

}  // namespace

std::string LsnTagValue(std::uint64_t lsn) { return FormatLsn(lsn, '-'); }
StatusOr<std::uint64_t> ParseLsnTagValue(const std::string& text) { return ParseLsn(text, '-'); }

std::optional<WalFileName> ParseWalFileName(const std::string& name, std::uint64_t segment_size) {
  const std::string history_suffix = ".history", partial_suffix = ".partial";
  if (name.size() == 8 + history_suffix.size() && name.compare(8, std::string::npos, history_suffix) == 0) {
    std::string timeline = name.substr(0, 8);
    if (!IsHexDigits(timeline)) return std::nullopt;
    return WalFileName{WalFileKind::kHistory, static_cast<std::uint32_t>(Hex(timeline)), 0};
  }
  WalFileKind kind = WalFileKind::kSegment;
  std::string base = name;
  if (name.size() == 24 + partial_suffix.size() && name.compare(24, std::string::npos, partial_suffix) == 0) {
    kind = WalFileKind::kPartialSegment;
    base = name.substr(0, 24);
  }
  if (base.size() != 24 || !IsHexDigits(base)) return std::nullopt;
  std::uint64_t low = Hex(base.substr(16, 8));
  if (low >= SegmentsPerId(segment_size)) return std::nullopt;
  std::uint64_t segno = Hex(base.substr(8, 8)) * SegmentsPerId(segment_size) + low;
  return WalFileName{kind, static_cast<std::uint32_t>(Hex(base.substr(0, 8))), segno};
}

std::string WalSegmentFileName(std::uint32_t timeline, std::uint64_t segno, std::uint64_t segment_size) {
  return Hex8(timeline) + Hex8(segno / SegmentsPerId(segment_size)) + Hex8(segno % SegmentsPerId(segment_size));
}

std::string TimelineHistoryFileName(std::uint32_t timeline) { return Hex8(timeline) + ".history"; }

}  // namespace lifeboat::agent
