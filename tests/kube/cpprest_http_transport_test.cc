// Component test: CppRestHttpTransport and HttpApiClient against a tiny local HTTP listener that
// answers with scripted bytes (chunked watch bodies split mid-line, slow streams, throttling).
#include "operator/kube/cpprest_http_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <functional>
#include <future>
#include <thread>

#include "operator/core/clock.h"
#include "operator/kube/api_error.h"
#include "operator/kube/http_api_client.h"

namespace lifeboat::kube {
namespace {

using namespace std::chrono_literals;

// Accepts connections one at a time; each is handed to the next scripted function.
class ScriptedServer {
 public:
  using Script = std::function<void(int fd, const std::string& request)>;

  ScriptedServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }

  void Serve(std::vector<Script> scripts) {
    thread_ = std::thread([this, scripts = std::move(scripts)] {
      for (const auto& script : scripts) {
        int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
          ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
          if (n <= 0) break;
          request.append(buffer, static_cast<size_t>(n));
        }
        auto length_at = request.find("Content-Length: ");
        if (length_at != std::string::npos) {
          size_t length = std::stoul(request.substr(length_at + 16));
          size_t body_at = request.find("\r\n\r\n") + 4;
          while (request.size() - body_at < length) {
            ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
            if (n <= 0) break;
            request.append(buffer, static_cast<size_t>(n));
          }
        }
        {
          std::lock_guard lock(mutex_);
          requests_.push_back(request);
        }
        script(client, request);
        ::close(client);
      }
    });
  }

  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  static void Write(int fd, const std::string& bytes) { ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  static std::string Chunk(const std::string& data) {
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    return size + data + "\r\n";
  }

 private:
  int fd_;
  int port_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> requests_;
};

KubeConfig LocalConfig(int port) {
  KubeConfig config;
  config.server = "http://127.0.0.1:" + std::to_string(port);
  config.token = "local-test-token";
  config.source = "test";
  return config;
}

const ResourceRef kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};

TEST(CppRestHttpTransportTest, SendsRequestsWithTheBearerTokenAndReadsAnswers) {
  ScriptedServer server;
  server.Serve({[](int fd, const std::string&) {
    std::string body = R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a","namespace":"d"}})";
    ScriptedServer::Write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body);
  }});
  auto transport = CppRestHttpTransport::Create(LocalConfig(server.port()));
  ASSERT_TRUE(transport.ok()) << transport.status();
  HttpApiClient client(**transport, SystemClock::Instance());
  auto got = client.Get(kConfigMaps, "d", "a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["metadata"]["name"], "a");
  auto request = server.requests().at(0);
  EXPECT_EQ(request.rfind("GET /api/v1/namespaces/d/configmaps/a HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("Authorization:Bearer local-test-token"), std::string::npos);
  EXPECT_NE(request.find("Accept:application/json"), std::string::npos);
}

TEST(CppRestHttpTransportTest, StreamsWatchEventsAsTheyArriveAcrossChunkBoundaries) {
  ScriptedServer server;
  std::promise<void> first_event_seen;
  auto seen = first_event_seen.get_future();
  const std::string line1 = R"({"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"5"}}})";
  const std::string line2 = R"({"type":"MODIFIED","object":{"kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"6"}}})";
  server.Serve({[&](int fd, const std::string&) {
    ScriptedServer::Write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    // The first line, split over two chunks; the second event is only sent after the client saw the first.
    ScriptedServer::Write(fd, ScriptedServer::Chunk(line1.substr(0, 20)));
    std::this_thread::sleep_for(20ms);
    ScriptedServer::Write(fd, ScriptedServer::Chunk(line1.substr(20) + "\n" + line2.substr(0, 7)));
    seen.wait_for(5s);
    ScriptedServer::Write(fd, ScriptedServer::Chunk(line2.substr(7) + "\n"));
    ScriptedServer::Write(fd, "0\r\n\r\n");
  }});
  auto transport = CppRestHttpTransport::Create(LocalConfig(server.port()));
  ASSERT_TRUE(transport.ok());
  HttpApiClient client(**transport, SystemClock::Instance());
  WatchOptions options;
  options.resource_version = "4";
  auto stream = client.Watch(kConfigMaps, "d", options);
  ASSERT_TRUE(stream.ok()) << stream.status();
  auto first = (*stream)->Next();
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status();
  EXPECT_EQ((**first).type, WatchEventType::kAdded);
  first_event_seen.set_value();
  auto second = (*stream)->Next();
  ASSERT_TRUE(second.ok() && second->has_value()) << second.status();
  EXPECT_EQ(ObjectResourceVersion((**second).object), "6");
  auto end = (*stream)->Next();
  ASSERT_TRUE(end.ok()) << end.status();
  EXPECT_FALSE(end->has_value());
  EXPECT_NE(server.requests().at(0).find("watch=1&resourceVersion=4&allowWatchBookmarks=true"), std::string::npos);
}

TEST(CppRestHttpTransportTest, CancelUnblocksAWatchWaitingForEvents) {
  ScriptedServer server;
  std::promise<void> done;
  auto finished = done.get_future();
  server.Serve({[&](int fd, const std::string&) {
    ScriptedServer::Write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    finished.wait_for(10s);
  }});
  auto transport = CppRestHttpTransport::Create(LocalConfig(server.port()));
  ASSERT_TRUE(transport.ok());
  HttpApiClient client(**transport, SystemClock::Instance());
  auto stream = client.Watch(kConfigMaps, "d", {});
  ASSERT_TRUE(stream.ok()) << stream.status();
  WatchStream* raw = stream->get();
  std::thread canceller([raw] {
    std::this_thread::sleep_for(100ms);
    raw->Cancel();
  });
  auto start = std::chrono::steady_clock::now();
  auto next = raw->Next();
  EXPECT_FALSE(next.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  canceller.join();
  done.set_value();
}

TEST(CppRestHttpTransportTest, HonoursRetryAfterOn429) {
  ScriptedServer server;
  server.Serve({[](int fd, const std::string&) {
                  std::string body = R"({"kind":"Status","reason":"TooManyRequests","message":"slow down","code":429})";
                  ScriptedServer::Write(fd, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: " +
                                                std::to_string(body.size()) + "\r\n\r\n" + body);
                },
                [](int fd, const std::string&) {
                  std::string body = R"({"kind":"ConfigMap","metadata":{"name":"a"}})";
                  ScriptedServer::Write(fd, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) +
                                                "\r\n\r\n" + body);
                }});
  auto transport = CppRestHttpTransport::Create(LocalConfig(server.port()));
  ASSERT_TRUE(transport.ok());
  std::vector<std::chrono::milliseconds> waits;
  HttpApiClientOptions options;
  options.sleep = [&](std::chrono::milliseconds d) { waits.push_back(d); };
  HttpApiClient client(**transport, SystemClock::Instance(), options);
  auto got = client.Get(kConfigMaps, "d", "a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(waits, std::vector<std::chrono::milliseconds>{1s});
}

TEST(CppRestHttpTransportTest, ARefusedConnectionIsUnavailable) {
  int port;
  {
    ScriptedServer server;  // Bound, then closed: nothing listens there any more.
    port = server.port();
  }
  auto transport = CppRestHttpTransport::Create(LocalConfig(port));
  ASSERT_TRUE(transport.ok());
  HttpApiClient client(**transport, SystemClock::Instance());
  EXPECT_EQ(client.Get(kConfigMaps, "d", "a").status().code(), StatusCode::kUnavailable);
}

TEST(CppRestHttpTransportTest, BadTlsMaterialIsAStartupError) {
  KubeConfig config = LocalConfig(1);
  config.server = "https://127.0.0.1:1";
  config.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
  auto transport = CppRestHttpTransport::Create(config);
  ASSERT_FALSE(transport.ok());
  EXPECT_EQ(transport.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lifeboat::kube
