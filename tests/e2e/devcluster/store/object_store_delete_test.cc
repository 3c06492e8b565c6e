// Deletion semantics of the devcluster store: finalizers, preconditions, cascading deletion through
// ownerReferences, namespace and CRD lifecycles.
#include <gtest/gtest.h>

#include "e2e/devcluster/store/object_store.h"
#include "tests/e2e/devcluster/store/store_test_util.h"

namespace lifeboat::devcluster::testing {
namespace {

using ObjectStoreDeleteTest = StoreFixture;

json OwnedConfigMap(const std::string& name, const json& owner, bool block = false) {
  json cm = ConfigMap(name);
  json ref = {{"apiVersion", owner["apiVersion"]}, {"kind", owner["kind"]}, {"name", owner["metadata"]["name"]},
              {"uid", owner["metadata"]["uid"]}};
  if (block) ref["blockOwnerDeletion"] = true;
  cm["metadata"]["ownerReferences"] = json::array({ref});
  return cm;
}

DeleteOptions Policy(const std::string& policy) {
  DeleteOptions options;
  options.propagation_policy = policy;
  return options;
}

TEST_F(ObjectStoreDeleteTest, DeletingAConfigMapAnswersASuccessStatus) {
  json cm = MustCreate(ConfigMaps(), ConfigMap("page-3"));
  auto deleted = Delete(ConfigMaps("default", "page-3"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(deleted->http_code, 200);
  EXPECT_EQ(deleted->body, (json{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()},
                                 {"status", "Success"},
                                 {"details", {{"name", "page-3"}, {"kind", "configmaps"}, {"uid", cm["metadata"]["uid"]}}}}));
  EXPECT_FALSE(Exists(ConfigMaps("default", "page-3")));
  auto again = Delete(ConfigMaps("default", "page-3"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, 404);
}

TEST_F(ObjectStoreDeleteTest, DeletingACustomResourceAnswersTheObject) {
  InstallGizmos();
  MustCreate(Gizmos(), Gizmo("g1", 2));
  auto deleted = Delete(Gizmos("default", "g1"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->body["kind"], "Gizmo");
  EXPECT_EQ(deleted->body["metadata"]["name"], "g1");
}

TEST_F(ObjectStoreDeleteTest, FinalizersHoldTheObjectWithADeletionTimestampUntilTheLastIsRemoved) {
  InstallGizmos();
  json g = Gizmo("g1", 2);
  g["metadata"]["finalizers"] = {"example.com/a", "example.com/b"};
  MustCreate(Gizmos(), g);
  auto deleted = Delete(Gizmos("default", "g1"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->deleted);
  EXPECT_EQ(deleted->http_code, 200);
  EXPECT_TRUE(deleted->body["metadata"]["deletionTimestamp"].is_string());
  EXPECT_EQ(deleted->body["metadata"]["deletionGracePeriodSeconds"], 0);
  json current = MustGet(Gizmos("default", "g1"));
  EXPECT_EQ(current["metadata"]["deletionTimestamp"], deleted->body["metadata"]["deletionTimestamp"]);

  auto one = Patch(Gizmos("default", "g1"), PatchType::kMergePatch, {{"metadata", {{"finalizers", {"example.com/b"}}}}});
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(Exists(Gizmos("default", "g1")));
  auto added = Patch(Gizmos("default", "g1"), PatchType::kMergePatch,
                     {{"metadata", {{"finalizers", {"example.com/b", "example.com/c"}}}}});
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, 422);
  EXPECT_NE(added.error().message.find("no new finalizers can be added if the object is being deleted"), std::string::npos);
  auto last = Patch(Gizmos("default", "g1"), PatchType::kJsonPatch,
                    json::parse(R"([{"op":"remove","path":"/metadata/finalizers"}])"));
  ASSERT_TRUE(last.ok()) << last.error().message;
  EXPECT_FALSE(Exists(Gizmos("default", "g1")));
}

TEST_F(ObjectStoreDeleteTest, PreconditionsThatDoNotHoldAreConflicts) {
  json cm = MustCreate(ConfigMaps(), ConfigMap("a"));
  DeleteOptions uid;
  uid.precondition_uid = "not-the-uid";
  auto by_uid = Delete(ConfigMaps("default", "a"), uid);
  ASSERT_FALSE(by_uid.ok());
  EXPECT_EQ(by_uid.error().code, 409);
  EXPECT_EQ(by_uid.error().message, "Operation cannot be fulfilled on configmaps \"a\": Precondition failed: UID in "
                                    "precondition: not-the-uid, UID in object meta: " +
                                        cm["metadata"]["uid"].get<std::string>());
  DeleteOptions rv;
  rv.precondition_resource_version = "1";
  ASSERT_FALSE(Delete(ConfigMaps("default", "a"), rv).ok());
  rv.precondition_resource_version = cm["metadata"]["resourceVersion"];
  ASSERT_TRUE(Delete(ConfigMaps("default", "a"), rv).ok());
}

TEST_F(ObjectStoreDeleteTest, UnknownPropagationPolicyIsRejected) {
  MustCreate(ConfigMaps(), ConfigMap("a"));
  auto deleted = Delete(ConfigMaps("default", "a"), Policy("Sideways"));
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, 422);
}

TEST_F(ObjectStoreDeleteTest, BackgroundDeletionRemovesDependentsAfterTheOwner) {
  json owner = MustCreate(ConfigMaps(), ConfigMap("owner"));
  MustCreate(ConfigMaps(), OwnedConfigMap("child", owner));
  json child = MustGet(ConfigMaps("default", "child"));
  MustCreate(ConfigMaps(), OwnedConfigMap("grandchild", child));
  ASSERT_TRUE(Delete(ConfigMaps("default", "owner"), Policy("Background")).ok());
  EXPECT_FALSE(Exists(ConfigMaps("default", "owner")));
  EXPECT_FALSE(Exists(ConfigMaps("default", "child")));
  EXPECT_FALSE(Exists(ConfigMaps("default", "grandchild")));
}

TEST_F(ObjectStoreDeleteTest, ADependentWithAnotherLiveOwnerOnlyLosesTheDanglingReference) {
  json a = MustCreate(ConfigMaps(), ConfigMap("a"));
  json b = MustCreate(ConfigMaps(), ConfigMap("b"));
  json child = OwnedConfigMap("child", a);
  child["metadata"]["ownerReferences"].push_back(OwnedConfigMap("x", b)["metadata"]["ownerReferences"][0]);
  MustCreate(ConfigMaps(), child);
  ASSERT_TRUE(Delete(ConfigMaps("default", "a")).ok());
  json remaining = MustGet(ConfigMaps("default", "child"));
  ASSERT_EQ(remaining["metadata"]["ownerReferences"].size(), 1u);
  EXPECT_EQ(remaining["metadata"]["ownerReferences"][0]["name"], "b");
}

TEST_F(ObjectStoreDeleteTest, ForegroundDeletionWaitsForBlockingDependents) {
  InstallGizmos();
  json owner = MustCreate(Gizmos(), Gizmo("owner", 1));
  json stuck = OwnedConfigMap("stuck", owner, /*block=*/true);
  stuck["metadata"]["finalizers"] = {"example.com/hold"};
  MustCreate(ConfigMaps(), stuck);
  MustCreate(ConfigMaps(), OwnedConfigMap("free", owner, /*block=*/true));
  auto deleted = Delete(Gizmos("default", "owner"), Policy("Foreground"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted->deleted);
  json waiting = MustGet(Gizmos("default", "owner"));
  EXPECT_TRUE(waiting["metadata"]["deletionTimestamp"].is_string());
  EXPECT_EQ(waiting["metadata"]["finalizers"], json::array({"foregroundDeletion"}));
  EXPECT_FALSE(Exists(ConfigMaps("default", "free")));
  EXPECT_TRUE(MustGet(ConfigMaps("default", "stuck"))["metadata"]["deletionTimestamp"].is_string());
  auto released = Patch(ConfigMaps("default", "stuck"), PatchType::kMergePatch, {{"metadata", {{"finalizers", nullptr}}}});
  ASSERT_TRUE(released.ok()) << released.error().message;
  EXPECT_FALSE(Exists(ConfigMaps("default", "stuck")));
  EXPECT_FALSE(Exists(Gizmos("default", "owner")));
}

TEST_F(ObjectStoreDeleteTest, ForegroundDeletionWithoutDependentsDeletesAtOnce) {
  MustCreate(ConfigMaps(), ConfigMap("a"));
  auto deleted = Delete(ConfigMaps("default", "a"), Policy("Foreground"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->deleted);
  EXPECT_FALSE(Exists(ConfigMaps("default", "a")));
}

TEST_F(ObjectStoreDeleteTest, OrphanDeletionKeepsDependentsWithoutTheReference) {
  json owner = MustCreate(ConfigMaps(), ConfigMap("owner"));
  MustCreate(ConfigMaps(), OwnedConfigMap("child", owner));
  ASSERT_TRUE(Delete(ConfigMaps("default", "owner"), Policy("Orphan")).ok());
  json child = MustGet(ConfigMaps("default", "child"));
  EXPECT_FALSE(child["metadata"].contains("ownerReferences"));
}

TEST_F(ObjectStoreDeleteTest, DeletingAJobDeletesItsPods) {
  json job = Job("j");
  json created = MustCreate(Path("batch", "v1", "jobs", "default"), job);
  json pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"j-abcde"},
    "spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}})");
  pod["metadata"]["ownerReferences"] = {{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"name", "j"},
                                        {"uid", created["metadata"]["uid"]}, {"controller", true},
                                        {"blockOwnerDeletion", true}}};
  json created_pod = MustCreate(Path("", "v1", "pods", "default"), pod);
  EXPECT_EQ(created_pod["status"]["phase"], "Pending");
  ASSERT_TRUE(Delete(Path("batch", "v1", "jobs", "default", "j"), Policy("Background")).ok());
  EXPECT_FALSE(Exists(Path("", "v1", "pods", "default", "j-abcde")));
}

TEST_F(ObjectStoreDeleteTest, DeletingANamespaceRemovesItsContentsThenTheNamespace) {
  auto namespaces = Path("", "v1", "namespaces");
  MustCreate(namespaces, {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team"}}}});
  MustCreate(ConfigMaps("team"), ConfigMap("a"));
  MustCreate(Path("", "v1", "secrets", "team"), {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}}});
  MustCreate(ConfigMaps("default"), ConfigMap("outside"));
  auto deleted = Delete(Path("", "v1", "namespaces", "", "team"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->body["status"]["phase"], "Terminating");
  EXPECT_TRUE(deleted->body["metadata"]["deletionTimestamp"].is_string());
  EXPECT_FALSE(Exists(Path("", "v1", "namespaces", "", "team")));
  EXPECT_TRUE(Names(ConfigMaps("team")).empty());
  EXPECT_TRUE(Exists(ConfigMaps("default", "outside")));
}

TEST_F(ObjectStoreDeleteTest, ANamespaceStaysTerminatingWhileAnObjectInItHasAFinalizer) {
  MustCreate(Path("", "v1", "namespaces"), {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team"}}}});
  json cm = ConfigMap("held");
  cm["metadata"]["finalizers"] = {"example.com/hold"};
  MustCreate(ConfigMaps("team"), cm);
  ASSERT_TRUE(Delete(Path("", "v1", "namespaces", "", "team")).ok());
  json ns = MustGet(Path("", "v1", "namespaces", "", "team"));
  EXPECT_EQ(ns["status"]["phase"], "Terminating");
  auto created = Create(ConfigMaps("team"), ConfigMap("new"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, 403);
  EXPECT_EQ(created.error().message,
            "configmaps \"new\" is forbidden: unable to create new content in namespace team because it is being "
            "terminated");
  ASSERT_TRUE(Patch(ConfigMaps("team", "held"), PatchType::kMergePatch, {{"metadata", {{"finalizers", nullptr}}}}).ok());
  EXPECT_FALSE(Exists(Path("", "v1", "namespaces", "", "team")));
}

TEST_F(ObjectStoreDeleteTest, TheStandardNamespacesMayNotBeDeleted) {
  auto deleted = Delete(Path("", "v1", "namespaces", "", "default"));
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, 403);
  EXPECT_EQ(deleted.error().message, "namespaces \"default\" is forbidden: this namespace may not be deleted");
}

TEST_F(ObjectStoreDeleteTest, AnObjectWhoseOwnersAllNoLongerExistIsCollected) {
  json cm = ConfigMap("orphan");
  cm["metadata"]["ownerReferences"] = {{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"name", "gone"},
                                        {"uid", "00000000-0000-4000-8000-000000000000"}}};
  auto created = Create(ConfigMaps(), cm);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->http_code, 201);
  EXPECT_FALSE(Exists(ConfigMaps("default", "orphan")));
}

TEST_F(ObjectStoreDeleteTest, DeletingACrdRemovesItsObjectsAndTheKind) {
  InstallGizmos();
  MustCreate(Gizmos(), Gizmo("g1", 1));
  MustCreate(Gizmos(), Gizmo("g2", 1));
  auto deleted = Delete(Path("apiextensions.k8s.io", "v1", "customresourcedefinitions", "", "gizmos.example.com"));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(store_->Registry().Find("example.com", "v1", "gizmos"), nullptr);
  EXPECT_FALSE(Exists(Path("apiextensions.k8s.io", "v1", "customresourcedefinitions", "", "gizmos.example.com")));
  InstallGizmos();
  EXPECT_TRUE(Names(Gizmos()).empty()) << "a re-created CRD starts empty";
}

TEST_F(ObjectStoreDeleteTest, ACrdWaitsForItsObjectsFinalizersAndRefusesNewObjects) {
  InstallGizmos();
  json g = Gizmo("held", 1);
  g["metadata"]["finalizers"] = {"example.com/hold"};
  MustCreate(Gizmos(), g);
  ASSERT_TRUE(Delete(Path("apiextensions.k8s.io", "v1", "customresourcedefinitions", "", "gizmos.example.com")).ok());
  ASSERT_NE(store_->Registry().Find("example.com", "v1", "gizmos"), nullptr);
  auto created = Create(Gizmos(), Gizmo("new", 1));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, 405);
  ASSERT_TRUE(Patch(Gizmos("default", "held"), PatchType::kMergePatch, {{"metadata", {{"finalizers", nullptr}}}}).ok());
  EXPECT_EQ(store_->Registry().Find("example.com", "v1", "gizmos"), nullptr);
}

TEST_F(ObjectStoreDeleteTest, DeleteCollectionDeletesWhatTheSelectorMatches) {
  MustCreate(ConfigMaps(), ConfigMap("a", {{"app", "x"}}));
  MustCreate(ConfigMaps(), ConfigMap("b", {{"app", "x"}}));
  MustCreate(ConfigMaps(), ConfigMap("c"));
  DeleteCollectionRequest request;
  request.path = ConfigMaps();
  request.label_selector = "app=x";
  auto deleted = store_->DeleteCollection(request);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->list["items"].size(), 2u);
  EXPECT_EQ(Names(ConfigMaps()), std::vector<std::string>{"c"});
  DeleteCollectionRequest namespaces;
  namespaces.path = Path("", "v1", "namespaces");
  auto refused = store_->DeleteCollection(namespaces);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, 405);
}

}  // namespace
}  // namespace lifeboat::devcluster::testing
