#include "operator/core/duration.h"

#include <cstdint>
#include <limits>

namespace lifeboat {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t nanos;
};

// Longest names first so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // µs (U+00B5 micro sign)
    {"\xCE\xBCs", 1'000},  // μs (U+03BC greek mu), as Go accepts both
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60LL * 1'000'000'000},
    {"h", 3600LL * 1'000'000'000},
    {"d", 86400LL * 1'000'000'000},
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

StatusOr<Duration> ParseDuration(std::string_view text) {
  const std::string quoted = "\"" + std::string(text) + "\"";
  auto invalid = [&](const std::string& why) {
    return InvalidArgumentError(quoted + " is not a duration (" + why +
                                "; write e.g. \"90s\", \"6h30m\" or \"30d\")");
  };
  if (text.empty()) return invalid("empty");
  if (text == "0") return Duration::zero();
  if (text[0] == '-' || text[0] == '+') return invalid("signs are not allowed");
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  std::int64_t total = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    // Integer part.
    std::int64_t whole = 0;
    size_t digits_start = pos;
    bool overflow = false;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (whole > (kMax - 9) / 10) overflow = true;
      else whole = whole * 10 + (text[pos] - '0');
      ++pos;
    }
    bool had_whole = pos > digits_start;
    // Fraction part: keep up to 18 digits (more cannot change the nanosecond result).
    std::int64_t fraction = 0, scale = 1;
    bool had_fraction = false;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      size_t fraction_start = pos;
      while (pos < text.size() && IsDigit(text[pos])) {
        if (scale < 1'000'000'000'000'000'000LL) fraction = fraction * 10 + (text[pos] - '0'), scale *= 10;
        ++pos;
      }
      had_fraction = pos > fraction_start;
    }
    if (!had_whole && !had_fraction) return invalid("expected a number at position " + std::to_string(pos));
    if (overflow) return invalid("too large");
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(pos, candidate.name.size()) == candidate.name &&
          (unit == nullptr || candidate.name.size() > unit->name.size())) {
        unit = &candidate;
      }
    }
    if (unit == nullptr) {
      return invalid(pos >= text.size() ? "missing unit after the last number"
                                        : "unknown unit at position " + std::to_string(pos));
    }
    pos += unit->name.size();
    if (whole > kMax / unit->nanos) return invalid("too large");
    std::int64_t value = whole * unit->nanos;
    if (had_fraction) {
      // fraction/scale * nanos, computed without overflow: nanos <= 8.64e13 and scale <= 1e18.
      long double part = static_cast<long double>(fraction) * unit->nanos / scale;
      value += static_cast<std::int64_t>(part);
    }
    if (value < 0 || total > kMax - value) return invalid("too large");
    total += value;
  }
  return Duration(total);
}

std::string FormatDuration(Duration duration) {
  std::int64_t ns = duration.count();
  if (ns == 0) return "0s";
  std::string out;
  if (ns < 0) {
    out = "-";
    ns = -ns;
  }
  constexpr std::int64_t kSecond = 1'000'000'000;
  if (ns < kSecond) {
    if (ns % 1'000'000 == 0) return out + std::to_string(ns / 1'000'000) + "ms";
    if (ns % 1'000 == 0) return out + std::to_string(ns / 1'000) + "us";
    return out + std::to_string(ns) + "ns";
  }
  std::int64_t seconds = ns / kSecond, sub = ns % kSecond;
  std::int64_t days = seconds / 86400, hours = seconds % 86400 / 3600, minutes = seconds % 3600 / 60;
  std::int64_t secs = seconds % 60;
  if (days) out += std::to_string(days) + "d";
  if (hours) out += std::to_string(hours) + "h";
  if (minutes) out += std::to_string(minutes) + "m";
  if (secs || sub) {
    out += std::to_string(secs);
    if (sub) {
      std::string digits = std::to_string(sub);
      digits.insert(0, 9 - digits.size(), '0');
      while (!digits.empty() && digits.back() == '0') digits.pop_back();
      out += "." + digits;
    }
    out += "s";
  }
  return out;
}

}  // namespace lifeboat
