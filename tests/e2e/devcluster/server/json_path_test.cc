#include "e2e/devcluster/server/json_path.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

const nlohmann::json kGizmo = nlohmann::json::parse(R"({
  "metadata": {"name": "g1", "labels": {"app.kubernetes.io/name": "web"}},
  "spec": {"size": 4, "items": [{"n": 1}, {"n": 2}, {"n": 3}]},
  "status": {"conditions": [{"type": "Synced", "status": "False"}, {"type": "Ready", "status": "True"}]}
})");

std::vector<nlohmann::json> Eval(const std::string& expression) {
  auto path = JsonPath::Parse(expression);
  EXPECT_TRUE(path.ok()) << path.status();
  if (!path.ok()) return {};
  return path->Evaluate(kGizmo);
}

TEST(JsonPathTest, SelectsNestedFields) {
  EXPECT_EQ(Eval(".spec.size"), std::vector<nlohmann::json>{4});
  EXPECT_EQ(Eval("{.metadata.name}"), std::vector<nlohmann::json>{"g1"});
  EXPECT_EQ(Eval("spec.size"), std::vector<nlohmann::json>{4});
}

TEST(JsonPathTest, MissingFieldSelectsNothing) {
  EXPECT_TRUE(Eval(".spec.nope").empty());
  EXPECT_TRUE(Eval(".spec.size.deeper").empty());
}

TEST(JsonPathTest, FiltersListItemsByField) {
  EXPECT_EQ(Eval(R"(.status.conditions[?(@.type=="Ready")].status)"), std::vector<nlohmann::json>{"True"});
  EXPECT_EQ(Eval(R"(.status.conditions[?(@.type != 'Ready')].type)"), std::vector<nlohmann::json>{"Synced"});
  EXPECT_EQ(Eval(".spec.items[?(@.n > 1)].n"), (std::vector<nlohmann::json>{2, 3}));
  EXPECT_EQ(Eval(".status.conditions[?(@.missing)]").size(), 0u);
}

TEST(JsonPathTest, IndexesWildcardsAndQuotedKeys) {
  EXPECT_EQ(Eval(".spec.items[0].n"), std::vector<nlohmann::json>{1});
  EXPECT_EQ(Eval(".spec.items[-1].n"), std::vector<nlohmann::json>{3});
  EXPECT_EQ(Eval(".spec.items[*].n"), (std::vector<nlohmann::json>{1, 2, 3}));
  EXPECT_EQ(Eval(".metadata.labels['app.kubernetes.io/name']"), std::vector<nlohmann::json>{"web"});
  EXPECT_EQ(Eval(R"(.metadata.labels.app\.kubernetes\.io/name)"), std::vector<nlohmann::json>{"web"});
  EXPECT_EQ(Eval("..n"), (std::vector<nlohmann::json>{1, 2, 3}));
}

TEST(JsonPathTest, RejectsMalformedExpressions) {
  EXPECT_FALSE(JsonPath::Parse("").ok());
  EXPECT_FALSE(JsonPath::Parse(".spec.items[0").ok());
  EXPECT_FALSE(JsonPath::Parse(".spec.items[1:2]").ok());
  EXPECT_FALSE(JsonPath::Parse(".a[?(@.x ~ 1)]").ok());
  EXPECT_FALSE(JsonPath::Parse("{.a").ok());
}

}  // namespace
}  // namespace lifeboat::devcluster
