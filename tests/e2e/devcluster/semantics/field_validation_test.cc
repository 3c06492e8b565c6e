#include "e2e/devcluster/semantics/field_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(FieldValidationTest, ParsesTheModeWithWarnAsTheDefault) {
  EXPECT_EQ(*ParseFieldValidationMode(""), FieldValidationMode::kWarn);
  EXPECT_EQ(*ParseFieldValidationMode("Warn"), FieldValidationMode::kWarn);
  EXPECT_EQ(*ParseFieldValidationMode("Strict"), FieldValidationMode::kStrict);
  EXPECT_EQ(*ParseFieldValidationMode("Ignore"), FieldValidationMode::kIgnore);
  auto bad = ParseFieldValidationMode("strict");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "fieldValidation: Unsupported value: \"strict\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"");
}

struct DuplicateCase {
  const char* name;
  const char* body;
  std::vector<std::string> want;
};

TEST(FieldValidationTest, FindsDuplicateKeysWithTheirPaths) {
  const DuplicateCase cases[] = {
      {"none", R"({"spec":{"size":1,"mode":"fast"}})", {}},
      {"nested", R"({"spec":{"size":1,"size":2}})", {"spec.size"}},
      {"top level", R"({"kind":"Gizmo","kind":"Gizmo"})", {"kind"}},
      {"in a list item", R"({"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","name":"c"}]}})",
       {"spec.containers[1].name"}},
      {"same key in different objects is fine", R"({"a":{"x":1},"b":{"x":1}})", {}},
      {"escaped key equals plain key", R"({"spec":{"size":1,"\u0073ize":2}})", {"spec.size"}},
      {"each path once, in the order met", R"({"b":1,"a":1,"b":2,"a":2,"b":3})", {"b", "a"}},
      {"whitespace and nesting", " {\n \"m\" : { \"l\" : [ [ {\"k\":1, \"k\":2} ] ] } } ", {"m.l[0][0].k"}},
      {"keys inside strings are not keys", R"({"a":"{\"b\":1,\"b\":2}"})", {}},
      {"malformed json", R"({"a":1,"a":2)", {}},
  };
  for (const DuplicateCase& c : cases) {
    EXPECT_EQ(FindDuplicateFields(c.body), c.want) << c.name;
  }
}

TEST(FieldValidationTest, FormatsStrictErrorsAndWarningsLikeTheRealServer) {
  EXPECT_EQ(StrictDecodingErrorMessage({"spec.foo"}, {"spec.size"}),
            "strict decoding error: unknown field \"spec.foo\", duplicate field \"spec.size\"");
  EXPECT_EQ(StrictDecodingErrorMessage({"spec.template.spec.containers[0].imagePullPolicyy"}, {}),
            "strict decoding error: unknown field \"spec.template.spec.containers[0].imagePullPolicyy\"");
  EXPECT_THAT(FieldValidationProblems({"a", "b"}, {"c"}),
              ElementsAre("unknown field \"a\"", "unknown field \"b\"", "duplicate field \"c\""));
  EXPECT_THAT(FieldValidationProblems({}, {}), IsEmpty());
  EXPECT_EQ(WarningHeaderValue("unknown field \"spec.foo\""), "299 - \"unknown field \\\"spec.foo\\\"\"");
}

}  // namespace
}  // namespace lifeboat::devcluster
