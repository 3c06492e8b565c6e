#include "operator/api/validation.h"

#include <regex>

#include "operator/core/cron.h"

namespace lifeboat::api {
namespace {

const std::regex& LabelRegex() {
  static const std::regex kLabel("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  return kLabel;
}

}  // namespace

bool ValidateDnsSubdomain(const std::string& value, const std::string& path, FieldErrors* errors) {
  static const std::regex kSubdomain("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  if (value.empty()) {
    errors->Required(path);
    return false;
  }
  if (value.size() > 253 || !std::regex_match(value, kSubdomain)) {
    errors->Invalid(path, Quote(value),
                    "must be a lowercase RFC 1123 subdomain (letters, digits, '-' and '.', at most 253 characters)");
    return false;
  }
  return true;
}

bool ValidateDnsLabel(const std::string& value, const std::string& path, FieldErrors* errors) {
  if (value.empty()) {
    errors->Required(path);
    return false;
  }
  if (value.size() > 63 || !std::regex_match(value, LabelRegex())) {
    errors->Invalid(path, Quote(value),
                    "must be a lowercase RFC 1123 label (letters, digits and '-', at most 63 characters)");
    return false;
  }
  return true;
}

bool ValidateTimeZone(const std::string& value, const std::string& path, FieldErrors* errors) {
  if (CronSchedule::IsValidTimeZone(value)) return true;
  errors->Invalid(path, Quote(value), "unknown time zone; use an IANA name such as Europe/Berlin or UTC");
  return false;
}

bool ValidateSchedule(const std::string& value, const std::string& time_zone, const std::string& path,
                      FieldErrors* errors) {
  StatusOr<CronSchedule> schedule = CronSchedule::Parse(value, CronSchedule::IsValidTimeZone(time_zone) ? time_zone : "");
  if (schedule.ok()) return true;
  errors->Invalid(path, Quote(value), schedule.status().message());
  return false;
}

std::optional<Duration> ValidateDuration(const std::string& value, const std::string& path, bool positive,
                                         FieldErrors* errors) {
  StatusOr<Duration> parsed = ParseDuration(value);
  if (!parsed.ok()) {
    errors->Invalid(path, Quote(value), "must be a duration such as 90s, 6h30m or 30d");
    return std::nullopt;
  }
  if (positive && parsed->count() == 0) {
    errors->Invalid(path, Quote(value), "must be greater than zero");
    return std::nullopt;
  }
  return *parsed;
}

bool ValidateSubPath(const std::string& value, const std::string& path, FieldErrors* errors) {
  if (value.empty()) return true;
  if (value[0] == '/') {
    errors->Invalid(path, Quote(value), "must be a relative path inside the volume");
    return false;
  }
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find('/', start);
    if (end == std::string::npos) end = value.size();
    if (value.substr(start, end - start) == "..") {
      errors->Invalid(path, Quote(value), "must not contain '..'");
      return false;
    }
    start = end + 1;
  }
  return true;
}

bool ValidateQuantity(const std::string& value, const std::string& path, FieldErrors* errors) {
  static const std::regex kQuantity(
      "^([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][-+]?[0-9]+))?$");
  if (std::regex_match(value, kQuantity)) return true;
  errors->Invalid(path, Quote(value), "must be a quantity such as 10Gi or 500M");
  return false;
}

bool ValidateLabel(const std::string& key, const std::string& value, const std::string& path, FieldErrors* errors) {
  static const std::regex kName("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
  static const std::regex kPrefix("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  bool ok = true;
  std::string name = key;
  size_t slash = key.find('/');
  if (slash != std::string::npos) {
    std::string prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 253 || !std::regex_match(prefix, kPrefix)) ok = false;
  }
  if (name.empty() || name.size() > 63 || !std::regex_match(name, kName)) ok = false;
  if (!ok) {
    errors->Invalid(path, Quote(key), "must be a label key such as app or app.kubernetes.io/name");
    return false;
  }
  if (!value.empty() && (value.size() > 63 || !std::regex_match(value, kName))) {
    errors->Invalid(path + "." + key, Quote(value), "must be a label value (at most 63 letters, digits, '-', '_', '.')");
    return false;
  }
  return true;
}

}  // namespace lifeboat::api
