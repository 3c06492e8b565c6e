#include "e2e/devcluster/store/resource_registry.h"

#include <gtest/gtest.h>

#include "tests/e2e/devcluster/store/store_test_util.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

TEST(ResourceRegistryTest, ServesTheBuiltinKinds) {
  ResourceRegistry registry;
  struct Expected {
    const char* group;
    const char* version;
    const char* plural;
    const char* kind;
    bool namespaced;
  };
  for (const Expected& e : std::vector<Expected>{{"", "v1", "namespaces", "Namespace", false},
                                                  {"", "v1", "secrets", "Secret", true},
                                                  {"", "v1", "configmaps", "ConfigMap", true},
                                                  {"", "v1", "services", "Service", true},
                                                  {"", "v1", "pods", "Pod", true},
                                                  {"", "v1", "events", "Event", true},
                                                  {"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true},
                                                  {"", "v1", "serviceaccounts", "ServiceAccount", true},
                                                  {"apps", "v1", "deployments", "Deployment", true},
                                                  {"apps", "v1", "replicasets", "ReplicaSet", true},
                                                  {"apps", "v1", "statefulsets", "StatefulSet", true},
                                                  {"batch", "v1", "jobs", "Job", true},
                                                  {"coordination.k8s.io", "v1", "leases", "Lease", true},
                                                  {"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                                                   "CustomResourceDefinition", false}}) {
    ResourceInfoPtr info = registry.Find(e.group, e.version, e.plural);
    ASSERT_NE(info, nullptr) << e.plural;
    EXPECT_EQ(info->kind, e.kind);
    EXPECT_EQ(info->namespaced, e.namespaced) << e.plural;
  }
  EXPECT_TRUE(registry.Find("apps", "v1", "deployments")->scale.has_value());
  EXPECT_TRUE(registry.Find("apps", "v1", "replicasets")->scale.has_value());
  EXPECT_EQ(registry.Resolve("rs"), registry.Find("apps", "v1", "replicasets"));
  EXPECT_TRUE(registry.Find("", "v1", "pods")->has_status);
  EXPECT_FALSE(registry.Find("", "v1", "configmaps")->has_status);
  EXPECT_EQ(registry.Find("", "v1", "pods")->GroupResource(), "pods");
  EXPECT_EQ(registry.Find("batch", "v1", "jobs")->GroupKind(), "Job.batch");
}

TEST(ResourceRegistryTest, ResolvesWhatKubectlTypes) {
  ResourceRegistry registry;
  EXPECT_EQ(registry.Resolve("deploy")->plural, "deployments");
  EXPECT_EQ(registry.Resolve("Pod")->plural, "pods");
  EXPECT_EQ(registry.Resolve("jobs.batch")->group, "batch");
  EXPECT_EQ(registry.Resolve("crd")->kind, "CustomResourceDefinition");
  EXPECT_EQ(registry.Resolve("gizmos"), nullptr);
}

TEST(ResourceRegistryTest, InstallingAndRemovingACrdChangesTheKindsAtOnce) {
  ResourceRegistry registry;
  uint64_t epoch = registry.Epoch();
  json crd = testing::GizmoCrd();
  ASSERT_TRUE(ResourceRegistry::ValidateCrd(crd).empty());
  crd["spec"]["names"]["listKind"] = "GizmoList";
  registry.InstallCrd(crd);
  EXPECT_GT(registry.Epoch(), epoch);
  ResourceInfoPtr info = registry.Find("example.com", "v1", "gizmos");
  ASSERT_NE(info, nullptr);
  EXPECT_TRUE(info->custom);
  EXPECT_EQ(info->short_names, std::vector<std::string>{"gz"});
  EXPECT_EQ(info->categories, std::vector<std::string>{"example"});
  EXPECT_EQ(info->printer_columns.size(), 1u);
  EXPECT_EQ(info->GroupResource(), "gizmos.example.com");
  EXPECT_EQ(registry.ForGroupVersion("example.com", "v1").size(), 1u);
  EXPECT_EQ(registry.Groups().front().group, "");
  registry.RemoveCrd("gizmos.example.com");
  EXPECT_EQ(registry.Find("example.com", "v1", "gizmos"), nullptr);
}

TEST(ResourceRegistryTest, ValidateCrdRejectsNonsense) {
  json crd = testing::GizmoCrd();
  crd["spec"]["group"] = "nodots";
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"].erase("type");
  auto causes = ResourceRegistry::ValidateCrd(crd);
  std::set<std::string> fields;
  for (const auto& c : causes) fields.insert(c.field);
  EXPECT_TRUE(fields.count("spec.group"));
  EXPECT_TRUE(fields.count("metadata.name"));
  EXPECT_TRUE(fields.count("spec.versions[0].schema.openAPIV3Schema.properties[spec].type"));
  json no_schema = testing::GizmoCrd();
  no_schema["spec"]["versions"][0].erase("schema");
  EXPECT_FALSE(ResourceRegistry::ValidateCrd(no_schema).empty());
}

}  // namespace
}  // namespace lifeboat::devcluster
