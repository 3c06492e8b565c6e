#include "e2e/devcluster/semantics/merge_patch.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

struct Case {
  json doc;
  json patch;
  json want;
};

// The examples of RFC 7386, appendix A (wrapped where the API server needs an object).
TEST(MergePatchTest, FollowsTheRfc7386Examples) {
  const Case cases[] = {
      {{{"a", "b"}}, {{"a", "c"}}, {{"a", "c"}}},
      {{{"a", "b"}}, {{"b", "c"}}, {{"a", "b"}, {"b", "c"}}},
      {{{"a", "b"}}, {{"a", nullptr}}, json::object()},
      {{{"a", "b"}, {"b", "c"}}, {{"a", nullptr}}, {{"b", "c"}}},
      {{{"a", {"b"}}}, {{"a", "c"}}, {{"a", "c"}}},
      {{{"a", "c"}}, {{"a", {"b"}}}, {{"a", {"b"}}}},
      {{{"a", {{"b", "c"}}}}, {{"a", {{"b", "d"}, {"c", nullptr}}}}, {{"a", {{"b", "d"}}}}},
      {{{"a", {{{"b", "c"}}}}}, {{"a", {1}}}, {{"a", {1}}}},
      {{{"e", nullptr}}, {{"a", 1}}, {{"e", nullptr}, {"a", 1}}},
      {json::object(), {{"a", {{"bb", {{"ccc", nullptr}}}}}}, {{"a", {{"bb", json::object()}}}}},
  };
  for (const Case& c : cases) {
    auto got = ApplyMergePatch(c.doc, c.patch);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want) << c.doc.dump() << " + " << c.patch.dump();
  }
}

TEST(MergePatchTest, ReplacesListsWholeAndMergesNestedMaps) {
  json deployment = {{"metadata", {{"labels", {{"app", "web"}, {"tier", "front"}}}}},
                     {"spec", {{"replicas", 3}, {"template", {{"spec", {{"containers", {{{"name", "a"}}}}}}}}}}};
  json patch = {{"metadata", {{"labels", {{"tier", nullptr}, {"new", "x"}}}}},
                {"spec", {{"replicas", 0}, {"template", {{"spec", {{"containers", {{{"name", "b"}}}}}}}}}}};
  auto got = ApplyMergePatch(deployment, patch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["metadata"]["labels"], (json{{"app", "web"}, {"new", "x"}}));
  EXPECT_EQ((*got)["spec"]["replicas"], 0);
  EXPECT_EQ((*got)["spec"]["template"]["spec"]["containers"], (json{{{"name", "b"}}}));
}

TEST(MergePatchTest, RejectsPatchesThatAreNotObjects) {
  for (const json& patch : {json::array({1}), json("x"), json(nullptr), json(3)}) {
    auto got = ApplyMergePatch(json::object(), patch);
    ASSERT_FALSE(got.ok()) << patch.dump();
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(MergePatchTest, DeletingAMissingKeyIsANoOp) {
  auto got = ApplyMergePatch(json{{"a", 1}}, json{{"b", nullptr}});
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (json{{"a", 1}}));
}

}  // namespace
}  // namespace lifeboat::devcluster
