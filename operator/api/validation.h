// Validation: the field-level rules shared by the four resources (names, schedules, time zones,
// durations, paths, quantities, label selectors). Each adds FieldErrors at the given path and
// returns whether the value was valid. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "operator/api/field_errors.h"
#include "operator/core/duration.h"

namespace lifeboat::api {

// RFC 1123 subdomain (Secret, claim, workload names): lowercase, at most 253 characters.
bool ValidateDnsSubdomain(const std::string& value, const std::string& path, FieldErrors* errors);
// RFC 1123 label (source and check names, Service names): at most 63 characters.
bool ValidateDnsLabel(const std::string& value, const std::string& path, FieldErrors* errors);
// A cron expression (see operator/core/cron.h) in `time_zone` (already validated, or "" = UTC).
bool ValidateSchedule(const std::string& value, const std::string& time_zone, const std::string& path,
                      FieldErrors* errors);
// An IANA time zone name known to the system's tz database.
bool ValidateTimeZone(const std::string& value, const std::string& path, FieldErrors* errors);
// A duration (operator/core/duration.h); `positive` rejects zero. Returns the parsed value.
std::optional<Duration> ValidateDuration(const std::string& value, const std::string& path, bool positive,
                                         FieldErrors* errors);
// A relative path inside a volume: not absolute, no ".." segment.
bool ValidateSubPath(const std::string& value, const std::string& path, FieldErrors* errors);
// A resource quantity such as 10Gi or 500M.
bool ValidateQuantity(const std::string& value, const std::string& path, FieldErrors* errors);
// A label key (optional DNS prefix + '/' + name) and value.
bool ValidateLabel(const std::string& key, const std::string& value, const std::string& path, FieldErrors* errors);

}  // namespace lifeboat::api
