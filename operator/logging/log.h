// Structured logging for the operator: one line per record, JSON by default
//   {"ts":"2026-11-22T01:02:03.123456Z","level":"info","msg":"Reconciled","controller":"x",...}
// or, for people, text ("2026-11-22T01:02:03.123456Z INFO Reconciled controller=x ...").
// Messages are Kubernetes style: capitalised, no trailing period, details as key=value fields.
// Secrets never reach the output: fields whose key names a secret (token, password, secret, key
// data, authorization) are replaced by "[redacted]", "Bearer <token>" in any text is masked, and
// RedactObject() masks Secret data before an object is logged. Thread-safe (spdlog underneath).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "operator/core/status.h"

namespace spdlog::sinks {
class sink;
}

namespace lifeboat::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kOff };
enum class Format { kJson, kText };

struct Field {
  Field(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, int64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, int v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, uint64_t v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, double v);
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}
  Field(std::string_view k, const Status& status) : key(k), value(status.ToString()) {}

  std::string_view key;
  std::string value;
  bool quoted = true;  // JSON: string (true) or bare number/boolean (false).
};

// Parses "json"/"text" and "trace"/"debug"/"info"/"warn"/"error"; InvalidArgument otherwise.
StatusOr<Format> ParseFormat(std::string_view text);
StatusOr<Level> ParseLevel(std::string_view text);

// Installs the process logger writing to standard error.
void Setup(Format format, Level level);
// Replaces the output sink (tests capture lines this way); keeps format and level.
void SetSinkForTesting(std::shared_ptr<spdlog::sinks::sink> sink, Format format, Level level);

bool Enabled(Level level);
void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {});
void Write(Level level, std::string_view message, const std::vector<Field>& fields);

inline void Trace(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kTrace, m, f); }
inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kDebug, m, f); }
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kInfo, m, f); }
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kWarn, m, f); }
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) { Write(Level::kError, m, f); }

// Formats one record (without a trailing newline). Exposed for tests.
std::string FormatRecord(Format format, std::string_view timestamp, Level level, std::string_view message,
                         const Field* fields_begin, const Field* fields_end);

// True for keys whose values must never be logged ("token", "password", "authorization", ...).
bool IsSecretKey(std::string_view key);
// Masks "Bearer <token>" and "Basic <credentials>" inside free text.
std::string MaskCredentials(std::string_view text);
// A copy of a Kubernetes object safe to log: a Secret's data/stringData values become
// "[redacted]" and metadata.managedFields is dropped.
nlohmann::json RedactObject(const nlohmann::json& object);

}  // namespace lifeboat::log
