// HttpsServer: a small HTTP/1.1 server over OpenSSL for the devcluster. One thread per connection,
// keep-alive, Content-Length and chunked request bodies, chunked streaming responses (watches, log
// follows). It offers no ALPN protocols, so clients (Go's net/http, urllib3) speak HTTP/1.1.
// Listens on 127.0.0.1 only. Start()/Stop() are called from one thread; the handler is called
// concurrently from connection threads and must be thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "e2e/devcluster/server/http_message.h"
#include "e2e/devcluster/server/tls_material.h"
#include "operator/core/status.h"

namespace lifeboat::devcluster {

using HttpHandler = std::function<void(const HttpRequest&, ResponseWriter&)>;

class HttpsServer {
 public:
  HttpsServer(TlsMaterial material, HttpHandler handler);
  ~HttpsServer();
  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Binds 127.0.0.1:`port` (0 picks a free port) and starts accepting: Listen() then Serve().
  Status Start(int port);
  // Binds and listens without accepting yet (connections wait in the backlog).
  Status Listen(int port);
  // Starts accepting connections (after Listen).
  void Serve();
  // The bound port (after Start).
  int port() const { return port_; }
  // Stops accepting, cancels open connections (streams see Cancelled()) and joins every thread.
  void Stop();

  struct Connection;  // One accepted TLS connection (defined in the .cc).

 private:
  void AcceptLoop();
  void Serve(std::shared_ptr<Connection> connection);

  TlsMaterial material_;
  HttpHandler handler_;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*, kept opaque to keep OpenSSL out of this header.
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::mutex mutex_;
  std::condition_variable all_done_;
  std::set<std::shared_ptr<Connection>> connections_;  // Guarded by mutex_.
};

}  // namespace lifeboat::devcluster
