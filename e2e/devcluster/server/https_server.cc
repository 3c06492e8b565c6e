#include "e2e/devcluster/server/https_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>

#include "e2e/devcluster/server/url_codec.h"

namespace lifeboat::devcluster {

const char* HttpReasonPhrase(int code) {
  switch (code) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

namespace {

constexpr size_t kMaxHeaderBytes = 1 << 20;
constexpr size_t kMaxBodyBytes = 64u << 20;
constexpr auto kIdleTimeout = std::chrono::seconds(120);

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

struct HttpsServer::Connection {
  int fd = -1;
  SSL* ssl = nullptr;
  std::string buffer;  // Bytes read but not yet consumed.
  std::atomic<bool>* stopping = nullptr;

  ~Connection() {
    if (ssl != nullptr) SSL_free(ssl);
    if (fd >= 0) ::close(fd);
  }

  // Reads more bytes into `buffer`. Returns false on EOF, error, idle timeout or server stop.
  bool ReadMore(std::chrono::steady_clock::time_point deadline) {
    char chunk[16384];
    while (true) {
      if (SSL_pending(ssl) == 0) {
        if (stopping->load()) return false;
        pollfd pfd{fd, POLLIN, 0};
        int ready = ::poll(&pfd, 1, 200);
        if (ready < 0 && errno != EINTR) return false;
        if (ready <= 0) {
          if (std::chrono::steady_clock::now() > deadline) return false;
          continue;
        }
      }
      int n = SSL_read(ssl, chunk, sizeof(chunk));
      if (n > 0) {
        buffer.append(chunk, static_cast<size_t>(n));
        return true;
      }
      int err = SSL_get_error(ssl, n);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) continue;
      return false;
    }
  }

  bool WriteAll(std::string_view data) {
    while (!data.empty()) {
      int n = SSL_write(ssl, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 20)));
      if (n <= 0) {
        int err = SSL_get_error(ssl, n);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) continue;
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  bool PeerClosed() {
    pollfd pfd{fd, POLLIN | POLLRDHUP, 0};
    if (::poll(&pfd, 1, 0) <= 0) return false;
    if (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
    char c;
    ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0;
  }
};

namespace {

// Answers one request on a connection.
class ConnectionWriter final : public ResponseWriter {
 public:
  ConnectionWriter(HttpsServer::Connection* connection, bool close_after, std::atomic<bool>* stopping)
      : connection_(connection), close_after_(close_after), stopping_(stopping) {}

  bool Send(int code, const HeaderList& headers, std::string_view body) override {
    if (state_ != State::kFresh) return false;
    state_ = State::kDone;
    std::string head = StatusLine(code) + HeaderLines(headers);
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (close_after_) head += "Connection: close\r\n";
    head += "\r\n";
    head.append(body.data(), body.size());
    ok_ = connection_->WriteAll(head);
    return ok_;
  }

  bool BeginStream(int code, const HeaderList& headers) override {
    if (state_ != State::kFresh) return false;
    state_ = State::kStreaming;
    std::string head = StatusLine(code) + HeaderLines(headers);
    head += "Transfer-Encoding: chunked\r\n";
    if (close_after_) head += "Connection: close\r\n";
    head += "\r\n";
    ok_ = connection_->WriteAll(head);
    return ok_;
  }

  bool WriteChunk(std::string_view data) override {
    if (state_ != State::kStreaming || !ok_) return false;
    if (data.empty()) return true;
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    std::string frame = size;
    frame.append(data.data(), data.size());
    frame += "\r\n";
    ok_ = connection_->WriteAll(frame);
    return ok_;
  }

  bool EndStream() override {
    if (state_ != State::kStreaming) return false;
    state_ = State::kDone;
    if (ok_) ok_ = connection_->WriteAll("0\r\n\r\n");
    return ok_;
  }

  bool Cancelled() override { return !ok_ || stopping_->load() || connection_->PeerClosed(); }

  bool answered() const { return state_ != State::kFresh; }
  bool complete() const { return state_ == State::kDone && ok_; }

 private:
  enum class State { kFresh, kStreaming, kDone };
  static std::string StatusLine(int code) {
    return "HTTP/1.1 " + std::to_string(code) + " " + HttpReasonPhrase(code) + "\r\n";
  }
  static std::string HeaderLines(const HeaderList& headers) {
    std::string out;
    bool has_cache_control = false;
    for (const auto& [name, value] : headers) {
      if (Lower(name) == "cache-control") has_cache_control = true;
      out += name + ": " + value + "\r\n";
    }
    if (!has_cache_control) out += "Cache-Control: no-cache, private\r\n";
    return out;
  }

  HttpsServer::Connection* connection_;
  bool close_after_;
  std::atomic<bool>* stopping_;
  State state_ = State::kFresh;
  bool ok_ = true;
};

enum class ParseResult { kOk, kClosed, kBad, kTooLarge };

// Reads one request from `connection` into `request`.
ParseResult ReadRequest(HttpsServer::Connection& c, HttpRequest& request, bool& close_after) {
  auto deadline = std::chrono::steady_clock::now() + kIdleTimeout;
  size_t header_end;
  while ((header_end = c.buffer.find("\r\n\r\n")) == std::string::npos) {
    if (c.buffer.size() > kMaxHeaderBytes) return ParseResult::kTooLarge;
    if (!c.ReadMore(deadline)) return ParseResult::kClosed;
  }
  std::string head = c.buffer.substr(0, header_end);
  c.buffer.erase(0, header_end + 4);

  size_t line_end = head.find("\r\n");
  std::string request_line = head.substr(0, line_end);
  size_t sp1 = request_line.find(' ');
  size_t sp2 = request_line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return ParseResult::kBad;
  request.method = request_line.substr(0, sp1);
  request.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string version = request_line.substr(sp2 + 1);
  close_after = version == "HTTP/1.0";

  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t end = head.find("\r\n", pos);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(pos, end - pos);
    pos = end + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = Lower(Trim(line.substr(0, colon)));
    std::string value = Trim(line.substr(colon + 1));
    auto [it, inserted] = request.headers.emplace(name, value);
    if (!inserted) it->second += ", " + value;
  }
  std::string connection = Lower(request.Header("connection"));
  if (connection.find("close") != std::string::npos) close_after = true;
  if (connection.find("keep-alive") != std::string::npos) close_after = false;

  size_t question = request.target.find('?');
  request.path = PercentDecode(request.target.substr(0, question), false);
  if (question != std::string::npos) request.query = ParseQuery(request.target.substr(question + 1));

  if (Lower(request.Header("expect")) == "100-continue") {
    if (!c.WriteAll("HTTP/1.1 100 Continue\r\n\r\n")) return ParseResult::kClosed;
  }

  if (Lower(request.Header("transfer-encoding")).find("chunked") != std::string::npos) {
    while (true) {
      size_t crlf;
      while ((crlf = c.buffer.find("\r\n")) == std::string::npos) {
        if (!c.ReadMore(deadline)) return ParseResult::kClosed;
      }
      size_t chunk_size = std::strtoul(c.buffer.substr(0, crlf).c_str(), nullptr, 16);
      c.buffer.erase(0, crlf + 2);
      if (request.body.size() + chunk_size > kMaxBodyBytes) return ParseResult::kTooLarge;
      if (chunk_size == 0) {
        // Trailers (ignored) end with an empty line.
        while (true) {
          while ((crlf = c.buffer.find("\r\n")) == std::string::npos) {
            if (!c.ReadMore(deadline)) return ParseResult::kClosed;
          }
          bool empty = crlf == 0;
          c.buffer.erase(0, crlf + 2);
          if (empty) break;
        }
        break;
      }
      while (c.buffer.size() < chunk_size + 2) {
        if (!c.ReadMore(deadline)) return ParseResult::kClosed;
      }
      request.body.append(c.buffer, 0, chunk_size);
      c.buffer.erase(0, chunk_size + 2);
    }
  } else {
    std::string length_text = request.Header("content-length");
    size_t length = length_text.empty() ? 0 : std::strtoull(length_text.c_str(), nullptr, 10);
    if (length > kMaxBodyBytes) return ParseResult::kTooLarge;
    while (c.buffer.size() < length) {
      if (!c.ReadMore(deadline)) return ParseResult::kClosed;
    }
    request.body = c.buffer.substr(0, length);
    c.buffer.erase(0, length);
  }
  return ParseResult::kOk;
}

}  // namespace

HttpsServer::HttpsServer(TlsMaterial material, HttpHandler handler)
    : material_(std::move(material)), handler_(std::move(handler)) {}

HttpsServer::~HttpsServer() {
  Stop();
  if (ssl_ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

Status HttpsServer::Start(int port) {
  LIFEBOAT_RETURN_IF_ERROR(Listen(port));
  Serve();
  return Status::Ok();
}

void HttpsServer::Serve() { accept_thread_ = std::thread([this] { AcceptLoop(); }); }

Status HttpsServer::Listen(int port) {
  ::signal(SIGPIPE, SIG_IGN);
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return InternalError("SSL_CTX_new failed");
  ssl_ctx_ = ctx;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
  BIO* cert_bio = BIO_new_mem_buf(material_.server_cert_pem.data(), static_cast<int>(material_.server_cert_pem.size()));
  X509* cert = PEM_read_bio_X509(cert_bio, nullptr, nullptr, nullptr);
  BIO_free(cert_bio);
  BIO* key_bio = BIO_new_mem_buf(material_.server_key_pem.data(), static_cast<int>(material_.server_key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr);
  BIO_free(key_bio);
  if (cert == nullptr || key == nullptr) {
    X509_free(cert);
    EVP_PKEY_free(key);
    return InternalError("cannot parse the serving certificate or key");
  }
  int ok = SSL_CTX_use_certificate(ctx, cert) == 1 && SSL_CTX_use_PrivateKey(ctx, key) == 1 &&
           SSL_CTX_check_private_key(ctx) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) return InternalError("the serving certificate does not match its key");

  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return InternalError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::string error = std::strerror(errno);
    ::close(listen_fd_);
    listen_fd_ = -1;
    return UnavailableError("cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + error);
  }
  if (::listen(listen_fd_, 128) != 0) return InternalError(std::string("listen: ") + std::strerror(errno));
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  return Status::Ok();
}

void HttpsServer::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, 200);
    if (ready <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    timeval send_timeout{60, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof(send_timeout));
    auto connection = std::make_shared<Connection>();
    connection->fd = fd;
    connection->stopping = &stopping_;
    connection->ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
    SSL_set_fd(connection->ssl, fd);
    {
      std::lock_guard lock(mutex_);
      connections_.insert(connection);
    }
    std::thread([this, connection] {
      Serve(connection);
      std::lock_guard lock(mutex_);
      connections_.erase(connection);
      all_done_.notify_all();
    }).detach();
  }
}

void HttpsServer::Serve(std::shared_ptr<Connection> connection) {
  Connection& c = *connection;
  timeval handshake_timeout{10, 0};
  ::setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &handshake_timeout, sizeof(handshake_timeout));
  if (SSL_accept(c.ssl) != 1) {
    ERR_clear_error();
    return;
  }
  timeval no_timeout{0, 0};
  ::setsockopt(c.fd, SOL_SOCKET, SO_RCVTIMEO, &no_timeout, sizeof(no_timeout));
  while (!stopping_.load()) {
    HttpRequest request;
    bool close_after = false;
    ParseResult parsed = ReadRequest(c, request, close_after);
    if (parsed == ParseResult::kClosed) break;
    if (parsed != ParseResult::kOk) {
      int code = parsed == ParseResult::kTooLarge ? 413 : 400;
      ConnectionWriter writer(&c, true, &stopping_);
      writer.Send(code, {{"Content-Type", "text/plain"}}, HttpReasonPhrase(code));
      break;
    }
    ConnectionWriter writer(&c, close_after, &stopping_);
    try {
      handler_(request, writer);
    } catch (const std::exception& e) {
      if (!writer.answered()) {
        writer.Send(500, {{"Content-Type", "text/plain"}}, std::string("internal error: ") + e.what());
      }
    }
    if (!writer.answered()) writer.Send(500, {{"Content-Type", "text/plain"}}, "no response");
    if (!writer.complete() || close_after) break;
  }
  SSL_shutdown(c.ssl);
  ERR_clear_error();
}

void HttpsServer::Stop() {
  if (stopping_.exchange(true)) {
    if (accept_thread_.joinable()) accept_thread_.join();
    return;
  }
  if (accept_thread_.joinable()) accept_thread_.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  std::unique_lock lock(mutex_);
  // Threads notice `stopping_` within 200 ms when idle; unblock the ones stuck in a write.
  if (!all_done_.wait_for(lock, std::chrono::seconds(3), [this] { return connections_.empty(); })) {
    for (const auto& connection : connections_) ::shutdown(connection->fd, SHUT_RDWR);
    all_done_.wait_for(lock, std::chrono::seconds(5), [this] { return connections_.empty(); });
  }
}

}  // namespace lifeboat::devcluster
