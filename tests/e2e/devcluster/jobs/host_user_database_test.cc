#include "e2e/devcluster/jobs/host_user_database.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(HostUserDatabaseTest, FindsRootByIdAndByName) {
  HostUserDatabase users;
  auto root = users.UserById(0);
  ASSERT_TRUE(root);
  EXPECT_EQ(root->name, "root");
  EXPECT_EQ(root->gid, 0);
  EXPECT_FALSE(root->home.empty());
  auto by_name = users.UserByName("root");
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->uid, 0);
  EXPECT_EQ(users.GroupIdByName("root"), 0);
}

TEST(HostUserDatabaseTest, UnknownUsersAndGroupsAreNotFound) {
  HostUserDatabase users;
  EXPECT_FALSE(users.UserById(2147483000));
  EXPECT_FALSE(users.UserByName("no-such-user-lifeboat"));
  EXPECT_FALSE(users.GroupIdByName("no-such-group-lifeboat"));
  EXPECT_TRUE(users.SupplementaryGroups("no-such-user-lifeboat").empty());
  EXPECT_FALSE(users.UserById(-1));
}

}  // namespace
}  // namespace lifeboat::devcluster
