#include "e2e/devcluster/semantics/strategic_merge_patch.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

const json kDeployment = json::parse(R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}, "finalizers": ["a/x", "b/y"]},
  "spec": {
    "replicas": 2,
    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
    "selector": {"matchLabels": {"app": "web"}},
    "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {
        "containers": [
          {"name": "app", "image": "nginx:1.25", "args": ["-a", "-b"],
           "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
           "ports": [{"containerPort": 80, "name": "http"}]},
          {"name": "sidecar", "image": "busybox"}
        ],
        "tolerations": [{"key": "k", "operator": "Exists"}],
        "volumes": [{"name": "data", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c"}}]
      }
    }
  }
})");

struct Case {
  const char* name;
  const char* patch;
  const char* pointer;  // where to look in the result
  const char* want;     // the value expected there; "null" means absent
};

TEST(StrategicMergePatchTest, MergesBuiltInListsByTheirPatchMergeKeys) {
  const Case cases[] = {
      {"container merged by name keeps the others",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.26"}]}}}})",
       "/spec/template/spec/containers",
       R"([{"name":"app","image":"nginx:1.26","args":["-a","-b"],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
           "ports":[{"containerPort":80,"name":"http"}]},{"name":"sidecar","image":"busybox"}])"},
      {"a new item goes in front of the live ones (the real server's order)",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"extra","image":"x"}]}}}})",
       "/spec/template/spec/containers/0", R"({"name":"extra","image":"x"})"},
      {"container deleted with $patch delete",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}})",
       "/spec/template/spec/containers/1", "null"},
      {"env merged by name",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"20"},{"name":"C","value":"3"}]}]}}}})",
       "/spec/template/spec/containers/0/env",
       R"([{"name":"A","value":"1"},{"name":"B","value":"20"},{"name":"C","value":"3"}])"},
      {"env entry removed with $patch delete",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"A","$patch":"delete"}]}]}}}})",
       "/spec/template/spec/containers/0/env", R"([{"name":"B","value":"2"}])"},
      {"ports merged by containerPort",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]}]}}}})",
       "/spec/template/spec/containers/0/ports",
       R"([{"containerPort":80,"name":"http","protocol":"TCP"},{"containerPort":443}])"},
      {"args (no strategy) are replaced",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","args":["-c"]}]}}}})",
       "/spec/template/spec/containers/0/args", R"(["-c"])"},
      {"tolerations (no strategy) are replaced",
       R"({"spec":{"template":{"spec":{"tolerations":[{"key":"other","operator":"Exists"}]}}}})",
       "/spec/template/spec/tolerations", R"([{"key":"other","operator":"Exists"}])"},
      {"whole list replaced with a $patch replace element",
       R"({"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"only","image":"x"}]}}}})",
       "/spec/template/spec/containers", R"([{"name":"only","image":"x"}])"},
      {"$setElementOrder reorders a merged list",
       R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"app"}],
           "containers":[{"name":"app","image":"nginx:2"}]}}}})",
       "/spec/template/spec/containers/0/name", R"("sidecar")"},
      {"$retainKeys drops what the new strategy does not keep",
       R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":null}}})",
       "/spec/strategy", R"({"type":"Recreate"})"},
      {"$retainKeys in a volume switches its source",
       R"({"spec":{"template":{"spec":{"volumes":[{"$retainKeys":["name","secret"],"name":"data","secret":{"secretName":"s"}}]}}}})",
       "/spec/template/spec/volumes/0", R"({"name":"data","secret":{"secretName":"s"}})"},
      {"finalizers merge as a set",
       R"({"metadata":{"finalizers":["b/y","c/z"]}})", "/metadata/finalizers", R"(["a/x","b/y","c/z"])"},
      {"$deleteFromPrimitiveList removes finalizers",
       R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a/x"]}})", "/metadata/finalizers", R"(["b/y"])"},
      {"map keys merge and null deletes",
       R"({"metadata":{"labels":{"tier":null,"new":"1"}}})", "/metadata/labels", R"({"app":"web","new":"1"})"},
      {"map replaced with $patch replace",
       R"({"metadata":{"labels":{"$patch":"replace","only":"1"}}})", "/metadata/labels", R"({"only":"1"})"},
      {"map emptied with $patch delete",
       R"({"metadata":{"labels":{"$patch":"delete"}}})", "/metadata/labels", "{}"},
      {"patch order wins for items it names",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"b2"},{"name":"app","image":"a2"}]}}}})",
       "/spec/template/spec/containers/0/image", R"("b2")"},
      {"unknown $ keys are plain fields (pruned later as unknown)",
       R"({"metadata":{"$explode":1}})", "/metadata/$explode", "1"},
      {"scalars replace", R"({"spec":{"replicas":0}})", "/spec/replicas", "0"},
      {"unknown fields merge like a merge patch",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"app","futureField":{"a":1}}]}}}})",
       "/spec/template/spec/containers/0/futureField", R"({"a":1})"},
      {"directives inside new items are removed",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"new","image":"x","env":[{"name":"A","$patch":"delete"},{"name":"B","value":"1"}]}]}}}})",
       "/spec/template/spec/containers/0/env", R"([{"name":"B","value":"1"}])"},
  };
  for (const Case& c : cases) {
    auto got = ApplyStrategicMergePatch(kDeployment, json::parse(c.patch), "Deployment");
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    json::json_pointer pointer(c.pointer);
    json want = json::parse(c.want);
    if (want.is_null()) {
      EXPECT_FALSE(got->contains(pointer)) << c.name << ": " << got->dump();
    } else {
      ASSERT_TRUE(got->contains(pointer)) << c.name << ": " << got->dump();
      EXPECT_EQ((*got)[pointer], want) << c.name;
    }
  }
}

TEST(StrategicMergePatchTest, AppliesTheThreeWayPatchKubectlApplySends) {
  // What `kubectl apply` sends after the image of the only container in the file changed and a
  // label was removed from the file.
  json patch = json::parse(R"({
    "metadata": {"annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{...}\n"},
                 "labels": {"tier": null}},
    "spec": {"template": {"spec": {
      "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
      "containers": [{"image": "nginx:1.27", "name": "app"}]}}}})");
  auto got = ApplyStrategicMergePatch(kDeployment, patch, "Deployment");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["metadata"]["labels"], (json{{"app", "web"}}));
  EXPECT_EQ((*got)["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"], "{...}\n");
  const json& containers = (*got)["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0]["image"], "nginx:1.27");
  EXPECT_EQ(containers[0]["env"].size(), 2u);
  EXPECT_EQ(containers[1]["name"], "sidecar");
  EXPECT_EQ((*got)["spec"]["replicas"], 2);
}

TEST(StrategicMergePatchTest, AppliesKubectlsPatchForARewrittenManifest) {
  // The three-way patch `kubectl apply` sends when the file changes from kDeployment's shape to:
  // no tier label, 3 replicas, Recreate strategy, app env {A=10, C=3} and image nginx:1.26, sidecar
  // replaced by "extra", volume "data" switched from emptyDir to a ConfigMap.
  json patch = json::parse(R"({
    "metadata": {"labels": {"tier": null}},
    "spec": {"replicas": 3,
      "strategy": {"$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"},
      "template": {"spec": {
        "$setElementOrder/containers": [{"name": "app"}, {"name": "extra"}],
        "containers": [
          {"$setElementOrder/env": [{"name": "A"}, {"name": "C"}],
           "env": [{"name": "A", "value": "10"}, {"name": "C", "value": "3"}, {"$patch": "delete", "name": "B"}],
           "image": "nginx:1.26", "name": "app"},
          {"image": "redis", "name": "extra"},
          {"$patch": "delete", "name": "sidecar"}],
        "$setElementOrder/volumes": [{"name": "data"}, {"name": "cfg"}],
        "volumes": [{"$retainKeys": ["configMap", "name"], "configMap": {"name": "cfg"}, "emptyDir": null, "name": "data"}]}}}})");
  auto got = ApplyStrategicMergePatch(kDeployment, patch, "Deployment");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["metadata"]["labels"], (json{{"app", "web"}}));
  EXPECT_EQ((*got)["spec"]["replicas"], 3);
  EXPECT_EQ((*got)["spec"]["strategy"], (json{{"type", "Recreate"}}));
  const json& pod = (*got)["spec"]["template"]["spec"];
  EXPECT_EQ(pod["containers"], json::parse(R"([
      {"name": "app", "image": "nginx:1.26", "args": ["-a", "-b"],
       "env": [{"name": "A", "value": "10"}, {"name": "C", "value": "3"}], "ports": [{"containerPort": 80, "name": "http"}]},
      {"name": "extra", "image": "redis"}])"));
  EXPECT_EQ(pod["volumes"], json::parse(R"([{"name": "data", "configMap": {"name": "cfg"}}, {"name": "cfg", "configMap": {"name": "c"}}])"));
}

TEST(StrategicMergePatchTest, KeepsServerOnlyItemsWhereTheyWereWhenReordering) {
  // An item injected by someone else ("injected") stays in front of the items it preceded.
  json pod = json::parse(R"({"spec":{"containers":[{"name":"a"},{"name":"injected"},{"name":"b"}]}})");
  auto got = ApplyStrategicMergePatch(
      pod, json::parse(R"({"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"b","image":"x"}]}})"),
      "Pod");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["spec"]["containers"],
            json::parse(R"([{"name":"injected"},{"name":"b","image":"x"},{"name":"a"}])"));
}

TEST(StrategicMergePatchTest, MergesStatusConditionsByType) {
  json pod = json::parse(R"({"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Initialized","status":"True"}]}})");
  auto got = ApplyStrategicMergePatch(pod, json::parse(R"({"status":{"conditions":[{"type":"Ready","status":"True"}]}})"), "Pod");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["status"]["conditions"],
            json::parse(R"([{"type":"Ready","status":"True"},{"type":"Initialized","status":"True"}])"));
}

TEST(StrategicMergePatchTest, MergesServicePortsByPort) {
  json service = json::parse(R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}})");
  auto got = ApplyStrategicMergePatch(service, json::parse(R"({"spec":{"ports":[{"port":80,"name":"http"}]}})"), "Service");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)["spec"]["ports"], json::parse(R"([{"port":80,"targetPort":8080,"name":"http"},{"port":443}])"));
}

struct ErrorCase {
  const char* name;
  const char* patch;
  StatusCode code;
  const char* message;
};

TEST(StrategicMergePatchTest, RejectsMalformedPatches) {
  const ErrorCase cases[] = {
      {"item without merge key", R"({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}})",
       StatusCode::kInvalidArgument, "map: map[image:x] does not contain declared merge key: name"},
      {"unknown $patch value", R"({"metadata":{"labels":{"$patch":"explode"}}})", StatusCode::kInvalidArgument,
       "unknown patch type: explode in map: map[$patch:explode]"},
      {"$patch merge inside a list", R"({"spec":{"template":{"spec":{"containers":[{"name":"app","$patch":"merge"}]}}}})",
       StatusCode::kInvalidArgument, "merging lists cannot yet be specified in the patch"},
      {"bad $retainKeys", R"({"spec":{"strategy":{"$retainKeys":"type"}}})", StatusCode::kInvalidArgument,
       "invalid patch format of retainKeys"},
      {"content outside $retainKeys", R"({"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":2}}}})",
       StatusCode::kInvalidArgument, "invalid patch format of retainKeys"},
      {"bad $setElementOrder", R"({"spec":{"template":{"spec":{"$setElementOrder/containers":{"name":"a"}}}}})",
       StatusCode::kInvalidArgument, "invalid patch format of setElementOrder list"},
      {"bad $deleteFromPrimitiveList", R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a/x"}})",
       StatusCode::kInvalidArgument, "invalid patch format of primitive list"},
      {"not an object", R"([1])", StatusCode::kInvalidArgument, "patch must be a JSON object"},
  };
  for (const ErrorCase& c : cases) {
    auto got = ApplyStrategicMergePatch(kDeployment, json::parse(c.patch), "Deployment");
    ASSERT_FALSE(got.ok()) << c.name;
    EXPECT_EQ(got.status().code(), c.code) << c.name;
    EXPECT_EQ(got.status().message(), c.message) << c.name;
  }
}

TEST(StrategicMergePatchTest, RefusesKindsWithoutBuiltInSchemas) {
  auto got = ApplyStrategicMergePatch(json::object(), json::object(), "Gizmo");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(), "strategic merge patch is not supported for kind \"Gizmo\"");
}

TEST(StrategicMergePatchTest, WithoutSchemaListsReplaceAndMapsMerge) {
  auto got = ApplyStrategicMergePatchWithSchema(json::parse(R"({"a":{"b":1,"c":2},"l":[1,2]})"),
                                                json::parse(R"({"a":{"c":null,"d":3},"l":[3]})"), json::object());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, json::parse(R"({"a":{"b":1,"d":3},"l":[3]})"));
}

}  // namespace
}  // namespace lifeboat::devcluster
