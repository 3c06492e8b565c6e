// HttpServer: a minimal HTTP/1.1 listener for the operator's /healthz, /readyz and /metrics (GET
// only, one short request per connection), on plain POSIX sockets so no second HTTP library runs in
// the operator. Address "host:port"; an empty host (":8080") listens on every interface, port 0 picks
// a free port (see port()). Handlers run on the server's single thread and must be quick.
// Thread-safe: Start/Stop from any thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include "operator/core/status.h"

namespace lifeboat::runtime {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  using Handler = std::function<HttpReply()>;

  ~HttpServer();
  // Must be called before Start.
  void Handle(const std::string& path, Handler handler);
  // Binds and starts serving. InvalidArgument for a malformed address, Unavailable when it cannot bind.
  Status Start(const std::string& address);
  void Stop();
  int port() const { return port_; }

  // "host:port" → host ("" for any) and port; exposed for tests.
  static StatusOr<std::pair<std::string, int>> ParseAddress(const std::string& address);

 private:
  void Serve();
  void HandleConnection(int fd);

  std::map<std::string, Handler> handlers_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace lifeboat::runtime
