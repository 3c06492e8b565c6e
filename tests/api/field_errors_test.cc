#include "operator/api/field_errors.h"

#include <gtest/gtest.h>

namespace lifeboat::api {
namespace {

TEST(FieldErrorsTest, FormatsLikeKubernetesFieldErrors) {
  FieldErrors errors;
  errors.Required("spec.schedule");
  errors.Invalid("spec.size", "0", "must be at least 1");
  errors.NotSupported("spec.mode", Quote("turbo"), {"fast", "safe"});
  errors.Duplicate("spec.media[1].name", Quote("uploads"));
  errors.Forbidden("spec.maxLagBytes", "not for Switchover");
  EXPECT_EQ(errors.errors()[0].ToString(), "spec.schedule: Required value");
  EXPECT_EQ(errors.errors()[1].ToString(), "spec.size: Invalid value: 0: must be at least 1");
  EXPECT_EQ(errors.errors()[2].ToString(), "spec.mode: Unsupported value: \"turbo\": supported values: \"fast\", \"safe\"");
  EXPECT_EQ(errors.errors()[3].ToString(), "spec.media[1].name: Duplicate value: \"uploads\"");
  EXPECT_EQ(errors.errors()[4].ToString(), "spec.maxLagBytes: Forbidden: not for Switchover");
  EXPECT_STREQ(errors.errors()[2].Reason(), "FieldValueNotSupported");
  EXPECT_TRUE(errors.Has("spec.size"));
  EXPECT_FALSE(errors.Has("spec"));
}

TEST(FieldErrorsTest, ToStatusIsOkWhenEmptyAndInvalidArgumentOtherwise) {
  FieldErrors errors;
  EXPECT_TRUE(errors.ToStatus("BackupPolicy shop/x").ok());
  errors.Required("spec.schedule");
  Status status = errors.ToStatus("BackupPolicy shop/x");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "BackupPolicy shop/x is invalid: spec.schedule: Required value");
}

TEST(FieldErrorsTest, QuoteEscapes) { EXPECT_EQ(Quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\""); }

}  // namespace
}  // namespace lifeboat::api
