#include "e2e/devcluster/semantics/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The schema of the Gizmo CRD recorded against a real server (shared/k8s-wire/crd.yaml).
const json kGizmoSchema = json::parse(R"({
  "type": "object",
  "properties": {
    "spec": {
      "type": "object",
      "required": ["size"],
      "properties": {
        "size": {"type": "integer", "minimum": 1, "maximum": 10},
        "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"}
      }
    },
    "status": {
      "type": "object",
      "properties": {
        "conditions": {
          "type": "array",
          "items": {
            "type": "object",
            "required": ["type", "status"],
            "properties": {"type": {"type": "string"}, "status": {"type": "string"}}
          }
        }
      }
    }
  }
})");

std::vector<std::string> Strings(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const FieldError& e : errors) out.push_back(e.reason + " " + e.ToString());
  return out;
}

TEST(SchemaValidateTest, ReproducesTheRecordedGizmoInvalidAnswer) {
  // shared/k8s-wire/12-create-invalid.json: spec {size: 0, mode: turbo}.
  json gizmo = {{"apiVersion", "example.com/v1"}, {"kind", "Gizmo"}, {"metadata", {{"name", "g2"}}},
                {"spec", {{"size", 0}, {"mode", "turbo"}}}};
  std::vector<FieldError> errors = Validate(kGizmoSchema, gizmo);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0], (FieldError{"FieldValueNotSupported", "spec.mode",
                                   "Unsupported value: \"turbo\": supported values: \"fast\", \"safe\""}));
  EXPECT_EQ(errors[1], (FieldError{"FieldValueInvalid", "spec.size",
                                   "Invalid value: 0: spec.size in body should be greater than or equal to 1"}));
  EXPECT_EQ(InvalidObjectMessage("Gizmo", "example.com", "g2", errors),
            "Gizmo.example.com \"g2\" is invalid: [spec.mode: Unsupported value: \"turbo\": supported values: "
            "\"fast\", \"safe\", spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1]");
}

TEST(SchemaValidateTest, InvalidObjectMessageOmitsBracketsForOneErrorAndTheCoreGroup) {
  FieldError e{"FieldValueRequired", "spec.template.spec.restartPolicy",
               "Required value: valid values: \"OnFailure\", \"Never\""};
  EXPECT_EQ(InvalidObjectMessage("Job", "batch", "x", {e}),
            "Job.batch \"x\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "
            "\"OnFailure\", \"Never\"");
  EXPECT_EQ(InvalidObjectMessage("Pod", "", "p", {e}).rfind("Pod \"p\" is invalid: ", 0), 0u);
}

struct ValidateCase {
  std::string name;
  std::string schema;
  std::string object;
  std::vector<std::string> want;  // "Reason field: message"
};

TEST(SchemaValidateTest, ReportsEachKeywordWithTheRealReasonAndText) {
  const ValidateCase cases[] = {
      {"required", R"({"type":"object","properties":{"spec":{"type":"object","required":["size"]}}})",
       R"({"spec":{}})", {"FieldValueRequired spec.size: Required value"}},
      {"type integer", R"({"type":"object","properties":{"spec":{"type":"object","properties":{"size":{"type":"integer"}}}}})",
       R"({"spec":{"size":"string"}})",
       {"FieldValueTypeInvalid spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\""}},
      {"integral float is an integer", R"({"type":"object","properties":{"n":{"type":"integer"}}})", R"({"n":3.0})", {}},
      {"fraction is not an integer", R"({"type":"object","properties":{"n":{"type":"integer"}}})", R"({"n":1.5})",
       {"FieldValueTypeInvalid n: Invalid value: \"number\": n in body must be of type integer: \"number\""}},
      {"type object", R"({"type":"object","properties":{"spec":{"type":"object"}}})", R"({"spec":[1]})",
       {"FieldValueTypeInvalid spec: Invalid value: \"array\": spec in body must be of type object: \"array\""}},
      {"type boolean", R"({"type":"object","properties":{"b":{"type":"boolean"}}})", R"({"b":"true"})",
       {"FieldValueTypeInvalid b: Invalid value: \"string\": b in body must be of type boolean: \"string\""}},
      {"null is not a string", R"({"type":"object","properties":{"l":{"type":"array","items":{"type":"string"}}}})",
       R"({"l":["a",null]})",
       {"FieldValueTypeInvalid l[1]: Invalid value: \"null\": l[1] in body must be of type string: \"null\""}},
      {"nullable accepts null", R"({"type":"object","properties":{"s":{"type":"string","nullable":true}}})",
       R"({"s":null})", {}},
      {"enum", R"({"type":"object","properties":{"mode":{"type":"string","enum":["fast","safe"]}}})",
       R"({"mode":"turbo"})",
       {"FieldValueNotSupported mode: Unsupported value: \"turbo\": supported values: \"fast\", \"safe\""}},
      {"integer enum", R"({"type":"object","properties":{"n":{"type":"integer","enum":[1,2]}}})", R"({"n":3})",
       {"FieldValueNotSupported n: Unsupported value: 3: supported values: \"1\", \"2\""}},
      {"pattern", R"({"type":"object","properties":{"s":{"type":"string","pattern":"^[a-z]+$"}}})", R"({"s":"A1"})",
       {"FieldValueInvalid s: Invalid value: \"A1\": s in body should match '^[a-z]+$'"}},
      {"minLength", R"({"type":"object","properties":{"s":{"type":"string","minLength":3}}})", R"({"s":"ab"})",
       {"FieldValueInvalid s: Invalid value: \"ab\": s in body should be at least 3 chars long"}},
      {"maxLength", R"({"type":"object","properties":{"s":{"type":"string","maxLength":3}}})", R"({"s":"abcd"})",
       {"FieldValueTooLong s: Too long: may not be more than 3 bytes"}},
      {"maxLength counts characters", R"({"type":"object","properties":{"s":{"type":"string","maxLength":2}}})",
       R"({"s":"éé"})", {}},
      {"maximum", R"({"type":"object","properties":{"n":{"type":"integer","maximum":10}}})", R"({"n":11})",
       {"FieldValueInvalid n: Invalid value: 11: n in body should be less than or equal to 10"}},
      {"exclusiveMaximum", R"({"type":"object","properties":{"n":{"type":"number","maximum":10,"exclusiveMaximum":true}}})",
       R"({"n":10})", {"FieldValueInvalid n: Invalid value: 10: n in body should be less than 10"}},
      {"exclusiveMinimum", R"({"type":"object","properties":{"n":{"type":"number","minimum":0.5,"exclusiveMinimum":true}}})",
       R"({"n":0.5})", {"FieldValueInvalid n: Invalid value: 0.5: n in body should be greater than 0.5"}},
      {"multipleOf", R"({"type":"object","properties":{"n":{"type":"integer","multipleOf":5}}})", R"({"n":7})",
       {"FieldValueInvalid n: Invalid value: 7: n in body should be a multiple of 5"}},
      {"minItems", R"({"type":"object","properties":{"l":{"type":"array","minItems":1,"items":{"type":"string"}}}})",
       R"({"l":[]})", {"FieldValueInvalid l: Invalid value: 0: l in body should have at least 1 items"}},
      {"maxItems", R"({"type":"object","properties":{"l":{"type":"array","maxItems":2,"items":{"type":"string"}}}})",
       R"({"l":["a","b","c"]})", {"FieldValueTooMany l: Too many: 3: must have at most 2 items"}},
      {"items", R"({"type":"object","properties":{"l":{"type":"array","items":{"type":"object","required":["name"]}}}})",
       R"({"l":[{"name":"a"},{}]})", {"FieldValueRequired l[1].name: Required value"}},
      {"map values", R"({"type":"object","properties":{"m":{"type":"object","additionalProperties":{"type":"integer"}}}})",
       R"({"m":{"a":1,"b":"x"}})",
       {"FieldValueTypeInvalid m.b: Invalid value: \"string\": m.b in body must be of type integer: \"string\""}},
      {"int-or-string accepts both", R"({"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true}}})",
       R"({"p":"http"})", {}},
      {"int-or-string rejects others", R"({"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true}}})",
       R"({"p":true})",
       {"FieldValueTypeInvalid p: Invalid value: \"boolean\": p in body must be of type integer,string: \"boolean\""}},
      {"date-time format", R"({"type":"object","properties":{"t":{"type":"string","format":"date-time"}}})",
       R"({"t":"yesterday"})",
       {"FieldValueTypeInvalid t: Invalid value: \"yesterday\": t in body must be of type date-time: \"yesterday\""}},
      {"date-time accepted", R"({"type":"object","properties":{"t":{"type":"string","format":"date-time"}}})",
       R"({"t":"2024-05-01T10:00:00Z"})", {}},
      {"minProperties stops the object's checks",
       R"({"type":"object","properties":{"m":{"type":"object","minProperties":2,"required":["a"]}}})", R"({"m":{"b":1}})",
       {"FieldValueInvalid m: Invalid value: 2: m in body should have at least 2 properties"}},
      {"list-type set", R"({"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}}})",
       R"({"l":["a","b","a"]})", {"FieldValueDuplicate l[2]: Duplicate value: \"a\""}},
      {"embedded resource needs kind", R"({"type":"object","properties":{"t":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}})",
       R"({"t":{"apiVersion":"v1"}})", {"FieldValueRequired t.kind: Required value: must not be empty"}},
      {"properties in name order, then required ones", kGizmoSchema.dump(),
       R"({"spec":{"mode":1},"status":{"conditions":[{"type":"Ready"}]}})",
       {"FieldValueTypeInvalid spec.mode: Invalid value: \"integer\": spec.mode in body must be of type string: \"integer\"",
        "FieldValueRequired spec.size: Required value",
        "FieldValueRequired status.conditions[0].status: Required value"}},
  };
  for (const ValidateCase& c : cases) {
    EXPECT_EQ(Strings(Validate(json::parse(c.schema), json::parse(c.object))), c.want) << c.name;
  }
}

TEST(SchemaValidateTest, EvaluatesCelValidationRulesLikeTheRealServer) {
  json schema = json::parse(R"json({"type": "object", "properties": {"spec": {
      "type": "object",
      "x-kubernetes-validations": [
        {"rule": "self.minReplicas <= self.maxReplicas", "message": "minReplicas must not exceed maxReplicas"},
        {"rule": "!has(self.paused) || !self.paused || self.maxReplicas == 0"},
        {"rule": "self.mode != 'turbo'", "fieldPath": ".mode", "reason": "FieldValueForbidden", "message": "no turbo"},
        {"rule": "self == oldSelf", "message": "immutable"},
        {"rule": "quantity(self.size).isLessThan(quantity('1Gi'))"}],
      "properties": {
        "minReplicas": {"type": "integer"}, "maxReplicas": {"type": "integer"}, "paused": {"type": "boolean"},
        "mode": {"type": "string"},
        "targets": {"type": "array", "items": {"type": "object",
            "x-kubernetes-validations": [{"rule": "self.port > 1024", "messageExpression": "'port ' + string(self.port) + ' is privileged'"}],
            "properties": {"port": {"type": "integer"}}}}}}}})json");
  json ok = json::parse(R"({"spec": {"minReplicas": 1, "maxReplicas": 3, "mode": "safe", "targets": [{"port": 5432}]}})");
  EXPECT_THAT(Validate(schema, ok), IsEmpty());
  json bad = json::parse(R"({"spec": {"minReplicas": 5, "maxReplicas": 3, "paused": true, "mode": "turbo",
                                      "targets": [{"port": 5432}, {"port": 80}]}})");
  EXPECT_EQ(Strings(Validate(schema, bad)),
            (std::vector<std::string>{
                "FieldValueInvalid spec: Invalid value: \"object\": minReplicas must not exceed maxReplicas",
                "FieldValueInvalid spec: Invalid value: \"object\": failed rule: !has(self.paused) || !self.paused || "
                "self.maxReplicas == 0",
                "FieldValueForbidden spec.mode: Forbidden: no turbo",
                "FieldValueInvalid spec.targets[1]: Invalid value: \"object\": port 80 is privileged"}));
}

TEST(SchemaValidateTest, CelSeesNumberFieldsAsDoubles) {
  json schema = json::parse(R"({"type": "object", "properties": {"spec": {"type": "object",
      "x-kubernetes-validations": [{"rule": "self.ratio + 0.5 <= 1.0"}],
      "properties": {"ratio": {"type": "number"}}}}})");
  EXPECT_THAT(Validate(schema, json::parse(R"({"spec": {"ratio": 0}})")), IsEmpty());
  EXPECT_EQ(Validate(schema, json::parse(R"({"spec": {"ratio": 1}})")).size(), 1u);
}

TEST(SchemaDefaultsTest, FillsDefaultsAtAnyDepth) {
  json schema = json::parse(R"({
    "type": "object",
    "properties": {
      "spec": {
        "type": "object",
        "default": {},
        "properties": {
          "mode": {"type": "string", "default": "safe"},
          "retention": {"type": "object", "default": {"daily": 7}, "properties": {
            "daily": {"type": "integer"}, "weekly": {"type": "integer", "default": 4}}},
          "targets": {"type": "array", "items": {"type": "object", "properties": {
            "port": {"type": "integer", "default": 5432}}}},
          "labels": {"type": "object", "additionalProperties": {"type": "object", "properties": {
            "weight": {"type": "integer", "default": 1}}}}
        }
      }
    }
  })");
  json object = {{"spec", {{"targets", {{{"port", 1}}, json::object()}}, {"labels", {{"a", json::object()}}}}}};
  ApplyDefaults(schema, object);
  EXPECT_EQ(object, json::parse(R"({"spec": {
      "mode": "safe",
      "retention": {"daily": 7, "weekly": 4},
      "targets": [{"port": 1}, {"port": 5432}],
      "labels": {"a": {"weight": 1}}}})"));

  json empty = json::object();
  ApplyDefaults(schema, empty);
  EXPECT_EQ(empty["spec"]["mode"], "safe");  // the defaulted parent gets its own defaults
}

TEST(SchemaDefaultsTest, KeepsExplicitValuesAndHandlesNullsLikeTheRealServer) {
  json schema = json::parse(R"({"type": "object", "properties": {
      "a": {"type": "string", "default": "x"},
      "b": {"type": "string"},
      "c": {"type": "string", "nullable": true, "default": "y"},
      "d": {"type": "string", "default": "z"}}})");
  json object = {{"a", "mine"}, {"b", nullptr}, {"c", nullptr}, {"d", nullptr}};
  ApplyDefaults(schema, object);
  // Non-nullable null without default is dropped, non-nullable null with default is defaulted,
  // nullable null stays null.
  EXPECT_EQ(object, (json{{"a", "mine"}, {"c", nullptr}, {"d", "z"}}));
}

TEST(SchemaPruneTest, RemovesUnknownFieldsAndReportsTheirPaths) {
  json gizmo = {{"apiVersion", "example.com/v1"},
                {"kind", "Gizmo"},
                {"metadata", {{"name", "g"}, {"labels", {{"a", "b"}}}, {"bogus", 1}}},
                {"spec", {{"size", 1}, {"foo", "bar"}}},
                {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}, {"extra", 1}}}}}},
                {"top", true}};
  std::vector<std::string> pruned = PruneUnknownFields(kGizmoSchema, gizmo);
  EXPECT_THAT(pruned, ElementsAre("metadata.bogus", "spec.foo", "status.conditions[0].extra", "top"));
  EXPECT_EQ(gizmo, (json{{"apiVersion", "example.com/v1"},
                         {"kind", "Gizmo"},
                         {"metadata", {{"name", "g"}, {"labels", {{"a", "b"}}}}},
                         {"spec", {{"size", 1}}},
                         {"status", {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}}));
}

TEST(SchemaPruneTest, KeepsPreservedSubtreesMapsAndEmbeddedResourceHeaders) {
  json schema = json::parse(R"({"type": "object", "properties": {
      "spec": {"type": "object", "properties": {
        "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
        "partly": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {
            "known": {"type": "object", "properties": {"a": {"type": "string"}}}}},
        "env": {"type": "object", "additionalProperties": {"type": "object", "properties": {"v": {"type": "string"}}}},
        "template": {"type": "object", "x-kubernetes-embedded-resource": true, "properties": {
            "spec": {"type": "object", "properties": {"x": {"type": "string"}}}}}}}}})");
  json object = json::parse(R"({"spec": {
      "free": {"anything": {"goes": [1, 2]}},
      "partly": {"other": 1, "known": {"a": "x", "b": "y"}},
      "env": {"K": {"v": "1", "w": "2"}},
      "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": "1", "y": "2"}, "z": 3}}})");
  std::vector<std::string> pruned = PruneUnknownFields(schema, object);
  EXPECT_THAT(pruned, ElementsAre("spec.env.K.w", "spec.partly.known.b", "spec.template.spec.y", "spec.template.z"));
  EXPECT_EQ(object["spec"]["free"], json::parse(R"({"anything": {"goes": [1, 2]}})"));
  EXPECT_EQ(object["spec"]["partly"], json::parse(R"({"other": 1, "known": {"a": "x"}})"));
  EXPECT_EQ(object["spec"]["template"],
            json::parse(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": "1"}})"));
}

TEST(SchemaPruneTest, MetadataIsAlwaysObjectMetaEvenWhenTheSchemaRestrictsTheName) {
  json schema = json::parse(R"({"type": "object", "properties": {
      "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}}}}})");
  json object = {{"metadata", {{"name", "g"}, {"labels", {{"a", "b"}}}, {"namespace", "ns"}, {"bogus", 1}}}};
  EXPECT_THAT(PruneUnknownFields(schema, object), ElementsAre("metadata.bogus"));
  EXPECT_EQ(object["metadata"], (json{{"name", "g"}, {"labels", {{"a", "b"}}}, {"namespace", "ns"}}));
}

TEST(SchemaPruneTest, ValidObjectsLoseNothing) {
  json gizmo = {{"apiVersion", "example.com/v1"}, {"kind", "Gizmo"}, {"metadata", {{"name", "g"}}},
                {"spec", {{"size", 3}, {"mode", "fast"}}}};
  json copy = gizmo;
  EXPECT_THAT(PruneUnknownFields(kGizmoSchema, gizmo), IsEmpty());
  EXPECT_EQ(gizmo, copy);
  EXPECT_THAT(Validate(kGizmoSchema, gizmo), IsEmpty());
}

}  // namespace
}  // namespace lifeboat::devcluster
