// BenchClient: a minimal HTTPS/1.1 client for the devcluster benchmark: one keep-alive TLS
// connection per object, plain requests (Content-Length or chunked answers) and line-by-line
// reading of a chunked watch stream. Reads the server, CA and bearer token from a kubeconfig
// (token auth only). Kept dependency-free (OpenSSL + yaml-cpp) so the numbers measure the server,
// not a client library. A BenchClient is used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "operator/core/status.h"

namespace lifeboat::bench {

struct ClusterConfig {
  std::string host;    // "127.0.0.1"
  int port = 443;
  std::string ca_pem;  // may be empty when insecure-skip-tls-verify
  std::string token;
};

// Reads the current context's cluster and user from a kubeconfig file.
StatusOr<ClusterConfig> LoadClusterConfig(const std::string& kubeconfig_path);

struct HttpResponse {
  int code = 0;
  std::string body;
};

class BenchClient {
 public:
  explicit BenchClient(const ClusterConfig& config);
  ~BenchClient();
  BenchClient(const BenchClient&) = delete;
  BenchClient& operator=(const BenchClient&) = delete;

  Status Connect();
  // One request/response on the kept-alive connection (reconnects once if the server closed it).
  StatusOr<HttpResponse> Request(const std::string& method, const std::string& path, const std::string& body = "",
                                 const std::string& content_type = "application/json");
  // Sends a GET whose answer is a chunked stream (a watch) and reads its headers.
  Status StartStream(const std::string& path);
  // The next newline-terminated line of the stream (without the newline); error at end of stream.
  StatusOr<std::string> ReadLine();

 private:
  Status ReadMore();
  StatusOr<std::string> ReadHeaders(int& code, bool& chunked, long& length);
  bool DecodeChunks();  // moves complete chunks from raw_ to decoded_; false at the last chunk

  ClusterConfig config_;
  void* ctx_ = nullptr;  // SSL_CTX*
  void* ssl_ = nullptr;  // SSL*
  int fd_ = -1;
  std::string raw_;
  std::string decoded_;
  bool stream_ended_ = false;
};

}  // namespace lifeboat::bench
