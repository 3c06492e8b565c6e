#include "operator/kube/cpprest_http_transport.h"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <pplx/threadpool.h>
#include <openssl/err.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ssl.hpp>
#include <cctype>
#include <mutex>

#include "operator/kube/credentials.h"

namespace lifeboat::kube {
namespace {

namespace http = web::http;
namespace client = web::http::client;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// cpprest reports OpenSSL failures as "Unknown error N": add what OpenSSL says.
std::string DescribeException(const std::exception& e) {
  std::string what = e.what();
  if (auto http_error = dynamic_cast<const http::http_exception*>(&e)) {
    int value = http_error->error_code().value();
    if (what.find("Unknown error") != std::string::npos && value != 0) {
      char buffer[256];
      ERR_error_string_n(static_cast<unsigned long>(value), buffer, sizeof buffer);
      what += " (" + std::string(buffer) + ")";
    }
  }
  return what;
}

http::http_request BuildRequest(const HttpRequest& request, const std::string& authorization) {
  http::http_request out(http::method(request.method));
  out.set_request_uri(request.path_and_query);
  for (const auto& [name, value] : request.headers) out.headers().add(name, value);
  if (!authorization.empty()) out.headers().add("Authorization", authorization);
  if (!request.body.empty() || !request.content_type.empty()) {
    out.set_body(request.body, request.content_type.empty() ? "application/json" : request.content_type);
  }
  return out;
}

void CopyHead(const http::http_response& response, HttpResponse& out) {
  out.status = response.status_code();
  for (const auto& [name, value] : response.headers()) out.headers.emplace_back(Lower(name), value);
}

class CppRestHttpStream final : public HttpStream {
 public:
  CppRestHttpStream(HttpResponse head, http::http_response response, pplx::cancellation_token_source cancel)
      : head_(std::move(head)), response_(std::move(response)), cancel_(std::move(cancel)) {}

  ~CppRestHttpStream() override {
    Cancel();
  }

  const HttpResponse& Head() const override { return head_; }

  StatusOr<std::string> ReadChunk() override {
    if (cancelled_.load()) return CancelledError("stream cancelled");
    try {
      concurrency::streams::container_buffer<std::string> line;
      size_t read = response_.body().read_line(line).get();
      if (cancelled_.load()) return CancelledError("stream cancelled");
      if (read == 0 && line.collection().empty()) {
        if (response_.body().is_eof()) return std::string();
        // A blank line between events is harmless; an endless run of them means a broken stream.
        if (++empty_reads_ > 1000) return UnavailableError("the stream keeps returning nothing");
        return std::string("\n");
      }
      empty_reads_ = 0;
      return line.collection() + "\n";
    } catch (const std::exception& e) {
      if (cancelled_.load()) return CancelledError("stream cancelled");
      return UnavailableError("reading the stream failed: " + DescribeException(e));
    }
  }

  void Cancel() override {
    if (!cancelled_.exchange(true)) {
      cancel_.cancel();
      try {
        response_.body().close().wait();
      } catch (const std::exception&) {
      }
    }
  }

 private:
  HttpResponse head_;
  http::http_response response_;
  pplx::cancellation_token_source cancel_;
  std::atomic<bool> cancelled_{false};
  int empty_reads_ = 0;
};

}  // namespace

struct CppRestHttpTransport::Impl {
  KubeConfig config;
  Credentials credentials;
  std::unique_ptr<client::http_client> requests;
  std::unique_ptr<client::http_client> streams;

  explicit Impl(const KubeConfig& c) : config(c), credentials(c) {}

  client::http_client_config MakeConfig(std::chrono::seconds timeout) const {
    client::http_client_config out;
    out.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
    out.set_validate_certificates(!config.insecure_skip_tls_verify);
    KubeConfig copy = config;
    out.set_ssl_context_callback([copy](boost::asio::ssl::context& context) {
      if (!copy.ca_pem.empty()) {
        context.add_certificate_authority(boost::asio::buffer(copy.ca_pem.data(), copy.ca_pem.size()));
      }
      if (!copy.client_cert_pem.empty()) {
        context.use_certificate_chain(boost::asio::buffer(copy.client_cert_pem.data(), copy.client_cert_pem.size()));
        context.use_private_key(boost::asio::buffer(copy.client_key_pem.data(), copy.client_key_pem.size()),
                                boost::asio::ssl::context::pem);
      }
    });
    return out;
  }
};

StatusOr<std::unique_ptr<CppRestHttpTransport>> CppRestHttpTransport::Create(const KubeConfig& config,
                                                                             CppRestTransportOptions options) {
  if (!config.tls_server_name.empty()) {
    return InvalidArgumentError(config.source + " sets tls-server-name, which lifeboat does not support");
  }
  // cpprest's default pool has 40 threads; asio handlers never block, so a few suffice and keep the
  // operator's footprint small. Only possible before cpprest's first use in the process.
  static std::once_flag pool_once;
  std::call_once(pool_once, [] {
    try {
      crossplat::threadpool::initialize_with_threads(4);
    } catch (const std::exception&) {
      // Already initialised by an earlier user: keep its size.
    }
  });
  auto impl = std::make_unique<Impl>(config);
  // Check the TLS material now so a bad certificate is a startup error, not a failure per request.
  try {
    boost::asio::ssl::context probe(boost::asio::ssl::context::sslv23_client);
    if (!config.ca_pem.empty()) {
      probe.add_certificate_authority(boost::asio::buffer(config.ca_pem.data(), config.ca_pem.size()));
    }
    if (!config.client_cert_pem.empty()) {
      probe.use_certificate_chain(boost::asio::buffer(config.client_cert_pem.data(), config.client_cert_pem.size()));
      probe.use_private_key(boost::asio::buffer(config.client_key_pem.data(), config.client_key_pem.size()),
                            boost::asio::ssl::context::pem);
    }
  } catch (const std::exception& e) {
    return InvalidArgumentError("TLS configuration from " + config.source + " cannot be loaded: " + e.what());
  }
  try {
    web::uri base(config.server);
    impl->requests = std::make_unique<client::http_client>(base, impl->MakeConfig(options.request_timeout));
    impl->streams = std::make_unique<client::http_client>(base, impl->MakeConfig(options.stream_timeout));
  } catch (const std::exception& e) {
    return InvalidArgumentError("server URL \"" + config.server + "\" is not usable: " + e.what());
  }
  return std::unique_ptr<CppRestHttpTransport>(new CppRestHttpTransport(std::move(impl)));
}

CppRestHttpTransport::CppRestHttpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CppRestHttpTransport::~CppRestHttpTransport() = default;

StatusOr<HttpResponse> CppRestHttpTransport::Send(const HttpRequest& request) {
  try {
    http::http_response response =
        impl_->requests->request(BuildRequest(request, impl_->credentials.AuthorizationHeader())).get();
    HttpResponse out;
    CopyHead(response, out);
    out.body = response.extract_utf8string(/*ignore_content_type=*/true).get();
    return out;
  } catch (const std::exception& e) {
    return UnavailableError(request.method + " " + impl_->config.server + " failed: " + DescribeException(e));
  }
}

StatusOr<std::unique_ptr<HttpStream>> CppRestHttpTransport::OpenStream(const HttpRequest& request) {
  try {
    pplx::cancellation_token_source cancel;
    http::http_response response =
        impl_->streams->request(BuildRequest(request, impl_->credentials.AuthorizationHeader()), cancel.get_token())
            .get();
    HttpResponse head;
    CopyHead(response, head);
    if (head.status != 200) {
      head.body = response.extract_utf8string(true).get();
    }
    return std::unique_ptr<HttpStream>(new CppRestHttpStream(std::move(head), std::move(response), cancel));
  } catch (const std::exception& e) {
    return UnavailableError(request.method + " " + impl_->config.server + " failed: " + DescribeException(e));
  }
}

}  // namespace lifeboat::kube
