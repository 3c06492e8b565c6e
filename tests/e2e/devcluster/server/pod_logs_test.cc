#include "e2e/devcluster/server/pod_logs.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(PodLogsTest, TailLinesKeepsTheLastLines) {
  EXPECT_EQ(TailLines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(TailLines("a\nb\nc", 2), "b\nc");
  EXPECT_EQ(TailLines("a\nb\n", 5), "a\nb\n");
  EXPECT_EQ(TailLines("a\nb\n", 0), "");
  EXPECT_EQ(TailLines("a\nb\n", -1), "a\nb\n");
  EXPECT_EQ(TailLines("", 3), "");
}

}  // namespace
}  // namespace lifeboat::devcluster
