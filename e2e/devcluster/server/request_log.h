// RequestLog: one line per served request in `<data-dir>/requests.log`:
// `2026-11-22T01:02:03.123456Z GET /api/v1/namespaces/default/pods?watch=1 200 1503.2ms kubectl/v1.32.4`
// (timestamp of completion, method, target, HTTP code, duration, user agent). Thread-safe.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>

#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat::devcluster {

class RequestLog {
 public:
  explicit RequestLog(const Clock& clock) : clock_(clock) {}
  ~RequestLog();
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  // Appends to `path` (created if missing).
  Status Open(const std::filesystem::path& path);
  void Record(const std::string& method, const std::string& target, int code, std::chrono::nanoseconds duration,
              const std::string& user_agent);

 private:
  const Clock& clock_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace lifeboat::devcluster
