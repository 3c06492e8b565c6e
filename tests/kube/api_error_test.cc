#include "operator/kube/api_error.h"

#include <gtest/gtest.h>

namespace lifeboat::kube {
namespace {

// Bodies as a real kube-apiserver 1.24 sends them (k8s-wire 11, 13, 14).
constexpr const char* kConflict = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on gizmos.example.com \"g1\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"g1","group":"example.com","kind":"gizmos"},"code":409})";
constexpr const char* kAlreadyExists = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"gizmos.example.com \"g1\" already exists","reason":"AlreadyExists","details":{"name":"g1","group":"example.com","kind":"gizmos"},"code":409})";
constexpr const char* kNotFound = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"gizmos.example.com \"nope\" not found","reason":"NotFound","details":{"name":"nope","group":"example.com","kind":"gizmos"},"code":404})";

TEST(ApiErrorTest, ConflictIsAbortedAndKeepsTheServerMessageAndReason) {
  Status status = StatusFromHttp(409, kConflict);
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_NE(status.message().find("the object has been modified"), std::string::npos);
  EXPECT_NE(status.message().find("reason Conflict"), std::string::npos);
  EXPECT_NE(status.message().find("HTTP 409"), std::string::npos);
}

TEST(ApiErrorTest, AlreadyExistsIsDistinguishedFromConflictByReason) {
  Status status = StatusFromHttp(409, kAlreadyExists);
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(status.message().find("gizmos.example.com \"g1\" already exists"), std::string::npos);
}

TEST(ApiErrorTest, NotFoundKeepsTheServerMessage) {
  Status status = StatusFromHttp(404, kNotFound);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "gizmos.example.com \"nope\" not found (reason NotFound, HTTP 404)");
}

TEST(ApiErrorTest, MapsEveryHttpCodeToWhatTheCallerShouldDo) {
  struct Case {
    int code;
    StatusCode expected;
  } cases[] = {
      {400, StatusCode::kInvalidArgument}, {401, StatusCode::kPermissionDenied}, {403, StatusCode::kPermissionDenied},
      {404, StatusCode::kNotFound},        {405, StatusCode::kInvalidArgument},  {408, StatusCode::kUnavailable},
      {409, StatusCode::kAborted},         {410, StatusCode::kAborted},          {412, StatusCode::kFailedPrecondition},
      {415, StatusCode::kInvalidArgument}, {422, StatusCode::kInvalidArgument},  {429, StatusCode::kUnavailable},
      {500, StatusCode::kUnavailable},     {502, StatusCode::kUnavailable},      {503, StatusCode::kUnavailable},
      {504, StatusCode::kUnavailable},     {302, StatusCode::kInternal},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(StatusFromHttp(c.code, "").code(), c.expected) << "HTTP " << c.code;
  }
}

TEST(ApiErrorTest, RetryableCodesAreExactlyThoseWorthRetrying) {
  EXPECT_TRUE(StatusFromHttp(503, "").IsRetryable());
  EXPECT_TRUE(StatusFromHttp(429, "").IsRetryable());
  EXPECT_TRUE(StatusFromHttp(409, kConflict).IsRetryable());
  EXPECT_FALSE(StatusFromHttp(422, "").IsRetryable());
  EXPECT_FALSE(StatusFromHttp(403, "").IsRetryable());
}

TEST(ApiErrorTest, NonStatusBodiesAreKeptBoundedAsTheMessage) {
  Status status = StatusFromHttp(502, "Bad Gateway\n");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "Bad Gateway (HTTP 502)");
  Status huge = StatusFromHttp(500, std::string(10000, 'x'));
  EXPECT_LT(huge.message().size(), 600u);
}

TEST(ApiErrorTest, EmptyBodiesGetAMessageNamingTheCode) {
  ApiFailure failure = ParseApiFailure(403, "", "");
  EXPECT_EQ(failure.reason, "Forbidden");
  EXPECT_EQ(failure.message, "the server answered HTTP 403");
}

TEST(ApiErrorTest, RetryAfterComesFromTheHeaderOrTheStatusDetails) {
  EXPECT_EQ(ParseApiFailure(429, "", "7").retry_after, std::chrono::seconds(7));
  EXPECT_EQ(ParseApiFailure(429, R"({"kind":"Status","code":429,"details":{"retryAfterSeconds":3}})", "").retry_after,
            std::chrono::seconds(3));
  EXPECT_FALSE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
  EXPECT_FALSE(ParseRetryAfter("").has_value());
  EXPECT_EQ(ParseRetryAfter(" 12 "), std::chrono::seconds(12));
}

TEST(ApiErrorTest, ExpiredAndGoneAreRecognisedForRelisting) {
  EXPECT_TRUE(IsExpired(StatusFromHttp(410, R"j({"kind":"Status","reason":"Expired","message":"too old resource version: 1 (5)","code":410})j")));
  EXPECT_TRUE(IsExpired(StatusFromHttp(410, "")));
  EXPECT_FALSE(IsExpired(StatusFromHttp(409, kConflict)));
  EXPECT_FALSE(IsExpired(AbortedError("something else")));
}

}  // namespace
}  // namespace lifeboat::kube
