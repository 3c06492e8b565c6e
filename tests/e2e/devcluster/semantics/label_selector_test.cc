#include "e2e/devcluster/semantics/label_selector.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

struct MatchCase {
  const char* selector;
  json labels;
  bool matches;
};

TEST(LabelSelectorTest, MatchesLabelsAsTheRealServerDoes) {
  const json web = {{"app", "web"}, {"tier", "front"}, {"version", "3"}};
  const MatchCase cases[] = {
      {"", web, true},
      {"", json(nullptr), true},
      {"app=web", web, true},
      {"app==web", web, true},
      {"app = web", web, true},
      {"app=db", web, false},
      {"app!=db", web, true},
      {"app!=web", web, false},
      {"missing!=x", web, true},  // != matches objects without the label
      {"app in (web,db)", web, true},
      {"app in (db)", web, false},
      {"app notin (db,cache)", web, true},
      {"app notin (web)", web, false},
      {"missing notin (x)", web, true},
      {"app", web, true},
      {"missing", web, false},
      {"!missing", web, true},
      {"!app", web, false},
      {"app=web,tier=front", web, true},
      {"app=web,tier=back", web, false},
      {"app in (web),!missing,tier", web, true},
      {"version>2", web, true},
      {"version<2", web, false},
      {"version>2", json::object(), false},
      {"app=", json{{"app", ""}}, true},
      {"app=", web, false},
      {"app in ()", json{{"app", ""}}, true},
      {"x in (in,notin)", json{{"x", "notin"}}, true},
      {"app.kubernetes.io/name=lifeboat", json{{"app.kubernetes.io/name", "lifeboat"}}, true},
      {"app=web", json(nullptr), false},
      {"!app", json(nullptr), true},
  };
  for (const MatchCase& c : cases) {
    auto selector = LabelSelector::Parse(c.selector);
    ASSERT_TRUE(selector.ok()) << c.selector << ": " << selector.status();
    EXPECT_EQ(selector->Matches(c.labels), c.matches) << "selector '" << c.selector << "' on " << c.labels.dump();
  }
}

TEST(LabelSelectorTest, EmptySelectorIsEmpty) {
  EXPECT_TRUE(LabelSelector::Parse("")->Empty());
  EXPECT_TRUE(LabelSelector::Parse("  ")->Empty());
  EXPECT_FALSE(LabelSelector::Parse("a")->Empty());
}

struct ErrorCase {
  const char* selector;
  const char* message;
};

TEST(LabelSelectorTest, RejectsBadSelectorsWithTheRealTexts) {
  const ErrorCase cases[] = {
      {"app=web,", "found '', expected: identifier after ','"},
      {",app", "found ',', expected: !, identifier, or 'end of string'"},
      {"app in web", "unable to parse requirement: found 'web' expected: '('"},
      {"app in (web", "unable to parse requirement: found '', expected: ',' or ')'"},
      {"app=web tier=x", "found 'tier', expected: ',' or 'end of string'"},
      {"app web", "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"},
      {"!", "unable to parse requirement: found '', expected: identifier"},
      {"app==(x)", "unable to parse requirement: found '(', expected: identifier"},
      {"!app=x", "found '=', expected: ',' or 'end of string'"},
      {"-app=x",
       "unable to parse requirement: <nil>: Invalid value: \"-app\": name part must consist of alphanumeric "
       "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
       "'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
      {"app=-web",
       "unable to parse requirement: values[0][app]: Invalid value: \"-web\": a valid label must be an empty "
       "string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
       "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
       "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
      {"version>abc",
       "unable to parse requirement: values[0]: Invalid value: \"abc\": for 'Gt', 'Lt' operators, the value must "
       "be an integer"},
  };
  for (const ErrorCase& c : cases) {
    auto selector = LabelSelector::Parse(c.selector);
    ASSERT_FALSE(selector.ok()) << c.selector;
    EXPECT_EQ(selector.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(selector.status().message(), c.message) << c.selector;
  }
}

TEST(LabelSelectorTest, RejectsKeysAndValuesLongerThanTheLimits) {
  std::string long_name(64, 'a');
  auto key = LabelSelector::Parse(long_name + "=x");
  ASSERT_FALSE(key.ok());
  EXPECT_NE(key.status().message().find("name part must be no more than 63 characters"), std::string::npos);
  auto value = LabelSelector::Parse("a=" + long_name);
  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.status().message().find("must be no more than 63 characters"), std::string::npos);
  EXPECT_TRUE(LabelSelector::Parse(std::string(63, 'a') + "=" + std::string(63, 'b')).ok());
}

TEST(LabelSelectorTest, PrintsACanonicalFormSortedByKey) {
  EXPECT_EQ(LabelSelector::Parse("z in (b,a), a!=x, !m, k")->ToString(), "a!=x,k,!m,z in (a,b)");
}

}  // namespace
}  // namespace lifeboat::devcluster

namespace lifeboat::devcluster {
namespace {

TEST(LabelSelectorFromObjectTest, ConvertsMatchLabelsAndExpressions) {
  auto selector = LabelSelector::FromObject(nlohmann::json::parse(R"({
      "matchLabels": {"app": "web"},
      "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]},
                           {"key": "canary", "operator": "DoesNotExist"},
                           {"key": "env", "operator": "NotIn", "values": ["dev"]},
                           {"key": "team", "operator": "Exists"}]})"));
  ASSERT_TRUE(selector.ok()) << selector.status();
  EXPECT_EQ(selector->ToString(), "app=web,!canary,env notin (dev),team,tier in (a,b)");
  EXPECT_TRUE(selector->Matches(nlohmann::json{{"app", "web"}, {"tier", "a"}, {"team", "x"}}));
  EXPECT_FALSE(selector->Matches(nlohmann::json{{"app", "web"}, {"tier", "a"}, {"team", "x"}, {"canary", "1"}}));
  EXPECT_FALSE(selector->Matches(nlohmann::json{{"app", "web"}, {"tier", "c"}, {"team", "x"}}));
}

TEST(LabelSelectorFromObjectTest, NullSelectsNothingAndEmptySelectsEverything) {
  auto nothing = LabelSelector::FromObject(nlohmann::json(nullptr));
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(nothing->Matches(nlohmann::json{{"a", "b"}}));
  EXPECT_FALSE(nothing->Empty());
  auto everything = LabelSelector::FromObject(nlohmann::json::object());
  ASSERT_TRUE(everything.ok());
  EXPECT_TRUE(everything->Matches(nlohmann::json{{"a", "b"}}));
  EXPECT_TRUE(everything->Empty());
}

TEST(LabelSelectorFromObjectTest, RejectsBadExpressions) {
  auto op = LabelSelector::FromObject(nlohmann::json::parse(R"({"matchExpressions": [{"key": "a", "operator": "Equals"}]})"));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.status().message(), "\"Equals\" is not a valid label selector operator");
  auto empty_in = LabelSelector::FromObject(nlohmann::json::parse(R"({"matchExpressions": [{"key": "a", "operator": "In"}]})"));
  ASSERT_FALSE(empty_in.ok());
  EXPECT_EQ(empty_in.status().message(),
            "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");
  EXPECT_FALSE(LabelSelector::FromObject(nlohmann::json::parse(R"({"matchLabels": {"a": "-x"}})")).ok());
}

}  // namespace
}  // namespace lifeboat::devcluster
