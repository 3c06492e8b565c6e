#include "e2e/devcluster/semantics/json_patch.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

struct Case {
  const char* name;
  const char* doc;
  const char* ops;
  const char* want;
};

// Mostly the examples of RFC 6902, appendix A.
TEST(JsonPatchTest, AppliesTheRfc6902Operations) {
  const Case cases[] = {
      {"add object member", R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])",
       R"({"baz":"qux","foo":"bar"})"},
      {"add array element", R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])",
       R"({"foo":["bar","qux","baz"]})"},
      {"add to end with -", R"({"foo":[1]})", R"([{"op":"add","path":"/foo/-","value":2}])", R"({"foo":[1,2]})"},
      {"add replaces existing member", R"({"foo":1})", R"([{"op":"add","path":"/foo","value":2}])", R"({"foo":2})"},
      {"remove member", R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])", R"({"foo":"bar"})"},
      {"remove array element", R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])",
       R"({"foo":["bar","baz"]})"},
      {"replace", R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])",
       R"({"baz":"boo","foo":"bar"})"},
      {"move member", R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
       R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
       R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"},
      {"move array element", R"({"foo":["all","grass","cows","eat"]})",
       R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])", R"({"foo":["all","cows","eat","grass"]})"},
      {"copy", R"({"a":{"b":1}})", R"([{"op":"copy","from":"/a","path":"/c"}])", R"({"a":{"b":1},"c":{"b":1}})"},
      {"test then replace", R"({"spec":{"size":1}})",
       R"([{"op":"test","path":"/spec/size","value":1},{"op":"replace","path":"/spec/size","value":2}])",
       R"({"spec":{"size":2}})"},
      {"escaped pointer", R"({"a/b":1,"m~n":2})",
       R"([{"op":"replace","path":"/a~1b","value":3},{"op":"remove","path":"/m~0n"}])", R"({"a/b":3})"},
      {"label with slash", R"({"metadata":{"labels":{}}})",
       R"([{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"x"}])",
       R"({"metadata":{"labels":{"app.kubernetes.io/name":"x"}}})"},
      {"empty patch", R"({"a":1})", R"([])", R"({"a":1})"},
      {"a missing value adds null", R"({})", R"([{"op":"add","path":"/x"}])", R"({"x":null})"},
  };
  for (const Case& c : cases) {
    auto got = ApplyJsonPatch(json::parse(c.doc), json::parse(c.ops));
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status();
    EXPECT_EQ(*got, json::parse(c.want)) << c.name;
  }
}

struct ErrorCase {
  const char* name;
  const char* doc;
  const char* ops;
  StatusCode code;
  const char* message;
};

TEST(JsonPatchTest, FailsTheWholePatchWhenAnOperationDoesNotApply) {
  const ErrorCase cases[] = {
      {"test failed", R"({"spec":{"size":1}})", R"([{"op":"test","path":"/spec/size","value":2}])",
       StatusCode::kFailedPrecondition, "testing value /spec/size failed: test failed"},
      {"add under missing parent", R"({"spec":{}})", R"([{"op":"add","path":"/spec/x/y","value":1}])",
       StatusCode::kFailedPrecondition, "add operation does not apply: doc is missing path: \"/spec/x/y\": missing value"},
      {"replace missing", R"({"spec":{}})", R"([{"op":"replace","path":"/spec/x","value":1}])",
       StatusCode::kFailedPrecondition, "replace operation does not apply: doc is missing key: /spec/x: missing value"},
      {"remove missing", R"({"spec":{}})", R"([{"op":"remove","path":"/spec/x"}])", StatusCode::kFailedPrecondition,
       "Unable to remove nonexistent key: x: missing value"},
      {"remove bad index", R"({"a":[1]})", R"([{"op":"remove","path":"/a/5"}])", StatusCode::kFailedPrecondition,
       "Unable to remove invalid index: 5: invalid index referenced"},
      {"add past end", R"({"a":[1]})", R"([{"op":"add","path":"/a/3","value":1}])", StatusCode::kFailedPrecondition,
       "Unable to access invalid index: 3: invalid index referenced"},
      {"move from missing", R"({})", R"([{"op":"move","from":"/x","path":"/y"}])", StatusCode::kFailedPrecondition,
       "move operation does not apply: doc is missing from path: /x: missing value"},
      {"unknown op", R"({})", R"([{"op":"merge","path":"/x"}])", StatusCode::kFailedPrecondition, "Unexpected kind: merge"},
      {"replace under missing parent", R"({})", R"([{"op":"replace","path":"/x/y","value":1}])",
       StatusCode::kFailedPrecondition, "replace operation does not apply: doc is missing path: /x/y: missing value"},
      {"test under missing parent", R"({})", R"([{"op":"test","path":"/x/y","value":1}])",
       StatusCode::kFailedPrecondition, "test operation does not apply: is missing path: /x/y: missing value"},
      {"move without from", R"({"a":1})", R"([{"op":"move","path":"/b"}])", StatusCode::kFailedPrecondition,
       "operation, missing from field: missing value"},
      {"op that is not an object", R"({})", R"([1])", StatusCode::kInvalidArgument,
       "invalid JSON Patch: operation 0 is not an object"},
      {"not an array", R"({})", R"({"op":"add"})", StatusCode::kInvalidArgument,
       "invalid JSON Patch: the patch must be a JSON array of operations"},
      {"missing path", R"({})", R"([{"op":"remove"}])", StatusCode::kFailedPrecondition,
       "operation missing path field: missing value"},
  };
  for (const ErrorCase& c : cases) {
    auto got = ApplyJsonPatch(json::parse(c.doc), json::parse(c.ops));
    ASSERT_FALSE(got.ok()) << c.name;
    EXPECT_EQ(got.status().code(), c.code) << c.name;
    EXPECT_EQ(got.status().message(), c.message) << c.name;
  }
}

TEST(JsonPatchTest, LeavesTheInputUntouchedWhenALaterOperationFails) {
  const json doc = {{"a", 1}};
  auto got = ApplyJsonPatch(doc, json::parse(R"([{"op":"replace","path":"/a","value":2},{"op":"test","path":"/a","value":3}])"));
  EXPECT_FALSE(got.ok());
  EXPECT_EQ(doc, (json{{"a", 1}}));
}

}  // namespace
}  // namespace lifeboat::devcluster
