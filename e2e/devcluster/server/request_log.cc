#include "e2e/devcluster/server/request_log.h"

#include <cstring>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster {

RequestLog::~RequestLog() {
  if (file_ != nullptr) std::fclose(file_);
}

Status RequestLog::Open(const std::filesystem::path& path) {
  std::lock_guard lock(mutex_);
  if (file_ != nullptr) std::fclose(file_);
  file_ = std::fopen(path.c_str(), "a");
  if (file_ == nullptr) return InternalError("cannot open request log " + path.string() + ": " + std::strerror(errno));
  return Status::Ok();
}

void RequestLog::Record(const std::string& method, const std::string& target, int code,
                        std::chrono::nanoseconds duration, const std::string& user_agent) {
  char millis[32];
  std::snprintf(millis, sizeof(millis), "%.1fms", static_cast<double>(duration.count()) / 1e6);
  std::string line = FormatRfc3339Micro(clock_.Now()) + " " + method + " " + target + " " + std::to_string(code) +
                     " " + millis + " " + (user_agent.empty() ? "-" : user_agent) + "\n";
  std::lock_guard lock(mutex_);
  if (file_ == nullptr) return;
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

}  // namespace lifeboat::devcluster
