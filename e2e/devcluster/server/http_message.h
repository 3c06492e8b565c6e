// HttpRequest and ResponseWriter: the vocabulary between the devcluster's HTTPS transport
// (https_server.h) and the Kubernetes API handlers. A request is a plain value (thread-compatible);
// a ResponseWriter belongs to the one connection thread serving the request and is not thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lifeboat::devcluster {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // As sent: "/api/v1/namespaces?limit=1".
  std::string path;    // Percent-decoded path without the query: "/api/v1/namespaces".
  // Decoded query parameters; a repeated parameter keeps its first value.
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // Lower-cased names.
  std::string body;

  // The header's value, or "" when absent. `name` must be lower-case.
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  // The query parameter's value, or "" when absent.
  std::string Query(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
  bool HasQuery(const std::string& name) const { return query.count(name) != 0; }
};

// How a handler answers. Either Send() once, or BeginStream(), any number of WriteChunk() and
// EndStream(). Methods return false once the peer is gone (the handler should stop).
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;
  virtual bool Send(int code, const HeaderList& headers, std::string_view body) = 0;
  virtual bool BeginStream(int code, const HeaderList& headers) = 0;
  virtual bool WriteChunk(std::string_view data) = 0;
  virtual bool EndStream() = 0;
  // True when the client closed the connection or the server is shutting down; long-running
  // handlers (watches, log follows) poll it between events.
  virtual bool Cancelled() = 0;
};

// The reason phrase of an HTTP status code ("Not Found").
const char* HttpReasonPhrase(int code);

}  // namespace lifeboat::devcluster
