#include "e2e/devcluster/semantics/cel.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

const json kSelf = json::parse(R"({
  "minReplicas": 1, "maxReplicas": 5, "ratio": 0.5, "name": "web-api", "mode": "safe",
  "tags": ["a", "b", "c"], "labels": {"app": "web", "tier": "front"},
  "targets": [{"name": "db", "port": 5432}, {"name": "cache", "port": 6379}],
  "empty": [], "schedule": "0 3 * * *"
})");

struct Case {
  const char* expression;
  json want;
};

TEST(CelProgramTest, EvaluatesTheRulesCrdsCommonlyUse) {
  const Case cases[] = {
      {"self.minReplicas <= self.maxReplicas", true},
      {"self.minReplicas > self.maxReplicas", false},
      {"self.maxReplicas - self.minReplicas == 4", true},
      {"self.maxReplicas * 2 / 3 % 2", 1},
      {"self.ratio < 1.0 && self.ratio > 0.0", true},
      {"self.ratio < 1", true},  // int and double compare by value
      {"has(self.mode) && self.mode in ['fast', 'safe']", true},
      {"!has(self.missing)", true},
      {"has(self.missing) ? self.missing > 1 : true", true},
      {"self.name.startsWith('web') && self.name.endsWith(\"api\")", true},
      {"self.name.contains('-')", true},
      {"self.name.matches('^[a-z]+(-[a-z]+)*$')", true},
      {"self.schedule.matches('^\\\\S+ \\\\S+ \\\\S+ \\\\S+ \\\\S+$')", true},
      {"size(self.tags) == 3 && self.tags.size() == 3", true},
      {"self.name.size()", 7},
      {"self.tags.all(t, t.size() == 1)", true},
      {"self.tags.exists(t, t == 'b')", true},
      {"self.tags.exists_one(t, t > 'a')", false},
      {"self.targets.all(t, t.port > 1024)", true},
      {"self.targets.map(t, t.name)", json::array({"db", "cache"})},
      {"self.targets.filter(t, t.port > 6000).size() == 1", true},
      {"self.labels.all(k, k.size() > 2)", true},
      {"'app' in self.labels && self.labels['app'] == 'web'", true},
      {"self.tags[1]", "b"},
      {"self.empty.size() == 0", true},
      {"[1, 2] + [3] == [1, 2, 3]", true},
      {"{'a': 1}.a == 1", true},
      {"self.name + '-x'", "web-api-x"},
      {"self.mode.upperAscii()", "SAFE"},
      {"int('42') + 1", 43},
      {"string(5) == '5'", true},
      {"double(self.minReplicas) / 2.0", 0.5},
      {"-self.minReplicas", -1},
      {"self.missing > 1 || true", true},   // a decisive operand absorbs the other's error
      {"false && self.missing > 1", false},
      {"r'\\d' == '\\\\d'", true},
      {"0x10 == 16 && 3u == 3u", true},
  };
  for (const Case& c : cases) {
    auto program = CelProgram::Compile(c.expression);
    ASSERT_TRUE(program.ok()) << c.expression << ": " << program.status();
    auto got = program->Evaluate(kSelf);
    ASSERT_TRUE(got.ok()) << c.expression << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.expression;
  }
}

TEST(CelProgramTest, ReportsEvaluationErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"self.missing > 1", "no such key: missing"},
      {"self.minReplicas / 0", "division by zero"},
      {"self.tags[5]", "index out of bounds: 5"},
      {"self.name > 1", "no such overload: >(string, number)"},
      {"self.missing > 1 && true", "no such key: missing"},
  };
  for (const auto& [expression, message] : cases) {
    auto got = CelProgram::Compile(expression)->Evaluate(kSelf);
    ASSERT_FALSE(got.ok()) << expression;
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << expression;
    EXPECT_EQ(got.status().message(), message) << expression;
  }
}

TEST(CelProgramTest, RejectsSyntaxErrors) {
  for (const char* expression : {"self.a >", "(self.a", "self.a == 'x", "self..a", "a ? b", "self.a $ 1"}) {
    auto program = CelProgram::Compile(expression);
    ASSERT_FALSE(program.ok()) << expression;
    EXPECT_EQ(program.status().code(), StatusCode::kInvalidArgument) << expression;
  }
}

TEST(CelProgramTest, ReportsWhatTheSubsetCannotEvaluateAsUnsupported) {
  for (const char* expression : {"self.?a.orValue(1) == 1", "duration('1h') > duration('1m')",
                                 "quantity(self.size).isGreaterThan(quantity('1Gi'))", "b'abc' == b'abc'"}) {
    auto program = CelProgram::Compile(expression);
    Status status = program.ok() ? program->Evaluate(kSelf).status() : program.status();
    EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << expression << ": " << status;
    EXPECT_EQ(status.message().rfind("unsupported CEL", 0), 0u) << status;
  }
}

TEST(CelProgramTest, KnowsTransitionRules) {
  EXPECT_TRUE(CelProgram::Compile("self == oldSelf")->ReferencesOldSelf());
  EXPECT_FALSE(CelProgram::Compile("self.a == 1")->ReferencesOldSelf());
}

}  // namespace
}  // namespace lifeboat::devcluster
