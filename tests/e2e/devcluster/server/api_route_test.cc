#include "e2e/devcluster/server/api_route.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(ApiRouteTest, ParsesNamespacedCoreObject) {
  ApiRoute r = ParseApiRoute("/api/v1/namespaces/default/configmaps/cm1");
  EXPECT_EQ(r.kind, RouteKind::kResource);
  EXPECT_EQ(r.group, "");
  EXPECT_EQ(r.version, "v1");
  EXPECT_EQ(r.namespace_name, "default");
  EXPECT_EQ(r.resource, "configmaps");
  EXPECT_EQ(r.name, "cm1");
  EXPECT_EQ(r.subresource, "");
}

TEST(ApiRouteTest, ParsesGroupCollectionAcrossNamespaces) {
  ApiRoute r = ParseApiRoute("/apis/example.com/v1/gizmos");
  EXPECT_EQ(r.kind, RouteKind::kResource);
  EXPECT_EQ(r.group, "example.com");
  EXPECT_EQ(r.namespace_name, "");
  EXPECT_EQ(r.resource, "gizmos");
  EXPECT_EQ(r.name, "");
}

TEST(ApiRouteTest, ParsesSubresources) {
  ApiRoute status = ParseApiRoute("/apis/example.com/v1/namespaces/ns/gizmos/g1/status");
  EXPECT_EQ(status.subresource, "status");
  EXPECT_EQ(status.name, "g1");
  ApiRoute scale = ParseApiRoute("/apis/apps/v1/namespaces/ns/deployments/web/scale");
  EXPECT_EQ(scale.subresource, "scale");
  ApiRoute log = ParseApiRoute("/api/v1/namespaces/ns/pods/p/log");
  EXPECT_EQ(log.resource, "pods");
  EXPECT_EQ(log.subresource, "log");
}

TEST(ApiRouteTest, TreatsNamespacesAsClusterScopedResource) {
  ApiRoute list = ParseApiRoute("/api/v1/namespaces");
  EXPECT_EQ(list.resource, "namespaces");
  EXPECT_EQ(list.name, "");
  ApiRoute one = ParseApiRoute("/api/v1/namespaces/prod");
  EXPECT_EQ(one.resource, "namespaces");
  EXPECT_EQ(one.name, "prod");
  EXPECT_EQ(one.namespace_name, "");
  ApiRoute status = ParseApiRoute("/api/v1/namespaces/prod/status");
  EXPECT_EQ(status.resource, "namespaces");
  EXPECT_EQ(status.name, "prod");
  EXPECT_EQ(status.subresource, "status");
  ApiRoute finalize = ParseApiRoute("/api/v1/namespaces/prod/finalize");
  EXPECT_EQ(finalize.subresource, "finalize");
}

TEST(ApiRouteTest, ParsesClusterScopedGroupObject) {
  ApiRoute r = ParseApiRoute("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.example.com");
  EXPECT_EQ(r.resource, "customresourcedefinitions");
  EXPECT_EQ(r.name, "gizmos.example.com");
  EXPECT_EQ(r.namespace_name, "");
}

TEST(ApiRouteTest, RecognisesLegacyWatchPrefix) {
  ApiRoute r = ParseApiRoute("/api/v1/watch/namespaces/ns/configmaps/cm");
  EXPECT_TRUE(r.legacy_watch);
  EXPECT_EQ(r.namespace_name, "ns");
  EXPECT_EQ(r.name, "cm");
}

TEST(ApiRouteTest, ParsesDiscoveryAndNonResourcePaths) {
  EXPECT_EQ(ParseApiRoute("/api").kind, RouteKind::kCoreVersions);
  EXPECT_EQ(ParseApiRoute("/api/").kind, RouteKind::kCoreVersions);
  EXPECT_EQ(ParseApiRoute("/api/v1").kind, RouteKind::kResourceList);
  EXPECT_EQ(ParseApiRoute("/apis").kind, RouteKind::kGroupList);
  EXPECT_EQ(ParseApiRoute("/apis/apps").kind, RouteKind::kGroup);
  ApiRoute gv = ParseApiRoute("/apis/apps/v1");
  EXPECT_EQ(gv.kind, RouteKind::kResourceList);
  EXPECT_EQ(gv.group, "apps");
  EXPECT_EQ(ParseApiRoute("/version").kind, RouteKind::kVersion);
  EXPECT_EQ(ParseApiRoute("/readyz").kind, RouteKind::kHealth);
  EXPECT_EQ(ParseApiRoute("/livez/ping").health_check, "livez");
  EXPECT_EQ(ParseApiRoute("/openapi/v2").kind, RouteKind::kOpenApiV2);
  EXPECT_EQ(ParseApiRoute("/openapi/v3").kind, RouteKind::kOpenApiV3Index);
  ApiRoute doc = ParseApiRoute("/openapi/v3/apis/example.com/v1");
  EXPECT_EQ(doc.kind, RouteKind::kOpenApiV3Document);
  EXPECT_EQ(doc.group, "example.com");
  EXPECT_EQ(doc.version, "v1");
  EXPECT_EQ(ParseApiRoute("/openapi/v3/api/v1").kind, RouteKind::kOpenApiV3Document);
}

TEST(ApiRouteTest, RejectsUnknownOrTooDeepPaths) {
  EXPECT_EQ(ParseApiRoute("/").kind, RouteKind::kNotFound);
  EXPECT_EQ(ParseApiRoute("/foo").kind, RouteKind::kNotFound);
  EXPECT_EQ(ParseApiRoute("/api/v1/namespaces/ns/pods/p/log/extra").kind, RouteKind::kNotFound);
}

}  // namespace
}  // namespace lifeboat::devcluster
