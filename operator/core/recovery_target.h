// RecoveryTarget: where a point-in-time recovery stops, as users write it ("latest", an RFC 3339
// time, or "lsn:X/Y"), and WAL positions (LSNs) as PostgreSQL writes them ("0/3009310": the high
// and low 32 bits in hexadecimal). One parser for the RestoreRequest's spec.database.recoveryTarget
// (operator validation) and the agent's --recovery-target, so the two cannot accept different
// texts. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat {

// "0/3009310" <-> 0x3009310; `separator` '-' gives the form restic tags and Kubernetes names allow
// ("0-3009310"). InvalidArgument for anything else.
StatusOr<std::uint64_t> ParseLsn(const std::string& text, char separator = '/');
// Non-empty and only hexadecimal digits (either case): LSN halves and WAL file names.
bool IsHexDigits(const std::string& text);
std::string FormatLsn(std::uint64_t lsn, char separator = '/');

struct RecoveryTarget {
  enum class Kind { kLatest, kTime, kLsn } kind = Kind::kLatest;
  WallTime time;
  std::uint64_t lsn = 0;
};
// "latest", an RFC 3339 time, or "lsn:0/3009310". InvalidArgument with a sentence naming the
// accepted forms.
StatusOr<RecoveryTarget> ParseRecoveryTarget(const std::string& text);
// The target as ParseRecoveryTarget reads it (times with microseconds, UTC).
std::string DescribeRecoveryTarget(const RecoveryTarget& target);

}  // namespace lifeboat
