#include "e2e/devcluster/semantics/label_syntax.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(LabelSyntaxTest, AcceptsQualifiedNames) {
  for (const char* name : {"app", "App_1", "a.b-c", "app.kubernetes.io/name", "lifeboat.dev/policy", "x/y", "1"}) {
    EXPECT_EQ(ValidateQualifiedName(name), "") << name;
  }
}

TEST(LabelSyntaxTest, RejectsBadQualifiedNamesWithTheRealMessages) {
  const std::string name_rule =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  EXPECT_EQ(ValidateQualifiedName("-a"), name_rule);
  EXPECT_EQ(ValidateQualifiedName("a-"), name_rule);
  EXPECT_EQ(ValidateQualifiedName(""), "name part must be non-empty");
  EXPECT_EQ(ValidateQualifiedName("x/"), "name part must be non-empty");
  EXPECT_EQ(ValidateQualifiedName("/x"), "prefix part must be non-empty");
  EXPECT_EQ(ValidateQualifiedName(std::string(64, 'a')), "name part must be no more than 63 characters");
  EXPECT_EQ(ValidateQualifiedName("Example.com/x"),
            "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
            "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
            "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  EXPECT_EQ(ValidateQualifiedName("a/b/c").rfind("a qualified name must consist of", 0), 0u);
}

TEST(LabelSyntaxTest, ValidatesLabelValues) {
  EXPECT_EQ(ValidateLabelValue(""), "");
  EXPECT_EQ(ValidateLabelValue("v1.2_3-x"), "");
  EXPECT_EQ(ValidateLabelValue(std::string(64, 'a')), "must be no more than 63 characters");
  EXPECT_NE(ValidateLabelValue("a b"), "");
  EXPECT_NE(ValidateLabelValue("-a"), "");
}

TEST(LabelSyntaxTest, ValidatesDns1123Subdomains) {
  EXPECT_EQ(ValidateDns1123Subdomain("gizmos.example.com"), "");
  EXPECT_NE(ValidateDns1123Subdomain("Gizmos"), "");
  EXPECT_NE(ValidateDns1123Subdomain("a..b"), "");
  EXPECT_NE(ValidateDns1123Subdomain("-a"), "");
  EXPECT_EQ(ValidateDns1123Subdomain(std::string(254, 'a')).rfind("must be no more than 253 characters", 0), 0u);
}

}  // namespace
}  // namespace lifeboat::devcluster
