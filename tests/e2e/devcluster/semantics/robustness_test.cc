// Property tests: whatever JSON clients send, the semantics functions answer (a value or a Status)
// and never throw or crash. Inputs come from a seeded generator, so failures are reproducible.
#include <random>

#include <gtest/gtest.h>

#include "e2e/devcluster/semantics/builtin_schemas.h"
#include "e2e/devcluster/semantics/field_validation.h"
#include "e2e/devcluster/semantics/json_patch.h"
#include "e2e/devcluster/semantics/merge_patch.h"
#include "e2e/devcluster/semantics/schema.h"
#include "e2e/devcluster/semantics/strategic_merge_patch.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

class RandomJson {
 public:
  explicit RandomJson(unsigned seed) : rng_(seed) {}

  // Keys and strings are drawn from names that occur in real objects and directives, so the
  // generator reaches deep into the schemas and the patch logic.
  json Value(int depth) {
    int kind = Pick(depth <= 0 ? 5 : 7);
    switch (kind) {
      case 0: return nullptr;
      case 1: return Pick(2) == 0;
      case 2: return static_cast<int>(Pick(200)) - 100;
      case 3: return Pick(3) == 0 ? 1.5 : 3.0;
      case 4: return Word();
      case 5: {
        json a = json::array();
        for (int i = Pick(4); i > 0; --i) a.push_back(Value(depth - 1));
        return a;
      }
      default: {
        json o = json::object();
        for (int i = Pick(5); i > 0; --i) o[Word()] = Value(depth - 1);
        return o;
      }
    }
  }

  std::string Word() {
    static const char* kWords[] = {
        "spec", "template", "containers", "name", "image", "env", "value", "ports", "containerPort",
        "metadata", "labels", "finalizers", "volumes", "emptyDir", "strategy", "type", "rollingUpdate",
        "$patch", "delete", "replace", "merge", "$retainKeys", "$setElementOrder/containers",
        "$deleteFromPrimitiveList/finalizers", "status", "conditions", "replicas", "selector",
        "matchLabels", "a", "b", "", "-", "0", "1", "/spec", "/spec/template", "/metadata/labels/a",
        "properties", "items", "additionalProperties", "required", "enum", "default", "object", "array",
        "string", "integer", "number", "boolean", "pattern", "[", "^a+$", "nullable", "minimum", "maxLength",
        "minItems", "format", "date-time", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
        "x-kubernetes-embedded-resource", "x-kubernetes-list-type", "set", "map", "allOf", "anyOf", "oneOf", "not",
        "x-kubernetes-validations", "rule", "self.a > 1", "self.size() < 3", "self.all(x, x == 'a')",
        "has(self.spec) && self.spec.replicas * 2 > 1", "self.name.matches('^a')", "self in [1, 2]", "self + 1"};
    return kWords[Pick(std::size(kWords))];
  }

  json PatchOps() {
    static const char* kOps[] = {"add", "remove", "replace", "move", "copy", "test", "bogus"};
    static const char* kPaths[] = {"", "/spec", "/spec/replicas", "/spec/template/spec/containers/0",
                                   "/spec/template/spec/containers/-", "/metadata/labels/a", "/x/y", "/a~1b"};
    json ops = json::array();
    for (int i = Pick(4); i > 0; --i) {
      json op = {{"op", kOps[Pick(std::size(kOps))]}, {"path", kPaths[Pick(std::size(kPaths))]}};
      if (Pick(4) != 0) op["value"] = Value(2);
      if (Pick(2) == 0) op["from"] = kPaths[Pick(std::size(kPaths))];
      ops.push_back(op);
    }
    return ops;
  }

  unsigned Pick(size_t n) { return static_cast<unsigned>(std::uniform_int_distribution<size_t>(0, n - 1)(rng_)); }

 private:
  std::mt19937 rng_;
};

const json& Deployment() {
  static const json kDeployment = json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","labels":{"a":"1"},
      "finalizers":["x"]},"spec":{"replicas":1,"strategy":{"type":"RollingUpdate"},"template":{"spec":{
      "containers":[{"name":"a","image":"i","env":[{"name":"A","value":"1"}]}],"volumes":[{"name":"v","emptyDir":{}}]}}}})");
  return kDeployment;
}

TEST(SemanticsRobustnessTest, PatchesNeverThrowWhateverThePatch) {
  RandomJson random(20261122);
  for (int i = 0; i < 3000; ++i) {
    json patch = random.Value(5);
    if (!patch.is_object()) patch = json{{random.Word(), patch}};
    json ops = random.PatchOps();
    auto run = [&] {
      ApplyStrategicMergePatch(Deployment(), patch, "Deployment");
      ApplyMergePatch(Deployment(), patch);
      ApplyJsonPatch(Deployment(), ops);
    };
    EXPECT_NO_THROW(run()) << patch.dump() << " / " << ops.dump();
  }
}

TEST(SemanticsRobustnessTest, SchemaOperationsNeverThrowWhateverTheObject) {
  RandomJson random(7);
  const json* deployment = BuiltinSchema("apps", "v1", "Deployment");
  ASSERT_NE(deployment, nullptr);
  for (int i = 0; i < 2000; ++i) {
    json object = random.Value(6);
    json random_schema = random.Value(4);
    if (random.Pick(3) == 0) {
      // Rules on the root and on every object: exercise the CEL pass with arbitrary data.
      random_schema = json{{"x-kubernetes-validations", {{{"rule", random.Word()}}, {{"rule", random.Word()}}}},
                           {"additionalProperties", {{"x-kubernetes-validations", {{{"rule", random.Word()}}}}}}};
    }
    auto run = [&] {
      json a = object;
      PruneUnknownFields(*deployment, a);
      ApplyDefaults(*deployment, a);
      Validate(*deployment, a);
      json b = object;
      PruneUnknownFields(random_schema, b);
      ApplyDefaults(random_schema, b);
      Validate(random_schema, b);
      FindDuplicateFields(object.dump());
    };
    EXPECT_NO_THROW(run()) << object.dump() << " / " << random_schema.dump();
  }
}

}  // namespace
}  // namespace lifeboat::devcluster
