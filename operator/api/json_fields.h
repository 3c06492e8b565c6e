// JsonFields: typed, path-aware reading and writing of JSON objects for the API types. A
// FieldReader reads one JSON object at a field path; a missing optional field yields nullopt, a
// field of the wrong type or a missing required field adds a FieldError and yields nullopt, so
// parsing never throws and reports every problem at once. The writers omit unset optionals and
// empty collections, as Go's `omitempty` does. Thread-compatible.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/api/field_errors.h"
#include "operator/core/clock.h"

namespace lifeboat::api {

class FieldReader {
 public:
  // `object` must outlive the reader. If it is not a JSON object (and not null), a type error is
  // recorded at `path`.
  FieldReader(const nlohmann::json& object, std::string path, FieldErrors* errors);

  const std::string& path() const { return path_; }
  std::string PathOf(const std::string& key) const;
  bool Has(const std::string& key) const;
  FieldErrors* errors() const { return errors_; }

  std::optional<std::string> String(const std::string& key, bool required = false) const;
  std::optional<std::int64_t> Int(const std::string& key, bool required = false) const;
  std::optional<bool> Bool(const std::string& key) const;
  // RFC 3339 timestamp.
  std::optional<WallTime> Time(const std::string& key, bool required = false) const;
  // A string that must be one of `allowed`.
  std::optional<std::string> Enum(const std::string& key, const std::vector<std::string>& allowed,
                                  bool required = false) const;
  std::vector<std::string> StringList(const std::string& key, bool required = false) const;
  std::map<std::string, std::string> StringMap(const std::string& key) const;
  // The raw value (for embedded Kubernetes shapes kept as JSON), or null.
  nlohmann::json Raw(const std::string& key) const;

  // A reader for the nested object at `key` (nullopt if absent; a Required error if `required`).
  std::optional<FieldReader> Object(const std::string& key, bool required = false) const;
  // Readers for each element of the array at `key` ("key[0]", ...).
  std::vector<FieldReader> ObjectList(const std::string& key, bool required = false) const;

 private:
  const nlohmann::json* Get(const std::string& key, bool required) const;

  const nlohmann::json& object_;
  std::string path_;
  FieldErrors* errors_;
};

// Writers: no-ops for nullopt / empty values.
void PutString(nlohmann::json& j, const char* key, const std::string& value);
void PutString(nlohmann::json& j, const char* key, const std::optional<std::string>& value);
void PutInt(nlohmann::json& j, const char* key, const std::optional<std::int64_t>& value);
void PutBool(nlohmann::json& j, const char* key, const std::optional<bool>& value);
// Kubernetes writes times to the second; a Failover's steps take fractions of one, so its status
// keeps microseconds (RFC 3339 allows them; every client reads them).
enum class TimePrecision { kSeconds, kMicroseconds };
void PutTime(nlohmann::json& j, const char* key, const std::optional<WallTime>& value,
             TimePrecision precision = TimePrecision::kSeconds);
void PutStringList(nlohmann::json& j, const char* key, const std::vector<std::string>& value);
void PutStringMap(nlohmann::json& j, const char* key, const std::map<std::string, std::string>& value);

}  // namespace lifeboat::api
