#include "operator/core/time_format.h"

#include <date/date.h>

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace lifeboat {

std::string FormatRfc3339(WallTime time) {
  return date::format("%FT%TZ", date::floor<std::chrono::seconds>(time));
}

std::string FormatRfc3339Micro(WallTime time) {
  return date::format("%FT%TZ", date::floor<std::chrono::microseconds>(time));
}

StatusOr<WallTime> ParseRfc3339(const std::string& text) {
  auto invalid = [&] {
    return InvalidArgumentError("\"" + text + "\" is not an RFC 3339 timestamp such as 2026-11-22T01:02:03Z");
  };
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &consumed) != 6 || consumed != 19) {
    return invalid();
  }
  date::year_month_day ymd{date::year{year}, date::month(static_cast<unsigned>(month)),
                           date::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return invalid();
  WallTime result = date::sys_days{ymd} + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                    std::chrono::seconds(second);
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t micros = 0;
    int digits = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      if (digits < 6) micros = micros * 10 + (text[pos] - '0'), ++digits;
      ++pos;
    }
    if (digits == 0) return invalid();
    for (; digits < 6; ++digits) micros *= 10;
    result += std::chrono::microseconds(micros);
  }
  std::string zone = text.substr(pos);
  if (zone == "Z" || zone == "z") return result;
  int offset_hours = 0, offset_minutes = 0;
  char sign = 0;
  if (zone.size() == 6 && std::sscanf(zone.c_str(), "%c%2d:%2d", &sign, &offset_hours, &offset_minutes) == 3 &&
      (sign == '+' || sign == '-')) {
    auto offset = std::chrono::hours(offset_hours) + std::chrono::minutes(offset_minutes);
    return sign == '+' ? result - offset : result + offset;
  }
  return invalid();
}

}  // namespace lifeboat
