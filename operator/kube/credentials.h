// Credentials: the Authorization header for every request, from a KubeConfig. A token file (the
// in-cluster service account token, which the kubelet rotates) is re-read whenever its modification
// time changes, so a rotated token is picked up without a restart. The header value is a secret:
// never log it. Thread-safe.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include "operator/kube/kube_config.h"

namespace lifeboat::kube {

class Credentials {
 public:
  explicit Credentials(const KubeConfig& config);

  // "Bearer <token>", "Basic <base64>", or "" when the configuration has no such credentials
  // (client certificates authenticate in TLS instead).
  std::string AuthorizationHeader();

 private:
  std::string static_header_;
  std::filesystem::path token_file_;
  std::mutex mutex_;
  std::filesystem::file_time_type token_mtime_{};
  std::string file_header_;
};

std::string EncodeBase64(std::string_view bytes);

}  // namespace lifeboat::kube
