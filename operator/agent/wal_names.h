// WAL positions and file names as PostgreSQL writes them: an LSN ("0/3009310", a 64-bit byte
// position), a segment file ("000000010000000000000003": timeline, then the segment number split
// in two 8-digit halves), a segment pg_receivewal is still writing ("<segment>.partial") and a
// timeline history file ("00000002.history"). The split of the segment number depends on the
// server's segment size (16 MiB unless initdb chose another). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "operator/core/recovery_target.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

inline constexpr std::uint64_t kDefaultWalSegmentSize = 16ull * 1024 * 1024;

// "0/3009310" <-> 0x3009310: ParseLsn and FormatLsn of operator/core/recovery_target.h.
using ::lifeboat::FormatLsn;
using ::lifeboat::ParseLsn;
// The same position in a form restic tags and Kubernetes names allow ("0-3009310").
std::string LsnTagValue(std::uint64_t lsn);
StatusOr<std::uint64_t> ParseLsnTagValue(const std::string& text);

enum class WalFileKind { kSegment, kPartialSegment, kHistory };

struct WalFileName {
  WalFileKind kind = WalFileKind::kSegment;
  std::uint32_t timeline = 0;
  std::uint64_t segno = 0;  // Segments only.
};

// What a file in a WAL folder is; nullopt for anything else (temporary files, ".partial" of a
// history file, wrong lengths or non-hex digits).
std::optional<WalFileName> ParseWalFileName(const std::string& name, std::uint64_t segment_size = kDefaultWalSegmentSize);

// "000000010000000000000003" for timeline 1, segment 3.
std::string WalSegmentFileName(std::uint32_t timeline, std::uint64_t segno,
                               std::uint64_t segment_size = kDefaultWalSegmentSize);
// "00000002.history".
std::string TimelineHistoryFileName(std::uint32_t timeline);

// The segment holding the byte at `lsn`, and where a segment starts.
inline std::uint64_t SegmentOf(std::uint64_t lsn, std::uint64_t segment_size = kDefaultWalSegmentSize) {
  return lsn / segment_size;
}
inline std::uint64_t SegmentStart(std::uint64_t segno, std::uint64_t segment_size = kDefaultWalSegmentSize) {
  return segno * segment_size;
}

}  // namespace lifeboat::agent
