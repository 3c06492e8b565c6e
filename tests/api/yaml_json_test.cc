#include "operator/api/yaml_json.h"

#include <gtest/gtest.h>

namespace lifeboat::api {
namespace {

TEST(YamlJsonTest, TypesScalarsLikeKubernetes) {
  StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson(
      "a: 1\nb: true\nc: \"1\"\nd: 0 */6 * * *\ne: ~\nf: 1.5\ng: '5%'\nh: [x, 2]\ni: {j: k}\n");
  ASSERT_TRUE(docs.ok()) << docs.status();
  ASSERT_EQ(docs->size(), 1u);
  const nlohmann::json& j = (*docs)[0];
  EXPECT_EQ(j["a"], 1);
  EXPECT_EQ(j["b"], true);
  EXPECT_EQ(j["c"], "1");
  EXPECT_EQ(j["d"], "0 */6 * * *");
  EXPECT_TRUE(j["e"].is_null());
  EXPECT_EQ(j["f"], 1.5);
  EXPECT_EQ(j["g"], "5%");
  EXPECT_EQ(j["h"], nlohmann::json({"x", 2}));
  EXPECT_EQ(j["i"]["j"], "k");
}

TEST(YamlJsonTest, ReadsYaml11BooleansAsKubectlDoes) {
  StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson("a: yes\nb: Off\nc: \"yes\"\nd: !!str 10\ne: nope\n");
  ASSERT_TRUE(docs.ok()) << docs.status();
  const nlohmann::json& j = (*docs)[0];
  EXPECT_EQ(j["a"], true);
  EXPECT_EQ(j["b"], false);
  EXPECT_EQ(j["c"], "yes");
  EXPECT_EQ(j["d"], "10");
  EXPECT_EQ(j["e"], "nope");
}

TEST(YamlJsonTest, ReadsEveryDocumentAndSkipsEmptyOnes) {
  StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson("---\na: 1\n---\n---\nb: 2\n");
  ASSERT_TRUE(docs.ok());
  EXPECT_EQ(docs->size(), 2u);
}

TEST(YamlJsonTest, MalformedYamlIsAnError) {
  StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson("a: [1, 2\n");
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.status().message().find("malformed YAML"), std::string::npos);
}

}  // namespace
}  // namespace lifeboat::api
