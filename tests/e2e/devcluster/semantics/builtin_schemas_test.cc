#include "e2e/devcluster/semantics/builtin_schemas.h"

#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e/devcluster/semantics/builtin_schemas_internal.h"
#include "e2e/devcluster/semantics/schema.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

json ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(LIFEBOAT_SEMANTICS_TESTDATA) + "/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return json::parse(buffer.str());
}

std::pair<std::string, std::string> GroupVersion(const std::string& api_version) {
  size_t slash = api_version.find('/');
  if (slash == std::string::npos) return {"", api_version};
  return {api_version.substr(0, slash), api_version.substr(slash + 1)};
}

const json& SchemaFor(const json& object) {
  auto [group, version] = GroupVersion(object["apiVersion"]);
  const json* schema = BuiltinSchema(group, version, object["kind"].get<std::string>());
  EXPECT_NE(schema, nullptr) << object["apiVersion"] << " " << object["kind"];
  static const json kEmpty = json::object();
  return schema ? *schema : kEmpty;
}

std::vector<std::string> Strings(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) out.push_back(e.reason + " " + e.ToString());
  return out;
}

TEST(BuiltinSchemasTest, ServesEveryBuiltInKindTheDevclusterKnows) {
  const std::pair<std::string, std::string> kinds[] = {
      {"v1", "Namespace"}, {"v1", "Secret"}, {"v1", "ConfigMap"}, {"v1", "Service"}, {"v1", "Pod"},
      {"v1", "Event"}, {"v1", "PersistentVolumeClaim"}, {"v1", "ServiceAccount"}, {"apps/v1", "Deployment"},
      {"apps/v1", "ReplicaSet"}, {"apps/v1", "StatefulSet"}, {"batch/v1", "Job"}, {"coordination.k8s.io/v1", "Lease"},
      {"rbac.authorization.k8s.io/v1", "Role"}, {"rbac.authorization.k8s.io/v1", "RoleBinding"},
      {"apiextensions.k8s.io/v1", "CustomResourceDefinition"}};
  for (const auto& [api_version, kind] : kinds) {
    auto [group, version] = GroupVersion(api_version);
    const json* schema = BuiltinSchema(group, version, kind);
    ASSERT_NE(schema, nullptr) << kind;
    EXPECT_EQ((*schema)["type"], "object");
    EXPECT_TRUE((*schema)["properties"].contains("metadata")) << kind;
    EXPECT_EQ((*schema)["x-kubernetes-group-version-kind"][0]["kind"], kind);
  }
  EXPECT_EQ(BuiltinKinds().size(), std::size(kinds));
  EXPECT_EQ(BuiltinSchema("apps", "v1", "DaemonSet"), nullptr);
  EXPECT_EQ(BuiltinSchema("", "v1", "Deployment"), nullptr);  // wrong group
}

TEST(BuiltinSchemasTest, DefinitionsAreFullyInlined) {
  for (const std::string& name : BuiltinDefinitionNames()) {
    const json* schema = BuiltinDefinition(name);
    ASSERT_NE(schema, nullptr);
    EXPECT_EQ(schema->dump().find("$ref"), std::string::npos) << name;
  }
  const json* container = BuiltinDefinition("Container");
  ASSERT_NE(container, nullptr);
  EXPECT_EQ((*container)["properties"]["env"]["items"]["properties"]["valueFrom"]["properties"]["secretKeyRef"]
                ["properties"]["key"]["type"],
            "string");
}

TEST(BuiltinSchemasTest, CarriesTheStrategicMergeMetadataOfTheGoTypes) {
  const json& pod_spec = (*BuiltinDefinition("PodSpec"))["properties"];
  EXPECT_EQ(pod_spec["containers"]["x-kubernetes-patch-merge-key"], "name");
  EXPECT_EQ(pod_spec["containers"]["x-kubernetes-patch-strategy"], "merge");
  EXPECT_EQ(pod_spec["volumes"]["x-kubernetes-patch-strategy"], "merge,retainKeys");
  EXPECT_FALSE(pod_spec["tolerations"].contains("x-kubernetes-patch-strategy"));
  const json& container = (*BuiltinDefinition("Container"))["properties"];
  EXPECT_EQ(container["ports"]["x-kubernetes-patch-merge-key"], "containerPort");
  EXPECT_EQ(container["volumeMounts"]["x-kubernetes-patch-merge-key"], "mountPath");
  EXPECT_FALSE(container["args"].contains("x-kubernetes-patch-strategy"));
  EXPECT_EQ((*BuiltinDefinition("DeploymentSpec"))["properties"]["strategy"]["x-kubernetes-patch-strategy"], "retainKeys");
  EXPECT_EQ((*BuiltinDefinition("ObjectMeta"))["properties"]["finalizers"]["x-kubernetes-patch-strategy"], "merge");
  EXPECT_EQ((*BuiltinDefinition("ServiceSpec"))["properties"]["ports"]["x-kubernetes-patch-merge-key"], "port");
}

TEST(BuiltinSchemasTest, RealisticManifestsLoseNothingAndValidate) {
  std::vector<json> objects = {ReadTestdata("deployment.json"), ReadTestdata("statefulset.json"),
                               ReadTestdata("job.json")};
  for (const json& o : ReadTestdata("others.json")) objects.push_back(o);
  for (json object : objects) {
    const json& schema = SchemaFor(object);
    json before = object;
    EXPECT_THAT(PruneUnknownFields(schema, object), IsEmpty()) << object["kind"];
    EXPECT_EQ(object, before) << object["kind"];
    ApplyDefaults(schema, object);
    EXPECT_THAT(Strings(Validate(schema, object)), IsEmpty()) << object["kind"];
  }
}

TEST(BuiltinSchemasTest, CatchesTyposAnywhereInAManifest) {
  json deployment = ReadTestdata("deployment.json");
  deployment["spec"]["replica"] = 2;
  deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always";
  deployment["spec"]["template"]["spec"]["containers"][1]["env"] = {{{"name", "A"}, {"valu", "x"}}};
  deployment["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claim"] = "x";
  deployment["spec"]["template"]["metadata"]["label"] = {{"a", "b"}};
  deployment["metadata"]["namepsace"] = "x";
  EXPECT_THAT(PruneUnknownFields(SchemaFor(deployment), deployment),
              ElementsAre("metadata.namepsace", "spec.replica", "spec.template.metadata.label",
                          "spec.template.spec.containers[0].imagePullPolicyy",
                          "spec.template.spec.containers[1].env[0].valu",
                          "spec.template.spec.volumes[0].persistentVolumeClaim.claim"));
}

TEST(BuiltinSchemasTest, KeepsRarelyUsedVolumeSourcesWhole) {
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "i"}}}},
                        {"volumes", {{{"name", "disk"}, {"awsElasticBlockStore", {{"volumeID", "vol-1"}, {"fsType", "ext4"}}}}}}}}};
  json before = pod;
  EXPECT_THAT(PruneUnknownFields(SchemaFor(pod), pod), IsEmpty());
  EXPECT_EQ(pod, before);
}

TEST(BuiltinSchemasTest, ValidatesWhatTheRealServerRejects) {
  json job = ReadTestdata("job.json");
  json& pod_spec = job["spec"]["template"]["spec"];
  pod_spec["restartPolicy"] = "Sometimes";
  pod_spec["containers"][0].erase("name");
  pod_spec["containers"][0]["imagePullPolicy"] = "Sometimes";
  pod_spec["containers"][0]["ports"] = {{{"containerPort", "http"}}};
  EXPECT_THAT(Strings(Validate(SchemaFor(job), job)),
              ElementsAre("FieldValueNotSupported spec.template.spec.containers[0].imagePullPolicy: Unsupported value: "
                          "\"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"",
                          "FieldValueTypeInvalid spec.template.spec.containers[0].ports[0].containerPort: Invalid value: "
                          "\"string\": spec.template.spec.containers[0].ports[0].containerPort in body must be of type "
                          "integer: \"string\"",
                          "FieldValueRequired spec.template.spec.containers[0].name: Required value",
                          "FieldValueNotSupported spec.template.spec.restartPolicy: Unsupported value: \"Sometimes\": "
                          "supported values: \"Always\", \"OnFailure\", \"Never\""));
}

TEST(BuiltinSchemasTest, AcceptsNullsWhereGoWouldDecodeAZeroValue) {
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}, {"creationTimestamp", nullptr}}},
              {"spec", {{"containers", {{{"name", "c"}, {"image", "i"}, {"resources", nullptr}}}}}}, {"status", nullptr}};
  EXPECT_THAT(Strings(Validate(SchemaFor(pod), pod)), IsEmpty());
}

TEST(SchemaNotationTest, ReportsMistakesWithTheLine) {
  auto bad_type = internal::ParseSchemaNotation("A:\n  x: strng\n");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_EQ(bad_type.status().message(), "built-in schema line 2: unknown type \"strng\":   x: strng");
  auto bad_attr = internal::ParseSchemaNotation("A:\n  x: string optional\n");
  ASSERT_FALSE(bad_attr.ok());
  auto parsed = internal::ParseSchemaNotation("A:\n  b: B\nB:\n  a: A\n");
  ASSERT_TRUE(parsed.ok());
  auto inlined = internal::InlineSchema(json{{"$ref", "A"}}, (*parsed)["definitions"]);
  ASSERT_FALSE(inlined.ok());
  EXPECT_EQ(inlined.status().message(), "recursive definition \"A\"");
}

TEST(SchemaNotationTest, CompilesTypesAndAttributes) {
  auto parsed = internal::ParseSchemaNotation(R"(
Thing: kind=example.com/v1
  name: string required
  ports: []Port merge=port
  labels: map[string]
  size: quantity
  mode: string enum=a|b
Port:
  port: int32
)");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto thing = internal::InlineSchema((*parsed)["definitions"]["Thing"], (*parsed)["definitions"]);
  ASSERT_TRUE(thing.ok()) << thing.status();
  EXPECT_EQ((*thing)["required"], json::array({"name"}));
  EXPECT_EQ((*thing)["properties"]["ports"]["items"]["properties"]["port"]["format"], "int32");
  EXPECT_EQ((*thing)["properties"]["ports"]["x-kubernetes-patch-merge-key"], "port");
  EXPECT_EQ((*thing)["properties"]["labels"]["additionalProperties"]["type"], "string");
  EXPECT_EQ((*thing)["properties"]["size"]["x-kubernetes-int-or-string"], true);
  EXPECT_EQ((*thing)["properties"]["mode"]["enum"], json::array({"a", "b"}));
  EXPECT_EQ((*parsed)["kinds"], json::parse(R"([{"group":"example.com","version":"v1","kind":"Thing"}])"));
}

}  // namespace
}  // namespace lifeboat::devcluster
