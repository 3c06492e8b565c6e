#include "e2e/devcluster/server/yaml_to_json.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(YamlToJsonTest, ResolvesScalarsLikeTheCoreSchema) {
  auto json = YamlToJson("a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: '1'\ng: \"true\"\nh: hello\ni: 0x1F\nj: -3\nk: 08x\n");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, nlohmann::json::parse(
      R"({"a":1,"b":1.5,"c":true,"d":null,"e":null,"f":"1","g":"true","h":"hello","i":31,"j":-3,"k":"08x"})"));
}

TEST(YamlToJsonTest, ConvertsNestedStructures) {
  auto json = YamlToJson("metadata: {name: x, labels: {app: web}}\nspec:\n  items: [1, two, {k: v}]\n");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, nlohmann::json::parse(R"({"metadata":{"name":"x","labels":{"app":"web"}},"spec":{"items":[1,"two",{"k":"v"}]}})"));
}

TEST(YamlToJsonTest, RejectsMalformedYamlAndSeveralDocuments) {
  EXPECT_FALSE(YamlToJson("a: [1, 2").ok());
  EXPECT_FALSE(YamlToJson("a: 1\n---\nb: 2\n").ok());
}

}  // namespace
}  // namespace lifeboat::devcluster
