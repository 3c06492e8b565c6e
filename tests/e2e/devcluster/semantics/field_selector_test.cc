#include "e2e/devcluster/semantics/field_selector.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

const json kPod = {
    {"metadata", {{"name", "web-1"}, {"namespace", "prod"}}},
    {"spec", {{"nodeName", "node-a"}, {"replicas", 3}}},
    {"status", {{"phase", "Running"}}},
};

struct MatchCase {
  const char* selector;
  bool matches;
};

TEST(FieldSelectorTest, MatchesObjectFields) {
  const std::vector<std::string> pod_fields = {"status.phase", "spec.nodeName", "spec.replicas", "spec.missing"};
  const MatchCase cases[] = {
      {"", true},
      {"metadata.name=web-1", true},
      {"metadata.name==web-1", true},
      {"metadata.name=web-2", false},
      {"metadata.name!=web-2", true},
      {"metadata.name!=web-1", false},
      {"metadata.namespace=prod,metadata.name=web-1", true},
      {"metadata.namespace=prod,metadata.name=other", false},
      {"status.phase=Running", true},
      {"status.phase!=Succeeded,spec.nodeName=node-a", true},
      {"spec.replicas=3", true},
      {"spec.missing=", true},  // a missing field compares as ""
      {"spec.missing!=", false},
      {"metadata.name=", false},
  };
  for (const MatchCase& c : cases) {
    auto selector = FieldSelector::Parse(c.selector, pod_fields);
    ASSERT_TRUE(selector.ok()) << c.selector << ": " << selector.status();
    EXPECT_EQ(selector->Matches(kPod), c.matches) << c.selector;
  }
}

TEST(FieldSelectorTest, UnescapesCommasAndEqualsInValues) {
  auto selector = FieldSelector::Parse("metadata.name=a\\,b\\=c\\\\d");
  ASSERT_TRUE(selector.ok()) << selector.status();
  EXPECT_TRUE(selector->Matches(json{{"metadata", {{"name", "a,b=c\\d"}}}}));
  EXPECT_EQ(*selector->RequiredValue("metadata.name"), "a,b=c\\d");
  EXPECT_EQ(selector->RequiredValue("metadata.namespace"), nullptr);
}

TEST(FieldSelectorTest, RejectsUnsupportedFieldsWithTheRealText) {
  auto selector = FieldSelector::Parse("spec.foo=bar");
  ASSERT_FALSE(selector.ok());
  EXPECT_EQ(selector.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(selector.status().message(), "field label not supported: spec.foo");
  EXPECT_TRUE(FieldSelector::Parse("status.phase=Running", {"status.phase"}).ok());
}

TEST(FieldSelectorTest, RejectsTermsWithoutOperator) {
  auto selector = FieldSelector::Parse("metadata.name=x,oops");
  ASSERT_FALSE(selector.ok());
  EXPECT_EQ(selector.status().message(), "invalid selector: 'metadata.name=x,oops'; can't understand 'oops'");
}

TEST(FieldSelectorTest, RejectsInvalidEscapes) {
  auto selector = FieldSelector::Parse("metadata.name=a\\b");
  ASSERT_FALSE(selector.ok());
  EXPECT_EQ(selector.status().message(), "invalid field selector: invalid escape sequence: \\b");
}

}  // namespace
}  // namespace lifeboat::devcluster
