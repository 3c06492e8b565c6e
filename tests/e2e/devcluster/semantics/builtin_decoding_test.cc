#include "e2e/devcluster/semantics/builtin_decoding.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "e2e/devcluster/semantics/builtin_schemas.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

json ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(LIFEBOAT_SEMANTICS_TESTDATA) + "/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return json::parse(buffer.str());
}

const json& DeploymentSchema() { return *BuiltinSchema("apps", "v1", "Deployment"); }

TEST(BuiltinDecodingTest, RealisticManifestsDecode) {
  EXPECT_EQ(BuiltinDecodeError(DeploymentSchema(), ReadTestdata("deployment.json")), std::nullopt);
  EXPECT_EQ(BuiltinDecodeError(*BuiltinSchema("apps", "v1", "StatefulSet"), ReadTestdata("statefulset.json")),
            std::nullopt);
  EXPECT_EQ(BuiltinDecodeError(*BuiltinSchema("batch", "v1", "Job"), ReadTestdata("job.json")), std::nullopt);
  for (const json& object : ReadTestdata("others.json")) {
    std::string api_version = object["apiVersion"];
    size_t slash = api_version.find('/');
    const json* schema = slash == std::string::npos
                             ? BuiltinSchema("", api_version, object["kind"].get<std::string>())
                             : BuiltinSchema(api_version.substr(0, slash), api_version.substr(slash + 1),
                                             object["kind"].get<std::string>());
    ASSERT_NE(schema, nullptr);
    EXPECT_EQ(BuiltinDecodeError(*schema, object), std::nullopt) << object["kind"];
  }
}

struct Case {
  const char* name;
  const char* pointer;
  json value;
  const char* want;
};

TEST(BuiltinDecodingTest, ReportsTheFirstWrongTypeAsGoEncodingJsonDoes) {
  const Case cases[] = {
      {"env value written as a number", "/spec/template/spec/containers/0/env/0/value", 1,
       "json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string"},
      {"replicas as a string", "/spec/replicas", "3",
       "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"},
      {"replicas as a fraction", "/spec/replicas", 1.5,
       "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"},
      {"int32 overflow", "/spec/template/spec/containers/0/ports/0/containerPort", 99999999999LL,
       "json: cannot unmarshal number 99999999999 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort "
       "of type int32"},
      {"label value as a number", "/metadata/labels/app.kubernetes.io~1name", 7,
       "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"},
      {"containers not a list", "/spec/template/spec/containers", "app",
       "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container"},
      {"container not an object", "/spec/template/spec/containers/0", "app",
       "json: cannot unmarshal string into Go struct field PodSpec.spec.template.spec.containers of type v1.Container"},
      {"command as a string", "/spec/template/spec/containers/0/command", "sh -c run",
       "json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.command of type []string"},
      {"named string type", "/spec/template/spec/restartPolicy", 1,
       "json: cannot unmarshal number into Go struct field PodSpec.spec.template.spec.restartPolicy of type v1.RestartPolicy"},
      {"bool as a string", "/spec/paused", "true",
       "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool"},
      {"spec not an object", "/spec", json::array(),
       "json: cannot unmarshal array into Go struct field Deployment.spec of type v1.DeploymentSpec"},
  };
  for (const Case& c : cases) {
    json deployment = ReadTestdata("deployment.json");
    deployment[json::json_pointer(c.pointer)] = c.value;
    EXPECT_EQ(BuiltinDecodeError(DeploymentSchema(), deployment), std::optional<std::string>(c.want)) << c.name;
  }
}

TEST(BuiltinDecodingTest, LeavesFieldsWithTheirOwnDecodersAlone) {
  json deployment = ReadTestdata("deployment.json");
  deployment["metadata"]["creationTimestamp"] = 5;                               // metav1.Time
  deployment["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] = 2;  // Quantity
  deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"] = "25%";          // IntOrString
  deployment["spec"]["unknownField"] = {{"x", 1}};                              // pruning's business
  EXPECT_EQ(BuiltinDecodeError(DeploymentSchema(), deployment), std::nullopt);
}

TEST(BuiltinDecodingTest, SecretDataIsBytes) {
  json secret = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}}, {"data", {{"k", 1}}}};
  EXPECT_EQ(BuiltinDecodeError(*BuiltinSchema("", "v1", "Secret"), secret),
            std::optional<std::string>("json: cannot unmarshal number into Go struct field Secret.data of type []uint8"));
}

}  // namespace
}  // namespace lifeboat::devcluster
