#include "e2e/devcluster/jobs/security_context.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

TEST(SecurityContextTest, ContainerSettingsWinOverThePods) {
  json pod = {{"spec", {{"securityContext", {{"runAsUser", 1000}, {"runAsGroup", 2000}, {"fsGroup", 3000},
                                             {"supplementalGroups", {4000}}}}}}};
  json container = {{"securityContext", {{"runAsUser", 999}}}};
  RunAs run_as = EffectiveRunAs(pod, container);
  EXPECT_EQ(run_as.user, 999);
  EXPECT_EQ(run_as.group, 2000);
  EXPECT_EQ(run_as.fs_group, 3000);
  EXPECT_EQ(DropPrivilegesPrefix(run_as, "/usr/bin/setpriv"),
            (std::vector<std::string>{"/usr/bin/setpriv", "--reuid=999", "--regid=2000", "--groups=3000,4000", "--"}));
}

TEST(SecurityContextTest, RootOrNothingNeedsNoPrefix) {
  EXPECT_TRUE(DropPrivilegesPrefix(EffectiveRunAs(json::object(), json::object()), "setpriv").empty());
  json root = {{"securityContext", {{"runAsUser", 0}}}};
  EXPECT_TRUE(DropPrivilegesPrefix(EffectiveRunAs(json::object(), root), "setpriv").empty());
}

TEST(SecurityContextTest, GroupDefaultsToTheUserAndGroupsAreCleared) {
  json container = {{"securityContext", {{"runAsUser", 101}}}};
  EXPECT_EQ(DropPrivilegesPrefix(EffectiveRunAs(json::object(), container), "setpriv"),
            (std::vector<std::string>{"setpriv", "--reuid=101", "--regid=101", "--clear-groups", "--"}));
}

}  // namespace
}  // namespace lifeboat::devcluster
