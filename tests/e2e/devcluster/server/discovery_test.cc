#include "e2e/devcluster/server/discovery.h"

#include <gtest/gtest.h>

#include "tests/e2e/devcluster/server/gizmo_crd.h"

namespace lifeboat::devcluster {
namespace {

const nlohmann::json* FindResource(const nlohmann::json& list, const std::string& name) {
  for (const auto& r : list["resources"]) {
    if (r["name"] == name) return &r;
  }
  return nullptr;
}

TEST(DiscoveryTest, CustomGroupVersionMatchesRecordedRealServerAnswer) {
  ResourceRegistry registry;
  registry.InstallCrd(testing::GizmoCrd());
  auto doc = ApiResourceListDocument(registry, "example.com", "v1");
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ((*doc)["kind"], "APIResourceList");
  EXPECT_EQ((*doc)["groupVersion"], "example.com/v1");
  const nlohmann::json* gizmos = FindResource(*doc, "gizmos");
  ASSERT_NE(gizmos, nullptr);
  EXPECT_EQ((*gizmos)["singularName"], "gizmo");
  EXPECT_EQ((*gizmos)["namespaced"], true);
  EXPECT_EQ((*gizmos)["kind"], "Gizmo");
  EXPECT_EQ((*gizmos)["shortNames"], nlohmann::json({"gz"}));
  EXPECT_EQ((*gizmos)["categories"], nlohmann::json({"example"}));
  for (const char* verb : {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}) {
    EXPECT_NE(std::find((*gizmos)["verbs"].begin(), (*gizmos)["verbs"].end(), verb), (*gizmos)["verbs"].end()) << verb;
  }
  const nlohmann::json* status = FindResource(*doc, "gizmos/status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ((*status)["verbs"], nlohmann::json({"get", "patch", "update"}));
  EXPECT_EQ((*status)["singularName"], "");
}

TEST(DiscoveryTest, GroupsAppearAndDisappearWithTheirCrd) {
  ResourceRegistry registry;
  auto names = [&registry] {
    std::vector<std::string> out;
    nlohmann::json doc = ApiGroupListDocument(registry);
    for (const auto& g : doc["groups"]) out.push_back(g["name"]);
    return out;
  };
  std::vector<std::string> without = names();
  EXPECT_EQ(std::count(without.begin(), without.end(), "example.com"), 0);
  registry.InstallCrd(testing::GizmoCrd());
  std::vector<std::string> with = names();
  EXPECT_EQ(std::count(with.begin(), with.end(), "example.com"), 1);
  EXPECT_EQ(std::count(with.begin(), with.end(), "apps"), 1);
  EXPECT_EQ(std::count(with.begin(), with.end(), ""), 0);  // core is served at /api, not /apis
  auto group = ApiGroupDocument(registry, "example.com");
  ASSERT_TRUE(group.has_value());
  EXPECT_EQ((*group)["preferredVersion"]["groupVersion"], "example.com/v1");
  registry.RemoveCrd("gizmos.example.com");
  EXPECT_FALSE(ApiResourceListDocument(registry, "example.com", "v1").has_value());
  EXPECT_FALSE(ApiGroupDocument(registry, "example.com").has_value());
}

TEST(DiscoveryTest, CoreListsPodLogAndScaleSubresources) {
  ResourceRegistry registry;
  auto core = ApiResourceListDocument(registry, "", "v1");
  ASSERT_TRUE(core.has_value());
  EXPECT_EQ((*core)["groupVersion"], "v1");
  ASSERT_NE(FindResource(*core, "pods/log"), nullptr);
  ASSERT_NE(FindResource(*core, "namespaces"), nullptr);
  EXPECT_EQ((*FindResource(*core, "namespaces"))["namespaced"], false);
  auto apps = ApiResourceListDocument(registry, "apps", "v1");
  ASSERT_TRUE(apps.has_value());
  const nlohmann::json* scale = FindResource(*apps, "deployments/scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ((*scale)["group"], "autoscaling");
  EXPECT_EQ((*scale)["kind"], "Scale");
  auto versions = ApiVersionsDocument("127.0.0.1:6443");
  EXPECT_EQ(versions["versions"], nlohmann::json({"v1"}));
  EXPECT_EQ(versions["serverAddressByClientCIDRs"][0]["serverAddress"], "127.0.0.1:6443");
}

}  // namespace
}  // namespace lifeboat::devcluster
