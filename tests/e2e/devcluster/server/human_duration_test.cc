#include "e2e/devcluster/server/human_duration.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using std::chrono::seconds;

TEST(HumanDurationTest, PrintsAgesLikeKubectl) {
  EXPECT_EQ(HumanDuration(seconds(-5)), "<invalid>");
  EXPECT_EQ(HumanDuration(seconds(-1)), "0s");
  EXPECT_EQ(HumanDuration(seconds(1)), "1s");
  EXPECT_EQ(HumanDuration(seconds(119)), "119s");
  EXPECT_EQ(HumanDuration(seconds(120)), "2m");
  EXPECT_EQ(HumanDuration(seconds(200)), "3m20s");
  EXPECT_EQ(HumanDuration(seconds(15 * 60 + 7)), "15m");
  EXPECT_EQ(HumanDuration(seconds(3 * 3600 + 5 * 60)), "3h5m");
  EXPECT_EQ(HumanDuration(seconds(4 * 3600)), "4h");
  EXPECT_EQ(HumanDuration(seconds(20 * 3600)), "20h");
  EXPECT_EQ(HumanDuration(seconds(50 * 3600)), "2d2h");
  EXPECT_EQ(HumanDuration(seconds(30 * 86400)), "30d");
  EXPECT_EQ(HumanDuration(seconds((365 * 3 + 10) * 86400LL)), "3y10d");
  EXPECT_EQ(HumanDuration(seconds(365 * 9 * 86400LL)), "9y");
}

}  // namespace
}  // namespace lifeboat::devcluster
