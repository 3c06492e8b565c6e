#include "e2e/devcluster/store/api_error.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

TEST(ApiErrorTest, ConflictMatchesTheRecordedStatus) {
  EXPECT_EQ(ApiError::Conflict("example.com", "gizmos", "g1").ToStatus(), json::parse(R"({"kind":"Status",
    "apiVersion":"v1","metadata":{},"status":"Failure","message":"Operation cannot be fulfilled on gizmos.example.com \"g1\": the object has been modified; please apply your changes to the latest version and try again",
    "reason":"Conflict","details":{"name":"g1","group":"example.com","kind":"gizmos"},"code":409})"));
}

TEST(ApiErrorTest, NotFoundOfACoreKindHasNoGroup) {
  json status = ApiError::NotFound("", "namespaces", "x").ToStatus();
  EXPECT_EQ(status["message"], "namespaces \"x\" not found");
  EXPECT_EQ(status["details"], json::parse(R"({"name":"x","kind":"namespaces"})"));
  EXPECT_EQ(status["code"], 404);
}

TEST(ApiErrorTest, InvalidWithOneCauseHasNoBrackets) {
  ApiError error = ApiError::Invalid("", "Pod", "p", {{"FieldValueRequired", "Required value", "spec.containers"}});
  EXPECT_EQ(error.message, "Pod \"p\" is invalid: spec.containers: Required value");
  EXPECT_EQ(error.details["kind"], "Pod");
  EXPECT_FALSE(error.details.contains("group"));
  EXPECT_EQ(error.code, 422);
}

TEST(ApiErrorTest, ExpiredWatchIsA410WithoutDetails) {
  json status = ApiError::TooOldResourceVersion(1, 245).ToStatus();
  EXPECT_EQ(status, json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
    "message":"too old resource version: 1 (245)","reason":"Expired","code":410})J"));
}

TEST(ApiErrorTest, MethodNotSupportedAndInternalUseTheRealReasons) {
  EXPECT_EQ(ApiError::MethodNotSupported("", "namespaces").reason, "MethodNotAllowed");
  EXPECT_EQ(ApiError::MethodNotSupported("", "namespaces").code, 405);
  EXPECT_EQ(ApiError::Internal("disk full").message, "Internal error occurred: disk full");
  EXPECT_EQ(ApiError::TooLargeResourceVersion(10, 5).code, 504);
}

TEST(ApiResultTest, HoldsEitherAValueOrAnError) {
  ApiResult<int> value = 3;
  ApiResult<int> error = ApiError::BadRequest("no");
  EXPECT_TRUE(value.ok());
  EXPECT_EQ(*value, 3);
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.error().code, 400);
  EXPECT_EQ(error.error().reason, "BadRequest");
}

}  // namespace
}  // namespace lifeboat::devcluster
