#include "operator/runtime/http_server.h"

#include <gtest/gtest.h>

#include "tests/fakes/http_get.h"

namespace lifeboat::runtime {
namespace {

TEST(HttpServerTest, ServesRegisteredPathsOnAnEphemeralPort) {
  HttpServer server;
  server.Handle("/healthz", [] { return HttpReply{200, "text/plain", "ok\n"}; });
  server.Handle("/readyz", [] { return HttpReply{503, "text/plain", "not yet\n"}; });
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  ASSERT_GT(server.port(), 0);
  EXPECT_EQ(testing::HttpGet(server.port(), "/healthz"), std::make_pair(200, std::string("ok\n")));
  EXPECT_EQ(testing::HttpGet(server.port(), "/readyz?verbose").first, 503);
  EXPECT_EQ(testing::HttpGet(server.port(), "/nope").first, 404);
  EXPECT_EQ(testing::HttpGet(server.port(), "/healthz", "POST").first, 405);
  server.Stop();
  EXPECT_EQ(testing::HttpGet(server.port(), "/healthz").first, 0);
}

TEST(HttpServerTest, ParsesAddresses) {
  EXPECT_EQ(*HttpServer::ParseAddress(":8080"), std::make_pair(std::string(), 8080));
  EXPECT_EQ(*HttpServer::ParseAddress("0.0.0.0:9090"), std::make_pair(std::string(), 9090));
  EXPECT_EQ(*HttpServer::ParseAddress("127.0.0.1:0"), std::make_pair(std::string("127.0.0.1"), 0));
  EXPECT_FALSE(HttpServer::ParseAddress("8080").ok());
  EXPECT_FALSE(HttpServer::ParseAddress("host:").ok());
  EXPECT_FALSE(HttpServer::ParseAddress(":70000").ok());
  HttpServer server;
  EXPECT_EQ(server.Start("not-an-ip:80").code(), StatusCode::kInvalidArgument);
}

TEST(HttpServerTest, APortInUseIsUnavailable) {
  HttpServer first;
  ASSERT_TRUE(first.Start("127.0.0.1:0").ok());
  HttpServer second;
  EXPECT_EQ(second.Start("127.0.0.1:" + std::to_string(first.port())).code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace lifeboat::runtime
