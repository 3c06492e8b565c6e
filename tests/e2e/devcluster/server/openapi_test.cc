#include "e2e/devcluster/server/openapi.h"

#include <gtest/gtest.h>

#include "tests/e2e/devcluster/server/gizmo_crd.h"

namespace lifeboat::devcluster {
namespace {

bool HasQueryParam(const nlohmann::json& operation, const std::string& name) {
  for (const auto& p : operation["parameters"]) {
    if (p["name"] == name && p["in"] == "query") return true;
  }
  return false;
}

TEST(OpenApiTest, CustomKindDocumentAdvertisesServerSideFieldValidation) {
  ResourceRegistry registry;
  registry.InstallCrd(testing::GizmoCrd());
  auto doc = BuildOpenApiV3Document(registry, "example.com", "v1");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ((*doc)["openapi"], "3.0.0");
  const nlohmann::json& item = (*doc)["paths"]["/apis/example.com/v1/namespaces/{namespace}/gizmos/{name}"];
  ASSERT_TRUE(item.contains("patch"));
  // kubectl's QueryParamVerifierV3 looks for fieldValidation on the PATCH operation with the GVK.
  EXPECT_TRUE(HasQueryParam(item["patch"], "fieldValidation"));
  EXPECT_EQ(item["patch"]["x-kubernetes-group-version-kind"],
            nlohmann::json({{"group", "example.com"}, {"version", "v1"}, {"kind", "Gizmo"}}));
  EXPECT_FALSE(item["patch"]["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  EXPECT_TRUE(item["patch"]["requestBody"]["content"].contains("application/merge-patch+json"));
  EXPECT_TRUE((*doc)["paths"].contains("/apis/example.com/v1/namespaces/{namespace}/gizmos/{name}/status"));
  EXPECT_TRUE((*doc)["paths"].contains("/apis/example.com/v1/gizmos"));
  const nlohmann::json& schema = (*doc)["components"]["schemas"]["com.example.v1.Gizmo"];
  EXPECT_EQ(schema["properties"]["spec"]["properties"]["mode"]["enum"], nlohmann::json({"fast", "safe"}));
  EXPECT_EQ(schema["properties"]["metadata"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_TRUE((*doc)["components"]["schemas"].contains("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
}

TEST(OpenApiTest, BuiltinKindsOfferStrategicMergeAndTheirSchemas) {
  ResourceRegistry registry;
  auto doc = BuildOpenApiV3Document(registry, "apps", "v1");
  ASSERT_TRUE(doc.has_value());
  const nlohmann::json& item = (*doc)["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
  EXPECT_TRUE(item["patch"]["requestBody"]["content"].contains("application/strategic-merge-patch+json"));
  EXPECT_TRUE(HasQueryParam(item["post"].is_null() ? item["put"] : item["put"], "fieldValidation"));
  EXPECT_TRUE((*doc)["paths"].contains("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"));
  const nlohmann::json& deployment = (*doc)["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"];
  EXPECT_EQ(deployment["x-kubernetes-group-version-kind"][0]["kind"], "Deployment");
  EXPECT_TRUE(deployment["properties"].contains("spec"));
}

TEST(OpenApiTest, IndexHashChangesWhenACrdIsInstalled) {
  ResourceRegistry registry;
  OpenApiCache cache;
  nlohmann::json before = nlohmann::json::parse(cache.V3Index(registry));
  EXPECT_TRUE(before["paths"].contains("api/v1"));
  EXPECT_FALSE(before["paths"].contains("apis/example.com/v1"));
  registry.InstallCrd(testing::GizmoCrd());
  nlohmann::json after = nlohmann::json::parse(cache.V3Index(registry));
  ASSERT_TRUE(after["paths"].contains("apis/example.com/v1"));
  std::string url = after["paths"]["apis/example.com/v1"]["serverRelativeURL"];
  auto document = cache.V3Document(registry, "example.com", "v1");
  ASSERT_TRUE(document.has_value());
  EXPECT_EQ(url, "/openapi/v3/apis/example.com/v1?hash=" + OpenApiHash(*document));
  EXPECT_FALSE(cache.V3Document(registry, "nope.example.com", "v1").has_value());
}

TEST(OpenApiTest, V2DocumentUsesDefinitionsReferences) {
  ResourceRegistry registry;
  registry.InstallCrd(testing::GizmoCrd());
  nlohmann::json v2 = BuildOpenApiV2Document(registry);
  EXPECT_EQ(v2["swagger"], "2.0");
  EXPECT_TRUE(v2["definitions"].contains("com.example.v1.Gizmo"));
  std::string text = v2.dump();
  EXPECT_EQ(text.find("#/components/schemas/"), std::string::npos);
  const nlohmann::json& patch = v2["paths"]["/apis/example.com/v1/namespaces/{namespace}/gizmos/{name}"]["patch"];
  bool has_body = false;
  for (const auto& p : patch["parameters"]) has_body = has_body || p["in"] == "body";
  EXPECT_TRUE(has_body);
}

}  // namespace
}  // namespace lifeboat::devcluster
