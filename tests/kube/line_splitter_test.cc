#include "operator/kube/line_splitter.h"

#include <gtest/gtest.h>

namespace lifeboat::kube {
namespace {

TEST(LineSplitterTest, JoinsALineSplitAcrossChunks) {
  LineSplitter splitter;
  EXPECT_TRUE(splitter.Feed("{\"type\":\"ADD").empty());
  EXPECT_TRUE(splitter.Feed("ED\"").empty());
  auto lines = splitter.Feed("}\n{\"a\"");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "{\"type\":\"ADDED\"}");
  EXPECT_TRUE(splitter.HasRemainder());
  EXPECT_EQ(splitter.TakeRemainder(), "{\"a\"");
}

TEST(LineSplitterTest, ReturnsSeveralLinesFromOneChunkAndSkipsEmptyLines) {
  LineSplitter splitter;
  auto lines = splitter.Feed("a\n\nb\r\nc\n");
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_FALSE(splitter.HasRemainder());
}

TEST(LineSplitterTest, ANewlineArrivingAloneCompletesTheLine) {
  LineSplitter splitter;
  EXPECT_TRUE(splitter.Feed("abc").empty());
  EXPECT_EQ(splitter.Feed("\n"), std::vector<std::string>{"abc"});
}

}  // namespace
}  // namespace lifeboat::kube
