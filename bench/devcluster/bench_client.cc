#include "bench/devcluster/bench_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstring>

namespace lifeboat::bench {
namespace {

std::string Base64Decode(const std::string& text) {
  std::string out(text.size() * 3 / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return "";
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

YAML::Node Named(const YAML::Node& list, const std::string& name, const char* field) {
  for (const auto& entry : list) {
    if (entry["name"] && entry["name"].as<std::string>() == name) return entry[field];
  }
  return YAML::Node();
}

}  // namespace

StatusOr<ClusterConfig> LoadClusterConfig(const std::string& path) {
  try {
    YAML::Node root = YAML::LoadFile(path);
    std::string context_name = root["current-context"].as<std::string>();
    YAML::Node context = Named(root["contexts"], context_name, "context");
    if (!context) return InvalidArgumentError("kubeconfig has no context " + context_name);
    YAML::Node cluster = Named(root["clusters"], context["cluster"].as<std::string>(), "cluster");
    YAML::Node user = Named(root["users"], context["user"].as<std::string>(), "user");
    if (!cluster || !user || !user["token"]) return InvalidArgumentError("kubeconfig needs a cluster and a token user");
    ClusterConfig config;
    std::string server = cluster["server"].as<std::string>();
    if (server.rfind("https://", 0) != 0) return InvalidArgumentError("server must be https: " + server);
    server = server.substr(8);
    size_t slash = server.find('/');
    if (slash != std::string::npos) server.resize(slash);
    size_t colon = server.rfind(':');
    config.host = colon == std::string::npos ? server : server.substr(0, colon);
    config.port = colon == std::string::npos ? 443 : std::stoi(server.substr(colon + 1));
    if (cluster["certificate-authority-data"]) {
      config.ca_pem = Base64Decode(cluster["certificate-authority-data"].as<std::string>());
    }
    config.token = user["token"].as<std::string>();
    return config;
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("cannot read kubeconfig: ") + e.what());
  }
}

BenchClient::BenchClient(const ClusterConfig& config) : config_(config) {}

BenchClient::~BenchClient() {
  if (ssl_ != nullptr) SSL_free(static_cast<SSL*>(ssl_));
  if (fd_ >= 0) ::close(fd_);
  if (ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
}

Status BenchClient::Connect() {
  if (ssl_ != nullptr) {
    SSL_free(static_cast<SSL*>(ssl_));
    ssl_ = nullptr;
  }
  if (fd_ >= 0) ::close(fd_);
  raw_.clear();
  decoded_.clear();
  if (ctx_ == nullptr) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    ctx_ = ctx;
    if (!config_.ca_pem.empty()) {
      BIO* bio = BIO_new_mem_buf(config_.ca_pem.data(), static_cast<int>(config_.ca_pem.size()));
      X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
      BIO_free(bio);
      if (ca == nullptr) return InvalidArgumentError("cannot parse the CA certificate");
      X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), ca);
      X509_free(ca);
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    }
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  if (::getaddrinfo(config_.host.c_str(), std::to_string(config_.port).c_str(), &hints, &result) != 0) {
    return UnavailableError("cannot resolve " + config_.host);
  }
  fd_ = ::socket(result->ai_family, SOCK_STREAM, 0);
  int rc = ::connect(fd_, result->ai_addr, result->ai_addrlen);
  ::freeaddrinfo(result);
  if (rc != 0) return UnavailableError(std::string("connect: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  SSL* ssl = SSL_new(static_cast<SSL_CTX*>(ctx_));
  ssl_ = ssl;
  SSL_set_fd(ssl, fd_);
  SSL_set_tlsext_host_name(ssl, config_.host.c_str());
  if (!config_.ca_pem.empty()) SSL_set1_host(ssl, config_.host.c_str());
  if (SSL_connect(ssl) != 1) {
    char buffer[256];
    ERR_error_string_n(ERR_get_error(), buffer, sizeof(buffer));
    return UnavailableError(std::string("TLS handshake: ") + buffer);
  }
  return Status::Ok();
}

Status BenchClient::ReadMore() {
  char buffer[65536];
  int n = SSL_read(static_cast<SSL*>(ssl_), buffer, sizeof(buffer));
  if (n <= 0) return UnavailableError("connection closed");
  raw_.append(buffer, static_cast<size_t>(n));
  return Status::Ok();
}

StatusOr<std::string> BenchClient::ReadHeaders(int& code, bool& chunked, long& length) {
  size_t end;
  while ((end = raw_.find("\r\n\r\n")) == std::string::npos) LIFEBOAT_RETURN_IF_ERROR(ReadMore());
  std::string head = raw_.substr(0, end);
  raw_.erase(0, end + 4);
  code = std::atoi(head.substr(9, 3).c_str());
  chunked = false;
  length = -1;
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos < head.size()) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    std::string lower = line;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("transfer-encoding:", 0) == 0 && lower.find("chunked") != std::string::npos) chunked = true;
    if (lower.rfind("content-length:", 0) == 0) length = std::atol(line.substr(15).c_str());
    pos = next;
  }
  return head;
}

bool BenchClient::DecodeChunks() {
  while (true) {
    size_t crlf = raw_.find("\r\n");
    if (crlf == std::string::npos) return true;
    size_t size = std::strtoul(raw_.substr(0, crlf).c_str(), nullptr, 16);
    if (size == 0) {
      if (raw_.size() < crlf + 4) return true;
      raw_.erase(0, crlf + 4);
      return false;
    }
    if (raw_.size() < crlf + 2 + size + 2) return true;
    decoded_.append(raw_, crlf + 2, size);
    raw_.erase(0, crlf + 2 + size + 2);
  }
}

StatusOr<HttpResponse> BenchClient::Request(const std::string& method, const std::string& path,
                                            const std::string& body, const std::string& content_type) {
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: " + config_.host + "\r\nAuthorization: Bearer " +
                        config_.token + "\r\nAccept: application/json\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    request += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "\r\n" + body;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (ssl_ == nullptr) LIFEBOAT_RETURN_IF_ERROR(Connect());
    if (SSL_write(static_cast<SSL*>(ssl_), request.data(), static_cast<int>(request.size())) <= 0) {
      SSL_free(static_cast<SSL*>(ssl_));
      ssl_ = nullptr;
      continue;
    }
    int code = 0;
    bool chunked = false;
    long length = -1;
    auto head = ReadHeaders(code, chunked, length);
    if (!head.ok()) {
      if (attempt == 0) {
        SSL_free(static_cast<SSL*>(ssl_));
        ssl_ = nullptr;
        continue;
      }
      return head.status();
    }
    HttpResponse response;
    response.code = code;
    if (chunked) {
      decoded_.clear();
      while (DecodeChunks()) LIFEBOAT_RETURN_IF_ERROR(ReadMore());
      response.body = std::move(decoded_);
      decoded_.clear();
    } else {
      size_t want = length < 0 ? 0 : static_cast<size_t>(length);
      while (raw_.size() < want) LIFEBOAT_RETURN_IF_ERROR(ReadMore());
      response.body = raw_.substr(0, want);
      raw_.erase(0, want);
    }
    return response;
  }
  return UnavailableError("request failed after reconnecting");
}

Status BenchClient::StartStream(const std::string& path) {
  if (ssl_ == nullptr) LIFEBOAT_RETURN_IF_ERROR(Connect());
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + config_.host + "\r\nAuthorization: Bearer " +
                        config_.token + "\r\nAccept: application/json\r\n\r\n";
  if (SSL_write(static_cast<SSL*>(ssl_), request.data(), static_cast<int>(request.size())) <= 0) {
    return UnavailableError("cannot send the watch request");
  }
  int code = 0;
  bool chunked = false;
  long length = -1;
  auto head = ReadHeaders(code, chunked, length);
  if (!head.ok()) return head.status();
  if (code != 200 || !chunked) return UnavailableError("watch answered " + std::to_string(code));
  decoded_.clear();
  stream_ended_ = false;
  return Status::Ok();
}

StatusOr<std::string> BenchClient::ReadLine() {
  while (true) {
    size_t nl = decoded_.find('\n');
    if (nl != std::string::npos) {
      std::string line = decoded_.substr(0, nl);
      decoded_.erase(0, nl + 1);
      return line;
    }
    if (stream_ended_) return UnavailableError("end of stream");
    if (!DecodeChunks()) {
      stream_ended_ = true;
      continue;
    }
    if (decoded_.find('\n') != std::string::npos) continue;
    LIFEBOAT_RETURN_IF_ERROR(ReadMore());
  }
}

}  // namespace lifeboat::bench
