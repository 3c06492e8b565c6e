// CppRestHttpTransport: the HttpTransport built on cpprestsdk (kept out of this header so cpprest's
// heavy headers stay in one translation unit). TLS trusts the configured CA (or the system's), presents
// the client certificate, checks the server's host name unless insecure-skip-tls-verify; every request
// carries the current Authorization header. Thread-safe.
#pragma once

#include <chrono>
#include <memory>

#include "operator/kube/http_transport.h"
#include "operator/kube/kube_config.h"

namespace lifeboat::kube {

struct CppRestTransportOptions {
  // Idle timeout of ordinary requests.
  std::chrono::seconds request_timeout{30};
  // Idle timeout of streams: must exceed the longest silence of a watch (its timeoutSeconds; bookmarks
  // make silences shorter).
  std::chrono::seconds stream_timeout{660};
};

class CppRestHttpTransport final : public HttpTransport {
 public:
  // Fails when TLS material in the configuration cannot be loaded.
  static StatusOr<std::unique_ptr<CppRestHttpTransport>> Create(const KubeConfig& config,
                                                                CppRestTransportOptions options = {});
  ~CppRestHttpTransport() override;

  StatusOr<HttpResponse> Send(const HttpRequest& request) override;
  StatusOr<std::unique_ptr<HttpStream>> OpenStream(const HttpRequest& request) override;

  struct Impl;

 private:
  explicit CppRestHttpTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lifeboat::kube
