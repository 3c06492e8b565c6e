#include "e2e/devcluster/store/object_store.h"

#include <gtest/gtest.h>

#include <regex>

#include "tests/e2e/devcluster/store/store_test_util.h"

namespace lifeboat::devcluster::testing {
namespace {

using ObjectStoreTest = StoreFixture;

uint64_t Rv(const json& object) { return std::stoull(object["metadata"]["resourceVersion"].get<std::string>()); }

TEST_F(ObjectStoreTest, StartsWithTheStandardNamespaces) {
  auto names = Names(Path("", "v1", "namespaces"));
  for (const char* ns : {"default", "kube-system", "kube-public"})
    EXPECT_NE(std::find(names.begin(), names.end(), ns), names.end()) << ns;
  json ns = MustGet(Path("", "v1", "namespaces", "", "default"));
  EXPECT_EQ(ns["status"]["phase"], "Active");
  EXPECT_EQ(ns["metadata"]["labels"]["kubernetes.io/metadata.name"], "default");
  EXPECT_TRUE(Exists(Path("", "v1", "serviceaccounts", "default", "default")));
}

TEST_F(ObjectStoreTest, CreateAssignsUidTimestampGenerationAndResourceVersion) {
  InstallGizmos();
  auto created = Create(Gizmos(), Gizmo("g1", 3));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->http_code, 201);
  const json& meta = created->object["metadata"];
  EXPECT_TRUE(std::regex_match(meta["uid"].get<std::string>(),
                               std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  EXPECT_TRUE(std::regex_match(meta["resourceVersion"].get<std::string>(), std::regex("[0-9]+")));
  EXPECT_TRUE(std::regex_match(meta["creationTimestamp"].get<std::string>(),
                               std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ")));
  EXPECT_EQ(meta["generation"], 1);
  EXPECT_EQ(meta["namespace"], "default");
  EXPECT_EQ(created->object["spec"]["mode"], "safe") << "schema default applied";
  EXPECT_EQ(MustGet(Gizmos("default", "g1")), created->object);
}

TEST_F(ObjectStoreTest, ResourceVersionIsOneGlobalIncreasingCounter) {
  InstallGizmos();
  uint64_t a = Rv(MustCreate(ConfigMaps(), ConfigMap("a")));
  uint64_t b = Rv(MustCreate(Gizmos(), Gizmo("g", 1)));
  uint64_t c = Rv(MustCreate(ConfigMaps(), ConfigMap("c")));
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(store_->CurrentResourceVersion(), c);
}

TEST_F(ObjectStoreTest, ConfigMapsCarryNoGeneration) {
  json cm = MustCreate(ConfigMaps(), ConfigMap("a"));
  EXPECT_FALSE(cm["metadata"].contains("generation"));
}

TEST_F(ObjectStoreTest, CreatingAnExistingNameIsAlreadyExistsWithTheRealText) {
  InstallGizmos();
  MustCreate(Gizmos(), Gizmo("g1", 3));
  auto again = Create(Gizmos(), Gizmo("g1", 3));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().ToStatus(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
    "status":"Failure","message":"gizmos.example.com \"g1\" already exists","reason":"AlreadyExists",
    "details":{"name":"g1","group":"example.com","kind":"gizmos"},"code":409})"));
}

TEST_F(ObjectStoreTest, GettingAMissingObjectIsNotFoundWithTheRealText) {
  InstallGizmos();
  auto missing = Get(Gizmos("default", "g9"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, 404);
  EXPECT_EQ(missing.error().message, "gizmos.example.com \"g9\" not found");
  EXPECT_EQ(missing.error().details, json::parse(R"({"name":"g9","group":"example.com","kind":"gizmos"})"));
  auto pod = Get(Path("", "v1", "pods", "default", "x"));
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.error().message, "pods \"x\" not found");
  EXPECT_EQ(pod.error().details, json::parse(R"({"name":"x","kind":"pods"})"));
}

TEST_F(ObjectStoreTest, UnknownResourceIsNotFound) {
  auto missing = Get(Path("example.com", "v1", "gizmos", "default", "g"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, 404);
  EXPECT_EQ(missing.error().message, "the server could not find the requested resource");
}

TEST_F(ObjectStoreTest, CreatingInAMissingNamespaceIsNamespaceNotFound) {
  auto created = Create(ConfigMaps("nope"), ConfigMap("a"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, 404);
  EXPECT_EQ(created.error().message, "namespaces \"nope\" not found");
}

TEST_F(ObjectStoreTest, APodBreakingItsNamespacesPodSecurityLevelIsForbiddenWithTheRealText) {
  MustCreate(Path("", "v1", "namespaces"),
             json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"locked",
               "labels":{"pod-security.kubernetes.io/enforce":"restricted"}}})"));
  const json pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"c","image":"busybox"}]}})");
  auto refused = Create(Path("", "v1", "pods", "locked"), pod);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, 403);
  EXPECT_EQ(refused.error().message.rfind("pods \"p\" is forbidden: violates PodSecurity \"restricted:latest\": "
                                          "allowPrivilegeEscalation != false (container \"c\"", 0), 0u)
      << refused.error().message;
  EXPECT_TRUE(Create(Path("", "v1", "pods", "default"), pod).ok()) << "an unlabelled namespace admits it";
}

TEST_F(ObjectStoreTest, UpdateWithAStaleResourceVersionIsConflict) {
  InstallGizmos();
  json g = MustCreate(Gizmos(), Gizmo("g1", 3));
  json first = g;
  first["spec"]["size"] = 4;
  ASSERT_TRUE(Update(Gizmos("default", "g1"), first).ok());
  json stale = g;
  stale["spec"]["size"] = 5;
  auto conflict = Update(Gizmos("default", "g1"), stale);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, 409);
  EXPECT_EQ(conflict.error().reason, "Conflict");
  EXPECT_EQ(conflict.error().message,
            "Operation cannot be fulfilled on gizmos.example.com \"g1\": the object has been modified; please apply "
            "your changes to the latest version and try again");
}

TEST_F(ObjectStoreTest, CustomResourceUpdateRequiresAResourceVersion) {
  InstallGizmos();
  MustCreate(Gizmos(), Gizmo("g1", 3));
  auto updated = Update(Gizmos("default", "g1"), Gizmo("g1", 4));
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().code, 422);
  EXPECT_EQ(updated.error().details["causes"][0]["field"], "metadata.resourceVersion");
  // Built-ins accept unconditional updates.
  MustCreate(ConfigMaps(), ConfigMap("a"));
  json cm = ConfigMap("a");
  cm["data"]["a"] = "c";
  ASSERT_TRUE(Update(ConfigMaps("default", "a"), cm).ok());
}

TEST_F(ObjectStoreTest, GenerationIsBumpedBySpecChangesOnly) {
  InstallGizmos();
  json g = MustCreate(Gizmos(), Gizmo("g1", 3));
  g["metadata"]["labels"] = {{"a", "b"}};
  auto relabelled = Update(Gizmos("default", "g1"), g);
  ASSERT_TRUE(relabelled.ok());
  EXPECT_EQ(relabelled->object["metadata"]["generation"], 1);
  json next = relabelled->object;
  next["spec"]["size"] = 5;
  auto resized = Update(Gizmos("default", "g1"), next);
  ASSERT_TRUE(resized.ok());
  EXPECT_EQ(resized->object["metadata"]["generation"], 2);
  json status = resized->object;
  status["status"] = {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  auto with_status = Update(Gizmos("default", "g1", "status"), status);
  ASSERT_TRUE(with_status.ok());
  EXPECT_EQ(with_status->object["metadata"]["generation"], 2);
}

TEST_F(ObjectStoreTest, UnchangedUpdateWritesNothing) {
  json cm = MustCreate(ConfigMaps(), ConfigMap("a"));
  uint64_t before = store_->CurrentResourceVersion();
  auto same = Update(ConfigMaps("default", "a"), cm);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->object["metadata"]["resourceVersion"], cm["metadata"]["resourceVersion"]);
  EXPECT_EQ(store_->CurrentResourceVersion(), before);
}

TEST_F(ObjectStoreTest, MainEndpointIgnoresStatusOfKindsWithTheStatusSubresource) {
  InstallGizmos();
  json g = Gizmo("g1", 3);
  g["status"] = {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  json created = MustCreate(Gizmos(), g);
  EXPECT_FALSE(created.contains("status")) << "status is dropped on create";
  created["status"] = g["status"];
  created["spec"]["size"] = 4;
  auto updated = Update(Gizmos("default", "g1"), created);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated->object.contains("status"));
  EXPECT_EQ(updated->object["spec"]["size"], 4);
}

TEST_F(ObjectStoreTest, StatusEndpointIgnoresEverythingButStatus) {
  InstallGizmos();
  json created = MustCreate(Gizmos(), Gizmo("g1", 3));
  created["spec"]["size"] = 9;
  created["metadata"]["labels"] = {{"x", "y"}};
  created["status"] = {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  auto updated = Update(Gizmos("default", "g1", "status"), created);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->object["spec"]["size"], 3);
  EXPECT_FALSE(updated->object["metadata"].contains("labels"));
  EXPECT_EQ(updated->object["status"]["conditions"][0]["type"], "Ready");
  auto patched = Patch(Gizmos("default", "g1", "status"), PatchType::kMergePatch,
                       {{"spec", {{"size", 7}}}, {"status", {{"conditions", json::array()}}}});
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(patched->object["spec"]["size"], 3);
  EXPECT_EQ(patched->object["status"]["conditions"], json::array());
}

TEST_F(ObjectStoreTest, BuiltinWorkloadsIgnoreStatusOnTheMainEndpoint) {
  json job = Job("j");
  job["status"] = {{"succeeded", 1}};
  json created = MustCreate(Path("batch", "v1", "jobs", "default"), job);
  EXPECT_EQ(created["status"], json::object());
  created["status"] = {{"succeeded", 1}};
  auto updated = Update(Path("batch", "v1", "jobs", "default", "j"), created);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->object["status"], json::object());
  auto status = Update(Path("batch", "v1", "jobs", "default", "j", "status"), created);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->object["status"]["succeeded"], 1);
}

TEST_F(ObjectStoreTest, InvalidCustomResourceIsInvalidWithOneCausePerField) {
  InstallGizmos();
  json g = Gizmo("g2", 0);
  g["spec"]["mode"] = "turbo";
  auto created = Create(Gizmos(), g);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().ToStatus(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
    "status":"Failure","message":"Gizmo.example.com \"g2\" is invalid: [spec.mode: Unsupported value: \"turbo\": supported values: \"fast\", \"safe\", spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1]",
    "reason":"Invalid","details":{"name":"g2","group":"example.com","kind":"Gizmo","causes":[
      {"reason":"FieldValueNotSupported","message":"Unsupported value: \"turbo\": supported values: \"fast\", \"safe\"","field":"spec.mode"},
      {"reason":"FieldValueInvalid","message":"Invalid value: 0: spec.size in body should be greater than or equal to 1","field":"spec.size"}]},
    "code":422})"));
}

TEST_F(ObjectStoreTest, JobWithoutRestartPolicyIsInvalidAsTheRealServerSays) {
  json job = Job("x", "");
  auto created = Create(Path("batch", "v1", "jobs", "default"), job);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().ToStatus(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
    "status":"Failure","message":"Job.batch \"x\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
    "reason":"Invalid","details":{"name":"x","group":"batch","kind":"Job","causes":[
      {"reason":"FieldValueRequired","message":"Required value: valid values: \"OnFailure\", \"Never\"","field":"spec.template.spec.restartPolicy"}]},
    "code":422})"));
}

TEST_F(ObjectStoreTest, JobGetsTheRealDefaultsSelectorAndPodLabels) {
  json job = Job("ok-job");
  job["spec"]["template"]["spec"]["containers"][0]["image"] = "debian";
  json created = MustCreate(Path("batch", "v1", "jobs", "default"), job);
  const std::string uid = created["metadata"]["uid"];
  EXPECT_EQ(created["spec"]["completions"], 1);
  EXPECT_EQ(created["spec"]["parallelism"], 1);
  EXPECT_EQ(created["spec"]["backoffLimit"], 6);
  EXPECT_EQ(created["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], uid);
  EXPECT_EQ(created["spec"]["template"]["metadata"]["labels"]["job-name"], "ok-job");
  EXPECT_EQ(created["spec"]["template"]["metadata"]["labels"]["controller-uid"], uid);
  EXPECT_EQ(created["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "Always");
  EXPECT_EQ(created["spec"]["template"]["spec"]["containers"][0]["terminationMessagePath"], "/dev/termination-log");
}

TEST_F(ObjectStoreTest, InvalidNamesAreRejected) {
  auto created = Create(ConfigMaps(), ConfigMap("Bad_Name"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, 422);
  EXPECT_EQ(created.error().details["causes"][0]["field"], "metadata.name");
  json unnamed = ConfigMap("");
  unnamed["metadata"].erase("name");
  auto missing = Create(ConfigMaps(), unnamed);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "ConfigMap \"\" is invalid: metadata.name: Required value: name or generateName is required");
}

TEST_F(ObjectStoreTest, CreatingWithAResourceVersionFailsAsTheRealStorageLayerDoes) {
  json cm = ConfigMap("a");
  cm["metadata"]["resourceVersion"] = "12";
  auto created = Create(ConfigMaps(), cm);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().ToStatus(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
    "status":"Failure","message":"resourceVersion should not be set on objects to be created","code":500})"));
  cm["metadata"]["resourceVersion"] = "-1";
  EXPECT_TRUE(Create(ConfigMaps(), cm).ok()) << "an unparsable resourceVersion is ignored";
}

TEST_F(ObjectStoreTest, GenerateNameAppendsFiveRandomCharacters) {
  json cm = ConfigMap("");
  cm["metadata"].erase("name");
  cm["metadata"]["generateName"] = "run-";
  json a = MustCreate(ConfigMaps(), cm);
  json b = MustCreate(ConfigMaps(), cm);
  EXPECT_TRUE(std::regex_match(a["metadata"]["name"].get<std::string>(), std::regex("run-[bcdfghjklmnpqrstvwxz2456789]{5}")));
  EXPECT_NE(a["metadata"]["name"], b["metadata"]["name"]);
}

TEST_F(ObjectStoreTest, GenerateNameKeepsAtMost58CharactersOfTheBase) {
  json cm = ConfigMap("");
  cm["metadata"].erase("name");
  cm["metadata"]["generateName"] = std::string(62, 'g') + "-";
  json created = MustCreate(ConfigMaps(), cm);
  const std::string name = created["metadata"]["name"];
  EXPECT_EQ(name.size(), 63u);
  EXPECT_EQ(name.substr(0, 58), std::string(58, 'g'));
  EXPECT_EQ(created["metadata"]["generateName"], std::string(62, 'g') + "-") << "generateName itself is kept";
}

TEST_F(ObjectStoreTest, StrictFieldValidationRejectsUnknownAndDuplicateFields) {
  InstallGizmos();
  CreateRequest request;
  request.path = Gizmos();
  request.raw_body = R"({"apiVersion":"example.com/v1","kind":"Gizmo","metadata":{"name":"g"},"spec":{"size":1,"size":2,"foo":1}})";
  request.body = json::parse(request.raw_body);
  request.options.field_validation = FieldValidation::kStrict;
  auto strict = store_->Create(request);
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code, 400);
  EXPECT_EQ(strict.error().message,
            "Gizmo in version \"v1\" cannot be handled as a Gizmo: strict decoding error: unknown field \"spec.foo\", "
            "duplicate field \"spec.size\"");
  request.options.field_validation = FieldValidation::kWarn;
  auto warn = store_->Create(request);
  ASSERT_TRUE(warn.ok());
  EXPECT_EQ(warn->warnings, (std::vector<std::string>{"unknown field \"spec.foo\"", "duplicate field \"spec.size\""}));
  EXPECT_FALSE(warn->object["spec"].contains("foo")) << "unknown fields are pruned";
  request.body["metadata"]["name"] = "g2";
  request.raw_body = request.body.dump();
  request.options.field_validation = FieldValidation::kIgnore;
  auto ignore = store_->Create(request);
  ASSERT_TRUE(ignore.ok());
  EXPECT_TRUE(ignore->warnings.empty());
}

TEST_F(ObjectStoreTest, StrictFieldValidationCatchesTyposInBuiltins) {
  json cm = ConfigMap("a");
  cm["dataa"] = {{"x", "y"}};
  auto strict = Create(ConfigMaps(), cm, WriteOptions{FieldValidation::kStrict, false, ""});
  ASSERT_FALSE(strict.ok());
  EXPECT_NE(strict.error().message.find("unknown field \"dataa\""), std::string::npos) << strict.error().message;
}

TEST_F(ObjectStoreTest, DryRunValidatesButPersistsNothing) {
  uint64_t before = store_->CurrentResourceVersion();
  auto created = Create(ConfigMaps(), ConfigMap("a"), WriteOptions{FieldValidation::kWarn, true, ""});
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(store_->CurrentResourceVersion(), before);
  EXPECT_FALSE(Exists(ConfigMaps("default", "a")));
}

TEST_F(ObjectStoreTest, MergeAndJsonPatchesApplyToCustomResources) {
  InstallGizmos();
  MustCreate(Gizmos(), Gizmo("g1", 3));
  auto merged = Patch(Gizmos("default", "g1"), PatchType::kMergePatch, {{"spec", {{"size", 4}}}});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->object["spec"]["size"], 4);
  EXPECT_EQ(merged->object["metadata"]["generation"], 2);
  auto patched = Patch(Gizmos("default", "g1"), PatchType::kJsonPatch,
                       json::parse(R"([{"op":"replace","path":"/spec/size","value":7}])"));
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(patched->object["spec"]["size"], 7);
  auto failed = Patch(Gizmos("default", "g1"), PatchType::kJsonPatch,
                      json::parse(R"([{"op":"test","path":"/spec/size","value":1}])"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, 422);
  auto invalid = Patch(Gizmos("default", "g1"), PatchType::kMergePatch, {{"spec", {{"size", 11}}}});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, 422);
}

TEST_F(ObjectStoreTest, StrategicMergePatchOnACustomResourceIs415) {
  InstallGizmos();
  MustCreate(Gizmos(), Gizmo("g1", 3));
  auto patched = Patch(Gizmos("default", "g1"), PatchType::kStrategicMergePatch, {{"spec", {{"size", 4}}}});
  ASSERT_FALSE(patched.ok());
  EXPECT_EQ(patched.error().ToStatus(), json::parse(R"({"kind":"Status","apiVersion":"v1","metadata":{},
    "status":"Failure","message":"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    "reason":"UnsupportedMediaType","code":415})"));
  EXPECT_FALSE(ParsePatchContentType("application/strategic-merge-patch+json", true).ok());
  EXPECT_EQ(*ParsePatchContentType("application/merge-patch+json; charset=utf-8", true), PatchType::kMergePatch);
}

TEST_F(ObjectStoreTest, StrategicMergePatchMergesContainersByName) {
  MustCreate(Path("apps", "v1", "deployments", "default"), Deployment("web", 1));
  auto patched = Patch(Path("apps", "v1", "deployments", "default", "web"), PatchType::kStrategicMergePatch,
                       json::parse(R"({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}})"));
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  const json& container = patched->object["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["image"], "nginx:1.26");
  EXPECT_EQ(container["terminationMessagePath"], "/dev/termination-log");
}

TEST_F(ObjectStoreTest, PatchWithAStaleResourceVersionIsConflict) {
  json cm = MustCreate(ConfigMaps(), ConfigMap("a"));
  auto patched = Patch(ConfigMaps("default", "a"), PatchType::kMergePatch,
                       {{"metadata", {{"resourceVersion", "1"}}}, {"data", {{"a", "z"}}}});
  ASSERT_FALSE(patched.ok());
  EXPECT_EQ(patched.error().reason, "Conflict");
}

TEST_F(ObjectStoreTest, ApplyPatchCreatesAMissingObjectAndMergesAnExistingOne) {
  auto created = Patch(ConfigMaps("default", "a"), PatchType::kApplyPatch, ConfigMap("a"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created->http_code, 201);
  auto merged = Patch(ConfigMaps("default", "a"), PatchType::kApplyPatch,
                      {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "a"}}}, {"data", {{"c", "d"}}}});
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ(merged->object["data"]["c"], "d");
}

TEST_F(ObjectStoreTest, PatchOfAMissingObjectIsNotFound) {
  auto patched = Patch(ConfigMaps("default", "nope"), PatchType::kMergePatch, {{"data", {{"a", "b"}}}});
  ASSERT_FALSE(patched.ok());
  EXPECT_EQ(patched.error().message, "configmaps \"nope\" not found");
}

TEST_F(ObjectStoreTest, ListPaginatesWithContinueTokensAndRemainingItemCount) {
  for (const char* name : {"page-1", "page-2", "page-3"}) MustCreate(ConfigMaps(), ConfigMap(name));
  auto first = List(ConfigMaps(), "", "", 2);
  ASSERT_TRUE(first.ok());
  const json& list = first->list;
  EXPECT_EQ(list["kind"], "ConfigMapList");
  EXPECT_EQ(list["apiVersion"], "v1");
  ASSERT_EQ(list["items"].size(), 2u);
  EXPECT_EQ(list["metadata"]["remainingItemCount"], 1);
  ASSERT_TRUE(list["metadata"]["continue"].is_string());
  auto second = List(ConfigMaps(), "", "", 2, list["metadata"]["continue"]);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->list["items"].size(), 1u);
  EXPECT_EQ(second->list["items"][0]["metadata"]["name"], "page-3");
  EXPECT_FALSE(second->list["metadata"].contains("continue"));
  EXPECT_EQ(second->list["metadata"]["resourceVersion"], list["metadata"]["resourceVersion"]);
  auto bad = List(ConfigMaps(), "", "", 2, "garbage!");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, 400);
}

TEST_F(ObjectStoreTest, ListFiltersByLabelAndFieldSelectors) {
  MustCreate(ConfigMaps(), ConfigMap("a", {{"app", "web"}, {"tier", "front"}}));
  MustCreate(ConfigMaps(), ConfigMap("b", {{"app", "db"}}));
  MustCreate(ConfigMaps(), ConfigMap("c"));
  auto names = [&](const std::string& labels, const std::string& fields) {
    std::vector<std::string> out;
    auto listed = List(ConfigMaps(), labels, fields);
    EXPECT_TRUE(listed.ok()) << (listed.ok() ? "" : listed.error().message);
    if (listed.ok())
      for (const auto& item : listed->list["items"]) out.push_back(item["metadata"]["name"]);
    return out;
  };
  EXPECT_EQ(names("app=web", ""), std::vector<std::string>{"a"});
  EXPECT_EQ(names("app!=web", ""), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(names("app in (web,db)", ""), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names("!app", ""), std::vector<std::string>{"c"});
  EXPECT_EQ(names("", "metadata.name=b"), std::vector<std::string>{"b"});
  EXPECT_EQ(names("", "metadata.namespace!=default"), std::vector<std::string>{});
  auto bad = List(ConfigMaps(), "", "spec.foo=bar");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, 400);
  EXPECT_NE(bad.error().message.find("field label not supported: spec.foo"), std::string::npos);
  auto bad_labels = List(ConfigMaps(), "app in (", "");
  ASSERT_FALSE(bad_labels.ok());
  EXPECT_EQ(bad_labels.error().code, 400);
}

TEST_F(ObjectStoreTest, ListAcrossNamespacesAndWithinOne) {
  MustCreate(Path("", "v1", "namespaces"), {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "other"}}}});
  MustCreate(ConfigMaps(), ConfigMap("a"));
  MustCreate(ConfigMaps("other"), ConfigMap("b"));
  EXPECT_EQ(Names(ConfigMaps("other")), std::vector<std::string>{"b"});
  EXPECT_EQ(Names(ConfigMaps("")), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ObjectStoreTest, ListAtAFutureResourceVersionIsTooLarge) {
  ListRequest request;
  request.path = ConfigMaps();
  request.resource_version = std::to_string(store_->CurrentResourceVersion() + 100);
  auto listed = store_->List(request);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.error().code, 504);
  EXPECT_EQ(listed.error().details["causes"][0]["reason"], "ResourceVersionTooLarge");
}

TEST_F(ObjectStoreTest, DeploymentStatusIsLeftToItsController) {
  // The job runner's deployment controller writes it (e2e/devcluster/jobs/deployment_controller.h);
  // the store only resets it on create and keeps generation.
  auto deployments = Path("apps", "v1", "deployments", "default");
  MustCreate(deployments, Deployment("web", 3));
  json deployment = MustGet(Path("apps", "v1", "deployments", "default", "web"));
  EXPECT_EQ(deployment["status"], json::object());
  EXPECT_EQ(deployment["metadata"]["generation"], 1);
  auto scaled = Patch(Path("apps", "v1", "deployments", "default", "web"), PatchType::kMergePatch,
                      {{"spec", {{"replicas", 0}}}});
  ASSERT_TRUE(scaled.ok());
  deployment = MustGet(Path("apps", "v1", "deployments", "default", "web"));
  EXPECT_EQ(deployment["metadata"]["generation"], 2);
  EXPECT_EQ(deployment["status"], json::object());
}

TEST_F(ObjectStoreTest, ReplicaSetsAreServedWithDefaultsStatusAndGeneration) {
  json rs = Deployment("web-abc", 2);
  rs["kind"] = "ReplicaSet";
  rs["status"] = {{"replicas", 7}};
  MustCreate(Path("apps", "v1", "replicasets", "default"), rs);
  json got = MustGet(Path("apps", "v1", "replicasets", "default", "web-abc"));
  EXPECT_EQ(got["status"], (json{{"replicas", 0}})) << "status reset on create; replicas is not omitempty";
  EXPECT_EQ(got["metadata"]["generation"], 1);
  EXPECT_EQ(got["spec"]["template"]["spec"]["restartPolicy"], "Always");
  json scale = MustGet(Path("apps", "v1", "replicasets", "default", "web-abc", "scale"));
  EXPECT_EQ(scale["spec"]["replicas"], 2);
  rs = got;
  rs["spec"]["selector"]["matchLabels"]["app"] = "other";
  auto changed = Update(Path("apps", "v1", "replicasets", "default", "web-abc"), rs);
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, 422);
}

TEST_F(ObjectStoreTest, ScaleSubresourceReadsAndWritesReplicas) {
  MustCreate(Path("apps", "v1", "deployments", "default"), Deployment("web", 2));
  auto scale_path = Path("apps", "v1", "deployments", "default", "web", "scale");
  json scale = MustGet(scale_path);
  EXPECT_EQ(scale["kind"], "Scale");
  EXPECT_EQ(scale["apiVersion"], "autoscaling/v1");
  EXPECT_EQ(scale["spec"]["replicas"], 2);
  EXPECT_EQ(scale["status"]["replicas"], 0) << "no controller ran";
  EXPECT_EQ(scale["status"]["selector"], "app=web");
  scale["spec"]["replicas"] = 5;
  auto updated = Update(scale_path, scale);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->object["spec"]["replicas"], 5);
  EXPECT_EQ(MustGet(Path("apps", "v1", "deployments", "default", "web"))["spec"]["replicas"], 5);
  auto stale = Update(scale_path, scale);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().reason, "Conflict");
  auto patched = Patch(scale_path, PatchType::kMergePatch, {{"spec", {{"replicas", 1}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ(MustGet(Path("apps", "v1", "deployments", "default", "web"))["spec"]["replicas"], 1);
}

TEST_F(ObjectStoreTest, StatefulSetStatusFollowsSpecReplicas) {
  json sts = Deployment("db", 2);
  sts["kind"] = "StatefulSet";
  sts["spec"]["serviceName"] = "db";
  MustCreate(Path("apps", "v1", "statefulsets", "default"), sts);
  json got = MustGet(Path("apps", "v1", "statefulsets", "default", "db"));
  EXPECT_EQ(got["status"]["replicas"], 2);
  EXPECT_EQ(got["status"]["readyReplicas"], 2);
  EXPECT_EQ(got["status"]["availableReplicas"], 2);
  EXPECT_EQ(got["spec"]["podManagementPolicy"], "OrderedReady");
}

TEST_F(ObjectStoreTest, DeploymentWhoseSelectorMissesTheTemplateLabelsIsInvalid) {
  json d = Deployment("web", 1);
  d["spec"]["template"]["metadata"]["labels"]["app"] = "other";
  auto created = Create(Path("apps", "v1", "deployments", "default"), d);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().details["causes"][0]["field"], "spec.template.metadata.labels");
}

TEST_F(ObjectStoreTest, SecretStringDataIsEncodedIntoData) {
  json secret = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}},
                 {"stringData", {{"password", "hunter2"}}}};
  json created = MustCreate(Path("", "v1", "secrets", "default"), secret);
  EXPECT_EQ(created["data"]["password"], "aHVudGVyMg==");
  EXPECT_EQ(created["type"], "Opaque");
  EXPECT_FALSE(created.contains("stringData"));
}

TEST_F(ObjectStoreTest, CrdCreateInstallsTheKindAtOnceAndReportsEstablished) {
  auto created = Create(Path("apiextensions.k8s.io", "v1", "customresourcedefinitions"), GizmoCrd());
  ASSERT_TRUE(created.ok()) << created.error().message;
  const json& conditions = created->object["status"]["conditions"];
  bool established = false, accepted = false;
  for (const auto& c : conditions) {
    if (c["type"] == "Established" && c["status"] == "True") established = true;
    if (c["type"] == "NamesAccepted" && c["status"] == "True") accepted = true;
  }
  EXPECT_TRUE(established);
  EXPECT_TRUE(accepted);
  EXPECT_EQ(created->object["spec"]["names"]["listKind"], "GizmoList");
  ResourceInfoPtr info = store_->Registry().Find("example.com", "v1", "gizmos");
  ASSERT_NE(info, nullptr);
  EXPECT_TRUE(info->has_status);
  EXPECT_EQ(store_->Registry().Resolve("gz"), info);
  EXPECT_TRUE(Create(Gizmos(), Gizmo("g", 1)).ok());
}

TEST_F(ObjectStoreTest, NonsenseCrdIsRejected) {
  json crd = GizmoCrd();
  crd["metadata"]["name"] = "wrong.example.com";
  crd["spec"]["scope"] = "Galactic";
  crd["spec"]["versions"][0]["storage"] = false;
  auto created = Create(Path("apiextensions.k8s.io", "v1", "customresourcedefinitions"), crd);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, 422);
  std::set<std::string> fields;
  for (const auto& cause : created.error().details["causes"]) fields.insert(cause["field"]);
  EXPECT_TRUE(fields.count("metadata.name"));
  EXPECT_TRUE(fields.count("spec.scope"));
  EXPECT_TRUE(fields.count("spec.versions"));
  EXPECT_EQ(store_->Registry().Find("example.com", "v1", "gizmos"), nullptr);
}

TEST_F(ObjectStoreTest, CrdWithTwoVersionsServesObjectsUnderBoth) {
  json crd = GizmoCrd();
  json v2 = crd["spec"]["versions"][0];
  v2["name"] = "v2";
  v2["storage"] = false;
  crd["spec"]["versions"].push_back(v2);
  MustCreate(Path("apiextensions.k8s.io", "v1", "customresourcedefinitions"), crd);
  MustCreate(Gizmos(), Gizmo("g", 2));
  json as_v2 = MustGet(Path("example.com", "v2", "gizmos", "default", "g"));
  EXPECT_EQ(as_v2["apiVersion"], "example.com/v2");
  auto groups = store_->Registry().Groups();
  auto it = std::find_if(groups.begin(), groups.end(), [](const auto& g) { return g.group == "example.com"; });
  ASSERT_NE(it, groups.end());
  EXPECT_EQ(it->versions, (std::vector<std::string>{"v2", "v1"}));
}

TEST_F(ObjectStoreTest, UpdatingACrdServesItsNewVersionAndRecordsStoredVersions) {
  InstallGizmos();
  auto crd_path = Path("apiextensions.k8s.io", "v1", "customresourcedefinitions", "", "gizmos.example.com");
  json crd = MustGet(crd_path);
  json v2 = crd["spec"]["versions"][0];
  v2["name"] = "v2";
  crd["spec"]["versions"][0]["storage"] = false;
  crd["spec"]["versions"].push_back(v2);
  crd["spec"]["names"]["shortNames"] = {"gz", "gzm"};
  auto updated = Update(crd_path, crd);
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  ASSERT_NE(store_->Registry().Find("example.com", "v2", "gizmos"), nullptr);
  json now = MustGet(crd_path);
  EXPECT_EQ(now["status"]["storedVersions"], json::array({"v1", "v2"}));
  EXPECT_EQ(now["status"]["acceptedNames"]["shortNames"], json::array({"gz", "gzm"}));
  EXPECT_EQ(now["metadata"]["generation"], 2);
}

TEST_F(ObjectStoreTest, CustomResourcesWithTheScaleSubresourceScaleThroughTheirPaths) {
  json crd = GizmoCrd();
  crd["spec"]["versions"][0]["subresources"]["scale"] = {{"specReplicasPath", ".spec.size"},
                                                          {"statusReplicasPath", ".status.replicas"}};
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]["replicas"] = {
      {"type", "integer"}};
  MustCreate(Path("apiextensions.k8s.io", "v1", "customresourcedefinitions"), crd);
  MustCreate(Gizmos(), Gizmo("g", 2));
  json scale = MustGet(Gizmos("default", "g", "scale"));
  EXPECT_EQ(scale["spec"]["replicas"], 2);
  EXPECT_EQ(scale["status"]["replicas"], 0);
  auto patched = Patch(Gizmos("default", "g", "scale"), PatchType::kMergePatch, {{"spec", {{"replicas", 4}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  EXPECT_EQ(MustGet(Gizmos("default", "g"))["spec"]["size"], 4);
  EXPECT_FALSE(Get(Path("", "v1", "configmaps", "default", "x", "scale")).ok()) << "no scale subresource";
}

TEST_F(ObjectStoreTest, FieldValidationAppliesToUpdatesAndPatches) {
  InstallGizmos();
  json g = MustCreate(Gizmos(), Gizmo("g", 2));
  g["spec"]["colour"] = "red";
  auto strict = Update(Gizmos("default", "g"), g, WriteOptions{FieldValidation::kStrict, false, ""});
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().code, 400);
  auto warned = Patch(Gizmos("default", "g"), PatchType::kMergePatch, {{"spec", {{"colour", "red"}}}});
  ASSERT_TRUE(warned.ok());
  EXPECT_EQ(warned->warnings, std::vector<std::string>{"unknown field \"spec.colour\""});
  EXPECT_FALSE(warned->object["spec"].contains("colour"));
}

TEST_F(ObjectStoreTest, ClusterScopedKindsIgnoreNamespaces) {
  json ns = MustCreate(Path("", "v1", "namespaces"),
                       {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "team"}, {"namespace", "x"}}}});
  EXPECT_FALSE(ns["metadata"].contains("namespace"));
  EXPECT_EQ(ns["spec"]["finalizers"], json::array({"kubernetes"}));
  EXPECT_TRUE(Exists(Path("", "v1", "serviceaccounts", "team", "default")));
}

}  // namespace
}  // namespace lifeboat::devcluster::testing
