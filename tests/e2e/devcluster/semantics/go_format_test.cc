#include "e2e/devcluster/semantics/go_format.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

TEST(GoFormatTest, PrintsNumbersAsGoPrintsFloat64AndInt64) {
  const std::pair<json, const char*> cases[] = {
      {json(0), "0"},          {json(-7), "-7"},          {json(1.0), "1"},
      {json(1.5), "1.5"},      {json(0.1), "0.1"},        {json(-2.25), "-2.25"},
      {json(1e20), "100000000000000000000"},              {json(1e21), "1e+21"},
      {json(0.0001), "0.0001"}, {json(0.00001), "1e-05"}, {json(123456.789), "123456.789"},
      {json(18446744073709551615ull), "18446744073709551615"},
  };
  for (const auto& [value, want] : cases) EXPECT_EQ(GoNumber(value), want) << value.dump();
}

TEST(GoFormatTest, QuotesStringsLikeStrconvQuote) {
  EXPECT_EQ(GoQuote("turbo"), "\"turbo\"");
  EXPECT_EQ(GoQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(GoQuote("line\nnext\ttab"), "\"line\\nnext\\ttab\"");
  EXPECT_EQ(GoQuote(std::string("\x01", 1)), "\"\\x01\"");
  EXPECT_EQ(GoQuote("héllo"), "\"héllo\"");
}

TEST(GoFormatTest, PrintsFieldErrorValuesLikeTheRealServer) {
  EXPECT_EQ(GoFieldValue(json(0)), "0");
  EXPECT_EQ(GoFieldValue(json("turbo")), "\"turbo\"");
  EXPECT_EQ(GoFieldValue(json(true)), "true");
  EXPECT_EQ(GoFieldValue(json(nullptr)), "\"null\"");
  EXPECT_EQ(GoFieldValue(json{{"a", 1}, {"b", "x"}}), "map[string]interface {}{\"a\":1, \"b\":\"x\"}");
  EXPECT_EQ(GoFieldValue(json::array({1, "x"})), "[]interface {}{1, \"x\"}");
}

TEST(GoFormatTest, PrintsDecodedJsonLikePercentV) {
  EXPECT_EQ(GoV(json{{"name", "a"}, {"ports", {80, 443}}, {"x", nullptr}}), "map[name:a ports:[80 443] x:<nil>]");
  EXPECT_EQ(GoV(json("s")), "s");
}

}  // namespace
}  // namespace lifeboat::devcluster
