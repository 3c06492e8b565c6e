#include "operator/runtime/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lifeboat::runtime {
namespace {

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 400: return "Bad Request";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

void WriteAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    sent += static_cast<size_t>(n);
  }
}

}  // namespace

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Handle(const std::string& path, Handler handler) { handlers_[path] = std::move(handler); }

StatusOr<std::pair<std::string, int>> HttpServer::ParseAddress(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("address \"" + address + "\" is not host:port (e.g. :8080 or 127.0.0.1:8080)");
  }
  std::string host = address.substr(0, colon);
  std::string port_text = address.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgumentError("address \"" + address + "\" has no valid port");
  }
  int port = std::stoi(port_text);
  if (port > 65535) return InvalidArgumentError("address \"" + address + "\" has a port above 65535");
  if (host == "0.0.0.0" || host == "*") host.clear();
  if (host == "localhost") host = "127.0.0.1";
  return std::make_pair(host, port);
}

Status HttpServer::Start(const std::string& address) {
  auto parsed = ParseAddress(address);
  if (!parsed.ok()) return parsed.status();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(parsed->second));
  if (parsed->first.empty()) {
    addr.sin_addr.s_addr = htonl(INADDR_ANY);
  } else if (inet_pton(AF_INET, parsed->first.c_str(), &addr.sin_addr) != 1) {
    return InvalidArgumentError("address \"" + address + "\": host must be an IPv4 address");
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) return UnavailableError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
    Status error = UnavailableError("cannot listen on " + address + ": " + std::strerror(errno));
    ::close(listen_fd_);
    listen_fd_ = -1;
    return error;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Serve(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void HttpServer::Serve() {
  while (!stopping_) {
    pollfd pfd{listen_fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, 100);
    if (ready <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    HandleConnection(fd);
    ::close(fd);
  }
}

void HttpServer::HandleConnection(int fd) {
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string request;
  char buffer[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      break;
    }
    request.append(buffer, static_cast<size_t>(n));
  }
  HttpReply reply;
  auto line_end = request.find("\r\n");
  std::string line = request.substr(0, line_end);
  auto first_space = line.find(' ');
  auto second_space = first_space == std::string::npos ? std::string::npos : line.find(' ', first_space + 1);
  if (first_space == std::string::npos || second_space == std::string::npos) {
    reply = HttpReply{400, "text/plain; charset=utf-8", "bad request\n"};
  } else {
    std::string method = line.substr(0, first_space);
    std::string path = line.substr(first_space + 1, second_space - first_space - 1);
    if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
    auto handler = handlers_.find(path);
    if (handler == handlers_.end()) {
      reply = HttpReply{404, "text/plain; charset=utf-8", "not found\n"};
    } else if (method != "GET" && method != "HEAD") {
      reply = HttpReply{405, "text/plain; charset=utf-8", "method not allowed\n"};
    } else {
      reply = handler->second();
      if (method == "HEAD") reply.body.clear();
    }
  }
  std::string response = "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) +
                         "\r\nContent-Type: " + reply.content_type +
                         "\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n" +
                         reply.body;
  WriteAll(fd, response);
}

}  // namespace lifeboat::runtime
