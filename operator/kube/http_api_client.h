// HttpApiClient: ApiClient over an HttpTransport. Builds REST paths and query strings, sends JSON,
// maps failures to Status (api_error.h), retries a request answered 429 (or 503 with Retry-After)
// after the Retry-After delay (bounded), decodes watch streams line by line, and reports every
// request to an optional ApiObserver. Thread-safe when the transport is.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "operator/core/clock.h"
#include "operator/kube/api_client.h"
#include "operator/kube/api_observer.h"
#include "operator/kube/http_transport.h"

namespace lifeboat::kube {

struct HttpApiClientOptions {
  std::string user_agent = "lifeboat";
  int max_throttle_retries = 10;                      // 429 answers retried at most this often.
  std::chrono::seconds max_retry_after{60};           // Longer Retry-After values are capped.
  std::chrono::seconds default_retry_after{1};        // For 429 without a Retry-After header.
  // Waits between retries; tests inject a recorder instead of sleeping.
  std::function<void(std::chrono::milliseconds)> sleep;
};

class HttpApiClient final : public ApiClient {
 public:
  HttpApiClient(HttpTransport& transport, const Clock& clock, HttpApiClientOptions options = {},
                ApiObserver* observer = nullptr);

  StatusOr<Json> Get(const ResourceRef& resource, std::string_view ns, std::string_view name,
                     std::string_view subresource = "") override;
  StatusOr<ListPage> ListOnePage(const ResourceRef& resource, std::string_view ns, const ListOptions& options) override;
  StatusOr<Json> Create(const ResourceRef& resource, std::string_view ns, const Json& object) override;
  StatusOr<Json> Update(const ResourceRef& resource, std::string_view ns, const Json& object,
                        std::string_view subresource = "") override;
  StatusOr<Json> Patch(const ResourceRef& resource, std::string_view ns, std::string_view name, PatchType type,
                       const Json& patch, std::string_view subresource = "") override;
  Status Delete(const ResourceRef& resource, std::string_view ns, std::string_view name,
                const DeleteOptions& options = {}) override;
  StatusOr<std::unique_ptr<WatchStream>> Watch(const ResourceRef& resource, std::string_view ns,
                                               const WatchOptions& options) override;

 private:
  // Sends with throttling retries and observation; returns the final answer (any HTTP status).
  StatusOr<HttpResponse> Send(std::string_view verb, HttpRequest request);
  // Send + decode a JSON object from a 2xx answer, or map the failure.
  StatusOr<Json> SendForObject(std::string_view verb, HttpRequest request);
  HttpRequest NewRequest(std::string method, std::string path) const;

  HttpTransport& transport_;
  const Clock& clock_;
  HttpApiClientOptions options_;
  ApiObserver* observer_;
};

// Decodes a watch body: chunks in (split anywhere), events out. Exposed for tests.
class HttpWatchStream final : public WatchStream {
 public:
  explicit HttpWatchStream(std::unique_ptr<HttpStream> stream);
  StatusOr<std::optional<WatchEvent>> Next() override;
  void Cancel() override;

 private:
  std::unique_ptr<HttpStream> stream_;
  class LineBuffer;
  std::unique_ptr<LineBuffer> lines_;
};

}  // namespace lifeboat::kube
