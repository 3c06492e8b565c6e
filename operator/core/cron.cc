#include "operator/core/cron.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <sstream>
#include <vector>

namespace lifeboat {
namespace {

// How far Next/Previous look for a matching day before concluding "never": nine years covers the
// longest gap between two 29ths of February (2096 -> 2104).
constexpr int kSearchDays = 9 * 366;

struct FieldSpec {
  const char* name;
  int min;
  int max;
  const char* const* names;  // Names for values min.., or nullptr.
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kWeekdayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kFields[] = {
    {"minute", 0, 59, nullptr},       {"hour", 0, 23, nullptr},
    {"day of month", 1, 31, nullptr}, {"month", 1, 12, kMonthNames},
    {"day of week", 0, 6, kWeekdayNames},
};

std::string Upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string current;
  for (char c : text) {
    if (c == separator) {
      parts.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  parts.push_back(current);
  return parts;
}

StatusOr<int> ParseValue(const std::string& text, const FieldSpec& field) {
  auto error = [&](const std::string& why) { return InvalidArgumentError(std::string(field.name) + ": " + why); };
  if (text.empty()) return error("empty value");
  if (std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (text.size() > 3) return error(text + " is out of range " + std::to_string(field.min) + "-" + std::to_string(field.max));
    int value = std::stoi(text);
    if (value < field.min || value > field.max) {
      return error(text + " is out of range " + std::to_string(field.min) + "-" + std::to_string(field.max));
    }
    return value;
  }
  if (field.names != nullptr) {
    std::string upper = Upper(text);
    for (int i = 0; i <= field.max - field.min; ++i) {
      if (upper == field.names[i]) return field.min + i;
    }
  }
  return error("\"" + text + "\" is not a number" + (field.names ? " or a name" : std::string()));
}

// Parses one field into `bits` (indexed by value). Returns whether the field starts with * or ?.
template <size_t N>
StatusOr<bool> ParseField(const std::string& text, const FieldSpec& field, bool allow_question, std::bitset<N>& bits) {
  auto error = [&](const std::string& why) { return InvalidArgumentError(std::string(field.name) + ": " + why); };
  bool star = !text.empty() && (text[0] == '*' || text[0] == '?');
  for (const std::string& item : Split(text, ',')) {
    if (item.empty()) return error("empty list item in \"" + text + "\"");
    std::vector<std::string> step_parts = Split(item, '/');
    if (step_parts.size() > 2) return error("\"" + item + "\" has more than one '/'");
    int low = 0, high = 0, step = 1;
    const std::string& range = step_parts[0];
    if (range == "*" || range == "?") {
      if (range == "?" && !allow_question) return error("'?' is only allowed in the day fields");
      low = field.min;
      high = field.max;
    } else {
      std::vector<std::string> bounds = Split(range, '-');
      if (bounds.size() > 2) return error("\"" + range + "\" is not a range a-b");
      StatusOr<int> first = ParseValue(bounds[0], field);
      if (!first.ok()) return first.status();
      low = high = *first;
      if (bounds.size() == 2) {
        StatusOr<int> last = ParseValue(bounds[1], field);
        if (!last.ok()) return last.status();
        high = *last;
        if (high < low) return error("range \"" + range + "\" ends before it starts");
      } else if (step_parts.size() == 2) {
        high = field.max;  // "a/n" means a, a+n, ... up to the maximum.
      }
    }
    if (step_parts.size() == 2) {
      const std::string& step_text = step_parts[1];
      if (step_text.empty() || step_text.size() > 3 ||
          !std::all_of(step_text.begin(), step_text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        return error("step \"" + step_text + "\" is not a positive number");
      }
      step = std::stoi(step_text);
      if (step == 0) return error("step must be positive");
      if (step > field.max - field.min + 1) {
        return error("step " + step_text + " is larger than the field's range");
      }
    }
    for (int v = low; v <= high; v += step) bits.set(static_cast<size_t>(v));
  }
  return star;
}

std::string ExpandMacro(const std::string& expression) {
  std::string lower = expression;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "@yearly" || lower == "@annually") return "0 0 1 1 *";
  if (lower == "@monthly") return "0 0 1 * *";
  if (lower == "@weekly") return "0 0 * * 0";
  if (lower == "@daily" || lower == "@midnight") return "0 0 * * *";
  if (lower == "@hourly") return "0 * * * *";
  return "";
}

const date::time_zone* LocateZone(const std::string& name) {
  try {
    return date::locate_zone(name.empty() ? "UTC" : name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

bool CronSchedule::IsValidTimeZone(const std::string& name) { return !name.empty() && LocateZone(name) != nullptr; }

StatusOr<CronSchedule> CronSchedule::Parse(const std::string& expression, const std::string& time_zone) {
  CronSchedule schedule;
  schedule.expression_ = expression;
  schedule.time_zone_name_ = time_zone.empty() ? "UTC" : time_zone;
  schedule.zone_ = LocateZone(time_zone);
  if (schedule.zone_ == nullptr) {
    return InvalidArgumentError("unknown time zone \"" + time_zone + "\" (use an IANA name such as Europe/Berlin)");
  }
  std::string text = expression;
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
  if (text.empty()) return InvalidArgumentError("empty schedule");
  if (text.rfind("TZ=", 0) == 0 || text.rfind("CRON_TZ=", 0) == 0) {
    return InvalidArgumentError("TZ= and CRON_TZ= prefixes are not supported; use the timeZone field");
  }
  if (text[0] == '@') {
    std::string expanded = ExpandMacro(text);
    if (expanded.empty()) {
      return InvalidArgumentError("unknown macro \"" + text +
                                  "\" (supported: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)");
    }
    text = expanded;
  }
  std::vector<std::string> fields;
  std::istringstream stream(text);
  for (std::string field; stream >> field;) fields.push_back(field);
  if (fields.size() != 5) {
    return InvalidArgumentError("expected 5 fields (minute hour day-of-month month day-of-week), got " +
                                std::to_string(fields.size()));
  }
  StatusOr<bool> star = ParseField(fields[0], kFields[0], false, schedule.minutes_);
  if (!star.ok()) return star.status();
  star = ParseField(fields[1], kFields[1], false, schedule.hours_);
  if (!star.ok()) return star.status();
  star = ParseField(fields[2], kFields[2], true, schedule.days_of_month_);
  if (!star.ok()) return star.status();
  schedule.day_of_month_star_ = *star;
  star = ParseField(fields[3], kFields[3], false, schedule.months_);
  if (!star.ok()) return star.status();
  star = ParseField(fields[4], kFields[4], true, schedule.weekdays_);
  if (!star.ok()) return star.status();
  schedule.weekday_star_ = *star;
  return schedule;
}

bool CronSchedule::DayMatches(int day_of_month, int month, int weekday) const {
  if (!months_.test(static_cast<size_t>(month))) return false;
  bool dom = days_of_month_.test(static_cast<size_t>(day_of_month));
  bool dow = weekdays_.test(static_cast<size_t>(weekday));
  if (day_of_month_star_ || weekday_star_) return dom && dow;
  return dom || dow;
}

namespace {

// Every instant at which the schedule fires on local day `day`, ascending.
template <typename Schedule>
std::vector<WallTime> InstantsOnDay(const Schedule& minutes, const std::bitset<24>& hours, const date::time_zone& zone,
                                    date::local_days day) {
  std::vector<WallTime> instants;
  for (int h = 0; h < 24; ++h) {
    if (!hours.test(static_cast<size_t>(h))) continue;
    for (int m = 0; m < 60; ++m) {
      if (!minutes.test(static_cast<size_t>(m))) continue;
      date::local_seconds local = day + std::chrono::hours(h) + std::chrono::minutes(m);
      date::local_info info = zone.get_info(local);
      switch (info.result) {
        case date::local_info::unique:
          instants.push_back(date::sys_seconds{local.time_since_epoch() - info.first.offset});
          break;
        case date::local_info::ambiguous:  // Fall back: the wall-clock time happens twice.
          instants.push_back(date::sys_seconds{local.time_since_epoch() - info.first.offset});
          instants.push_back(date::sys_seconds{local.time_since_epoch() - info.second.offset});
          break;
        case date::local_info::nonexistent:  // Spring forward: skipped, as Kubernetes does.
          break;
      }
    }
  }
  std::sort(instants.begin(), instants.end());
  return instants;
}

}  // namespace

std::optional<WallTime> CronSchedule::Next(WallTime after) const {
  // Local days are scanned in order; all instants of one local day precede those of the next
  // (offsets change by far less than a day), so the first day with a candidate wins. Start a day
  // early: `after` may fall before the start of its local day's first instant in another offset.
  auto local_after = zone_->to_local(date::floor<std::chrono::seconds>(after));
  date::local_days day = date::floor<date::days>(local_after) - date::days(1);
  for (int i = 0; i < kSearchDays; ++i, day += date::days(1)) {
    date::year_month_day ymd{day};
    date::weekday weekday{day};
    if (!DayMatches(static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(static_cast<unsigned>(ymd.month())),
                    static_cast<int>(weekday.c_encoding()))) {
      continue;
    }
    for (WallTime instant : InstantsOnDay(minutes_, hours_, *zone_, day)) {
      if (instant > after) return instant;
    }
  }
  return std::nullopt;
}

CronSchedule::Missed CronSchedule::MostRecent(WallTime since, WallTime now, int count_limit) const {
  Missed missed;
  if (now <= since) return missed;
  // Most recent: scan local days backwards from now.
  auto local_now = zone_->to_local(date::floor<std::chrono::seconds>(now));
  date::local_days day = date::floor<date::days>(local_now) + date::days(1);
  for (int i = 0; i < kSearchDays; ++i, day -= date::days(1)) {
    date::year_month_day ymd{day};
    date::weekday weekday{day};
    if (!DayMatches(static_cast<int>(static_cast<unsigned>(ymd.day())), static_cast<int>(static_cast<unsigned>(ymd.month())),
                    static_cast<int>(weekday.c_encoding()))) {
      continue;
    }
    std::vector<WallTime> instants = InstantsOnDay(minutes_, hours_, *zone_, day);
    auto it = std::upper_bound(instants.begin(), instants.end(), now);
    if (it != instants.begin()) {
      WallTime candidate = *std::prev(it);
      if (candidate > since) missed.most_recent = candidate;
      break;
    }
    // A whole local day lies before `since`: nothing more to find.
    if (zone_->to_sys(day, date::choose::earliest) + std::chrono::hours(48) < since) break;
  }
  if (!missed.most_recent) return missed;
  for (std::optional<WallTime> t = Next(since); t && *t <= now && missed.count < count_limit; t = Next(*t)) {
    ++missed.count;
  }
  return missed;
}

}  // namespace lifeboat
