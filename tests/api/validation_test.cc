#include "operator/api/validation.h"

#include <gtest/gtest.h>

namespace lifeboat::api {
namespace {

TEST(ValidationTest, DnsNames) {
  FieldErrors errors;
  EXPECT_TRUE(ValidateDnsSubdomain("shop-postgres.v1", "f", &errors));
  EXPECT_FALSE(ValidateDnsSubdomain("Shop", "f", &errors));
  EXPECT_FALSE(ValidateDnsSubdomain("", "g", &errors));
  EXPECT_TRUE(ValidateDnsLabel("uploads", "f", &errors));
  EXPECT_FALSE(ValidateDnsLabel("up.loads", "h", &errors));
  EXPECT_FALSE(ValidateDnsLabel(std::string(64, 'a'), "h", &errors));
  EXPECT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors.errors()[1].ToString(), "g: Required value");
}

TEST(ValidationTest, SubPathsStayInsideTheVolume) {
  FieldErrors errors;
  EXPECT_TRUE(ValidateSubPath("", "p", &errors));
  EXPECT_TRUE(ValidateSubPath("a/b..c/d", "p", &errors));
  EXPECT_FALSE(ValidateSubPath("/etc", "p", &errors));
  EXPECT_FALSE(ValidateSubPath("..", "p", &errors));
  EXPECT_FALSE(ValidateSubPath("a/../../b", "p", &errors));
  EXPECT_FALSE(ValidateSubPath("a/..", "p", &errors));
}

TEST(ValidationTest, Quantities) {
  FieldErrors errors;
  for (const char* good : {"10Gi", "500M", "1", "1.5Gi", "100m", "1e3"}) EXPECT_TRUE(ValidateQuantity(good, "q", &errors)) << good;
  for (const char* bad : {"", "10 Gi", "ten", "10GB", "-"}) EXPECT_FALSE(ValidateQuantity(bad, "q", &errors)) << bad;
}

TEST(ValidationTest, Labels) {
  FieldErrors errors;
  EXPECT_TRUE(ValidateLabel("app", "shop", "s", &errors));
  EXPECT_TRUE(ValidateLabel("app.kubernetes.io/instance", "shop-postgres-b", "s", &errors));
  EXPECT_TRUE(ValidateLabel("app", "", "s", &errors));
  EXPECT_FALSE(ValidateLabel("/app", "x", "s", &errors));
  EXPECT_FALSE(ValidateLabel("Example.com/app", "x", "s", &errors));
  EXPECT_FALSE(ValidateLabel("app", "not valid", "s", &errors));
  EXPECT_EQ(errors.errors().back().ToString(),
            "s.app: Invalid value: \"not valid\": must be a label value (at most 63 letters, digits, '-', '_', '.')");
}

TEST(ValidationTest, DurationsAndSchedules) {
  FieldErrors errors;
  EXPECT_EQ(ValidateDuration("6h30m", "d", true, &errors), std::chrono::minutes(390));
  EXPECT_FALSE(ValidateDuration("0", "d", true, &errors).has_value());
  EXPECT_TRUE(ValidateDuration("0", "d", false, &errors).has_value());
  EXPECT_TRUE(ValidateSchedule("@weekly", "Europe/Berlin", "s", &errors));
  EXPECT_FALSE(ValidateSchedule("@fortnightly", "", "s", &errors));
  EXPECT_TRUE(ValidateTimeZone("America/New_York", "z", &errors));
  EXPECT_FALSE(ValidateTimeZone("EST5EDT8", "z", &errors));
  EXPECT_EQ(errors.size(), 3u);
}

}  // namespace
}  // namespace lifeboat::api
