#include "operator/logging/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace lifeboat::log {
namespace {

struct State {
  std::mutex mutex;
  std::shared_ptr<spdlog::logger> logger;
  std::atomic<Format> format{Format::kJson};
  std::atomic<Level> level{Level::kInfo};
};

State& GlobalState() {
  static State* state = [] {
    auto* s = new State;
    s->logger = std::make_shared<spdlog::logger>("lifeboat", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    s->logger->set_pattern("%v");
    s->logger->set_level(spdlog::level::trace);
    return s;
  }();
  return *state;
}

const char* LevelName(Level level, bool upper) {
  switch (level) {
    case Level::kTrace: return upper ? "TRACE" : "trace";
    case Level::kDebug: return upper ? "DEBUG" : "debug";
    case Level::kInfo: return upper ? "INFO" : "info";
    case Level::kWarn: return upper ? "WARN" : "warn";
    case Level::kError: return upper ? "ERROR" : "error";
    case Level::kOff: return upper ? "OFF" : "off";
  }
  return "info";
}

std::string NowTimestamp() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long>(micros));
  return buffer;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool NeedsQuotes(std::string_view value) {
  if (value.empty()) return true;
  for (unsigned char c : value) {
    if (std::isspace(c) || c == '"' || c == '=' || c < 0x20) return true;
  }
  return false;
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k), quoted(false) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", v);
  value = buffer;
}

StatusOr<Format> ParseFormat(std::string_view text) {
  if (text == "json") return Format::kJson;
  if (text == "text") return Format::kText;
  return InvalidArgumentError("log format \"" + std::string(text) + "\" is not json or text");
}

StatusOr<Level> ParseLevel(std::string_view text) {
  std::string lower = Lower(text);
  if (lower == "trace") return Level::kTrace;
  if (lower == "debug") return Level::kDebug;
  if (lower == "info") return Level::kInfo;
  if (lower == "warn" || lower == "warning") return Level::kWarn;
  if (lower == "error") return Level::kError;
  if (lower == "off") return Level::kOff;
  return InvalidArgumentError("log level \"" + std::string(text) + "\" is not trace, debug, info, warn, error or off");
}

void Setup(Format format, Level level) {
  State& state = GlobalState();
  state.format = format;
  state.level = level;
}

void SetSinkForTesting(std::shared_ptr<spdlog::sinks::sink> sink, Format format, Level level) {
  State& state = GlobalState();
  std::lock_guard lock(state.mutex);
  auto logger = std::make_shared<spdlog::logger>("lifeboat", std::move(sink));
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::trace);
  std::atomic_store(&state.logger, logger);
  state.format = format;
  state.level = level;
}

bool Enabled(Level level) { return level != Level::kOff && level >= GlobalState().level.load(); }

bool IsSecretKey(std::string_view key) {
  std::string lower = Lower(key);
  for (std::string_view marker : {"token", "password", "passwd", "secret", "authorization", "credential",
                                  "private", "apikey", "api_key"}) {
    if (lower.find(marker) != std::string::npos) return true;
  }
  return false;
}

std::string MaskCredentials(std::string_view text) {
  std::string out(text);
  for (std::string_view scheme : {"Bearer ", "bearer ", "Basic ", "basic "}) {
    size_t pos = 0;
    while ((pos = out.find(scheme, pos)) != std::string::npos) {
      size_t start = pos + scheme.size();
      size_t end = start;
      while (end < out.size() && !std::isspace(static_cast<unsigned char>(out[end])) && out[end] != '"' &&
             out[end] != ',') {
        ++end;
      }
      out.replace(start, end - start, "[redacted]");
      pos = start + 10;
    }
  }
  return out;
}

nlohmann::json RedactObject(const nlohmann::json& object) {
  nlohmann::json copy = object;
  if (!copy.is_object()) return copy;
  if (copy.contains("metadata") && copy["metadata"].is_object()) copy["metadata"].erase("managedFields");
  if (copy.value("kind", "") == "Secret") {
    for (const char* field : {"data", "stringData"}) {
      if (copy.contains(field) && copy[field].is_object()) {
        for (auto& [key, value] : copy[field].items()) value = "[redacted]";
      }
    }
    if (copy.contains("metadata") && copy["metadata"].contains("annotations") &&
        copy["metadata"]["annotations"].is_object()) {
      copy["metadata"]["annotations"].erase("kubectl.kubernetes.io/last-applied-configuration");
    }
  }
  return copy;
}

std::string FormatRecord(Format format, std::string_view timestamp, Level level, std::string_view message,
                         const Field* fields_begin, const Field* fields_end) {
  struct Range {
    const Field* b;
    const Field* e;
    const Field* begin() const { return b; }
    const Field* end() const { return e; }
  } fields{fields_begin, fields_end};
  std::string masked_message = MaskCredentials(message);
  if (format == Format::kJson) {
    nlohmann::json line = nlohmann::json::object();
    std::string out = "{\"ts\":" + nlohmann::json(std::string(timestamp)).dump() + ",\"level\":\"" +
                      LevelName(level, false) + "\",\"msg\":" +
                      nlohmann::json(masked_message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    for (const Field& field : fields) {
      out += ",";
      out += nlohmann::json(std::string(field.key)).dump();
      out += ":";
      if (IsSecretKey(field.key)) {
        out += "\"[redacted]\"";
      } else if (field.quoted) {
        out += nlohmann::json(MaskCredentials(field.value)).dump(-1, ' ', false,
                                                                 nlohmann::json::error_handler_t::replace);
      } else {
        out += field.value;
      }
    }
    out += "}";
    return out;
  }
  std::string out = std::string(timestamp) + " " + LevelName(level, true) + " " + masked_message;
  for (const Field& field : fields) {
    out += " ";
    out += field.key;
    out += "=";
    std::string value = IsSecretKey(field.key) ? "[redacted]" : MaskCredentials(field.value);
    out += NeedsQuotes(value) ? nlohmann::json(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                              : value;
  }
  return out;
}

namespace {
void WriteRange(Level level, std::string_view message, const Field* begin, const Field* end) {
  if (!Enabled(level)) return;
  State& state = GlobalState();
  std::string line = FormatRecord(state.format.load(), NowTimestamp(), level, message, begin, end);
  auto logger = std::atomic_load(&state.logger);
  logger->log(spdlog::level::info, "{}", line);
  if (level >= Level::kWarn) logger->flush();
}
}  // namespace

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  WriteRange(level, message, fields.begin(), fields.end());
}

void Write(Level level, std::string_view message, const std::vector<Field>& fields) {
  WriteRange(level, message, fields.data(), fields.data() + fields.size());
}

}  // namespace lifeboat::log
