// CronSchedule: a parsed standard 5-field cron expression (minute hour day-of-month month
// day-of-week) or an @-macro (@yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly),
// evaluated in an IANA time zone, with the semantics of a Kubernetes CronJob with `timeZone`
// (robfig/cron v3):
//   - fields accept `*`, `?` (day fields only), numbers, ranges `a-b`, steps `*/n` and `a-b/n` and
//     `a/n` (from a to the field's maximum), lists `a,b`, month names JAN-DEC and weekday names
//     SUN-SAT (case-insensitive); weekday 0 is Sunday and 7 is rejected, as Kubernetes does;
//   - when both day-of-month and day-of-week are restricted (neither starts with `*` or `?`), a day
//     matches if either matches; otherwise both must match;
//   - a run fires at every instant whose wall-clock time in the zone matches: a wall-clock time
//     skipped by a spring-forward transition does not fire that day, and a wall-clock time repeated
//     by a fall-back transition fires twice (once at each offset).
// `TZ=`/`CRON_TZ=` prefixes are rejected (use the timeZone field), as Kubernetes does.
// Immutable after Parse; thread-safe.
#pragma once

#include <bitset>
#include <chrono>
#include <optional>
#include <string>

#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace date {
class time_zone;
}

namespace lifeboat {

class CronSchedule {
 public:
  // Parses `expression` for the IANA zone `time_zone` ("" means UTC). Errors name the offending
  // field and value, e.g. "hour: 24 is out of range 0-23".
  static StatusOr<CronSchedule> Parse(const std::string& expression, const std::string& time_zone = "");

  // True if `name` is a time zone in the system's IANA database ("Europe/Berlin", "UTC").
  static bool IsValidTimeZone(const std::string& name);

  // The first scheduled instant strictly after `after` (at whole-minute resolution), or nullopt
  // if the expression can never fire again (e.g. "0 0 30 2 *").
  std::optional<WallTime> Next(WallTime after) const;

  // What a controller needs at a reconcile: the most recent scheduled instant in (since, now] and
  // how many scheduled instants fell in that window (counting stops at `count_limit`, and the
  // most recent is then still exact). A missed-run count above 1 means runs were skipped.
  struct Missed {
    std::optional<WallTime> most_recent;
    int count = 0;
  };
  Missed MostRecent(WallTime since, WallTime now, int count_limit = 100) const;

  const std::string& expression() const { return expression_; }
  const std::string& time_zone_name() const { return time_zone_name_; }

 private:
  CronSchedule() = default;
  bool DayMatches(int day_of_month, int month, int weekday) const;

  std::string expression_;
  std::string time_zone_name_;
  const date::time_zone* zone_ = nullptr;  // Owned by the process-wide tz database.
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // 1..31
  std::bitset<13> months_;         // 1..12
  std::bitset<7> weekdays_;        // 0 = Sunday
  bool day_of_month_star_ = false;
  bool weekday_star_ = false;
};

}  // namespace lifeboat
