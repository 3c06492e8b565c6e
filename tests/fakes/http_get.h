// HttpGet: a blocking plain-HTTP GET to 127.0.0.1 for tests of the operator's listener.
// Returns {status, body}; status 0 when the connection failed. Thread-safe.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace lifeboat::testing {

inline std::pair<int, std::string> HttpGet(int port, const std::string& path, const std::string& method = "GET") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {0, ""};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {0, ""};
  }
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  ::send(fd, request.data(), request.size(), 0);
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) response.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  if (response.size() < 12) return {0, response};
  int status = std::stoi(response.substr(9, 3));
  auto body_start = response.find("\r\n\r\n");
  return {status, body_start == std::string::npos ? "" : response.substr(body_start + 4)};
}

}  // namespace lifeboat::testing
