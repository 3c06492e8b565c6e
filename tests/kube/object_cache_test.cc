#include "operator/kube/object_cache.h"

#include "operator/kube/api_client.h"

#include <gtest/gtest.h>

namespace lifeboat::kube {
namespace {

nlohmann::json Object(const std::string& ns, const std::string& name, const std::string& rv,
                      const std::string& owner_uid = "") {
  nlohmann::json object = {{"apiVersion", "batch/v1"},
                           {"kind", "Job"},
                           {"metadata",
                            {{"name", name},
                             {"namespace", ns},
                             {"uid", "uid-" + name},
                             {"resourceVersion", rv},
                             {"managedFields", {{{"manager", "kubectl"}, {"operation", "Update"}}}},
                             {"annotations",
                              {{"kubectl.kubernetes.io/last-applied-configuration", std::string(2000, 'x')},
                               {"keep", "me"}}}}},
                           {"spec", {{"template", {{"spec", {{"containers", nlohmann::json::array()}}}}}}}};
  if (!owner_uid.empty()) {
    object["metadata"]["ownerReferences"] = {{{"apiVersion", "lifeboat.dev/v1alpha1"}, {"kind", "BackupPolicy"},
                                              {"name", "p"}, {"uid", owner_uid}, {"controller", true}}};
  }
  return object;
}

TEST(ObjectCacheTest, NeverStoresManagedFieldsOrTheLastAppliedAnnotation) {
  ObjectCache cache;
  cache.Upsert(Object("a", "j1", "1"));
  auto got = cache.Get("a/j1");
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE((*got)["metadata"].contains("managedFields"));
  EXPECT_FALSE((*got)["metadata"]["annotations"].contains("kubectl.kubernetes.io/last-applied-configuration"));
  EXPECT_EQ((*got)["metadata"]["annotations"]["keep"], "me");
  EXPECT_TRUE(got->contains("spec"));
}

TEST(ObjectCacheTest, AProjectionDropsFieldsControllersDoNotRead) {
  ObjectCache cache([](nlohmann::json& object) { object.erase("spec"); });
  cache.Upsert(Object("a", "j1", "1"));
  auto got = cache.Get(ObjectKey{"a", "j1"});
  ASSERT_TRUE(got.has_value());
  EXPECT_FALSE(got->contains("spec"));
  EXPECT_EQ((*got)["metadata"]["uid"], "uid-j1");
}

TEST(ObjectCacheTest, IndexesByNamespaceAndOwnerUid) {
  ObjectCache cache;
  cache.Upsert(Object("a", "j1", "1", "owner-1"));
  cache.Upsert(Object("a", "j2", "2", "owner-2"));
  cache.Upsert(Object("b", "j3", "3", "owner-1"));
  EXPECT_EQ(cache.List("a").size(), 2u);
  EXPECT_EQ(cache.List("b").size(), 1u);
  EXPECT_EQ(cache.List().size(), 3u);
  auto owned = cache.ListByOwner("owner-1");
  ASSERT_EQ(owned.size(), 2u);
  EXPECT_TRUE(cache.ListByOwner("nobody").empty());
  // Re-owning moves the object between index entries.
  cache.Upsert(Object("a", "j1", "4", "owner-2"));
  EXPECT_EQ(cache.ListByOwner("owner-1").size(), 1u);
  EXPECT_EQ(cache.ListByOwner("owner-2").size(), 2u);
  cache.Remove(ObjectKey{"a", "j2"});
  EXPECT_EQ(cache.ListByOwner("owner-2").size(), 1u);
  EXPECT_EQ(cache.List("a").size(), 1u);
}

TEST(ObjectCacheTest, UpsertReportsAddsAndUpdatesButNotRepeatsOfTheSameVersion) {
  ObjectCache cache;
  auto added = cache.Upsert(Object("a", "j1", "1"));
  ASSERT_TRUE(added.has_value());
  EXPECT_EQ(added->type, CacheChange::Type::kAdded);
  EXPECT_FALSE(cache.Upsert(Object("a", "j1", "1")).has_value());
  auto updated = cache.Upsert(Object("a", "j1", "2"));
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->type, CacheChange::Type::kUpdated);
  EXPECT_EQ(ObjectResourceVersion(*updated->old), "1");
}

TEST(ObjectCacheTest, ReplaceReportsWhatChangedIncludingDeletions) {
  ObjectCache cache;
  cache.Upsert(Object("a", "keep", "1"));
  cache.Upsert(Object("a", "change", "2"));
  cache.Upsert(Object("a", "gone", "3"));
  auto changes = cache.Replace({Object("a", "keep", "1"), Object("a", "change", "9"), Object("a", "new", "10")});
  std::map<std::string, CacheChange::Type> by_name;
  for (const auto& c : changes) by_name[ObjectName(c.object)] = c.type;
  EXPECT_EQ(by_name.size(), 3u);
  EXPECT_EQ(by_name["change"], CacheChange::Type::kUpdated);
  EXPECT_EQ(by_name["new"], CacheChange::Type::kAdded);
  EXPECT_EQ(by_name["gone"], CacheChange::Type::kDeleted);
  EXPECT_EQ(cache.Size(), 3u);
  EXPECT_FALSE(cache.Get("a/gone").has_value());
}

TEST(ObjectCacheTest, ClusterScopedObjectsAreKeyedByName) {
  ObjectCache cache;
  cache.Upsert({{"metadata", {{"name", "ns1"}, {"resourceVersion", "1"}}}});
  EXPECT_TRUE(cache.Get("ns1").has_value());
  EXPECT_EQ(cache.Keys(), std::vector<std::string>{"ns1"});
}

}  // namespace
}  // namespace lifeboat::kube
