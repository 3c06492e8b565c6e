#include "operator/core/status.h"

#include <gtest/gtest.h>

namespace lifeboat {
namespace {

TEST(StatusTest, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "Ok");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status status = NotFoundError("secret \"db\" not found");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.ToString(), "NotFound: secret \"db\" not found");
}

TEST(StatusTest, OnlyUnavailableAndAbortedAreRetryable) {
  EXPECT_TRUE(UnavailableError("x").IsRetryable());
  EXPECT_TRUE(AbortedError("x").IsRetryable());
  EXPECT_FALSE(InvalidArgumentError("x").IsRetryable());
  EXPECT_FALSE(NotFoundError("x").IsRetryable());
  EXPECT_FALSE(PermissionDeniedError("x").IsRetryable());
}

TEST(StatusTest, WithContextPrefixesTheMessageAndKeepsTheCode) {
  Status status = UnavailableError("connection refused").WithContext("list jobs");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "list jobs: connection refused");
  EXPECT_TRUE(Status::Ok().WithContext("ignored").ok());
}

Status FailsWhenNegative(int x) {
  if (x < 0) return InvalidArgumentError("negative");
  return Status::Ok();
}

Status Chain(int x) {
  LIFEBOAT_RETURN_IF_ERROR(FailsWhenNegative(x));
  return AlreadyExistsError("reached the end");
}

TEST(StatusTest, ReturnIfErrorStopsAtTheFirstError) {
  EXPECT_EQ(Chain(-1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Chain(1).code(), StatusCode::kAlreadyExists);
}

TEST(StatusOrTest, HoldsAValueOrAnError) {
  StatusOr<int> value = 42;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
  StatusOr<int> error = AbortedError("conflict");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status().code(), StatusCode::kAborted);
}

}  // namespace
}  // namespace lifeboat
