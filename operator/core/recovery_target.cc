#include "operator/core/recovery_target.h"

#include <cstdio>

#include "operator/core/time_format.h"

namespace lifeboat {
bool IsHexDigits(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

StatusOr<std::uint64_t> ParseLsn(const std::string& text, char separator) {
  auto split = text.find(separator);
  std::string high = split == std::string::npos ? "" : text.substr(0, split);
  std::string low = split == std::string::npos ? "" : text.substr(split + 1);
  if (!IsHexDigits(high) || !IsHexDigits(low) || high.size() > 8 || low.size() > 8) {
    return InvalidArgumentError("WAL position \"" + text + "\" is not of the form X" + separator + "Y (hexadecimal)");
  }
  return (std::stoull(high, nullptr, 16) << 32) | std::stoull(low, nullptr, 16);
}

std::string FormatLsn(std::uint64_t lsn, char separator) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%llX%c%llX", static_cast<unsigned long long>(lsn >> 32), separator,
                static_cast<unsigned long long>(lsn & 0xFFFFFFFFull));
  return buffer;
}

StatusOr<RecoveryTarget> ParseRecoveryTarget(const std::string& text) {
  RecoveryTarget target;
  if (text == "latest") return target;
  if (text.rfind("lsn:", 0) == 0) {
    auto lsn = ParseLsn(text.substr(4));
    if (!lsn.ok()) return lsn.status();
    target.kind = RecoveryTarget::Kind::kLsn;
    target.lsn = *lsn;
    return target;
  }
  auto time = ParseRfc3339(text);
  if (!time.ok()) {
    return InvalidArgumentError("recovery target \"" + text + "\" is not \"latest\", an RFC 3339 time or lsn:X/Y");
  }
  target.kind = RecoveryTarget::Kind::kTime;
  target.time = *time;
  return target;
}

std::string DescribeRecoveryTarget(const RecoveryTarget& target) {
  switch (target.kind) {
    case RecoveryTarget::Kind::kLatest: return "latest";
    case RecoveryTarget::Kind::kTime: return FormatRfc3339Micro(target.time);
    case RecoveryTarget::Kind::kLsn: return "lsn:" + FormatLsn(target.lsn);
  }
  return "latest";
}

}  // namespace lifeboat
