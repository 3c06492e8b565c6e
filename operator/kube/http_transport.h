// HttpTransport: the seam between the Kubernetes client and the HTTP library. It knows the API
// server's address and credentials; callers give a method, a path with query, headers and a body.
// Implementations: CppRestHttpTransport (cpprest_http_transport.h) and, in tests, FakeHttpTransport.
// Implementations must be thread-safe: many threads send requests and hold streams at once.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "operator/core/status.h"

namespace lifeboat::kube {

struct HttpRequest {
  std::string method;            // "GET", "POST", "PUT", "PATCH", "DELETE".
  std::string path_and_query;    // "/api/v1/namespaces/a/configmaps?limit=500".
  std::vector<std::pair<std::string, std::string>> headers;  // Without Authorization (the transport adds it).
  std::string body;
  std::string content_type;      // Set when body is non-empty.
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // Names in lower case.
  std::string body;

  // The first value of a header (name compared case-insensitively), or "".
  std::string Header(std::string_view name) const;
};

// A response whose body is read as it arrives (watch). ReadChunk blocks until some bytes arrive.
class HttpStream {
 public:
  virtual ~HttpStream() = default;
  // HTTP status and headers, known when the stream was opened.
  virtual const HttpResponse& Head() const = 0;
  // Next piece of the body: non-empty bytes, "" at a clean end of stream, or an error (connection
  // lost, idle timeout, cancelled). Pieces may split lines anywhere.
  virtual StatusOr<std::string> ReadChunk() = 0;
  // Makes a blocked or later ReadChunk return Cancelled promptly. Thread-safe; idempotent.
  virtual void Cancel() = 0;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends a request and reads the whole answer. Transport failures (refused, reset, timeout)
  // are Unavailable; any HTTP status, including errors, is a successful HttpResponse.
  virtual StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
  // Sends a request and returns as soon as the headers arrived; the body is streamed.
  virtual StatusOr<std::unique_ptr<HttpStream>> OpenStream(const HttpRequest& request) = 0;
};

}  // namespace lifeboat::kube
