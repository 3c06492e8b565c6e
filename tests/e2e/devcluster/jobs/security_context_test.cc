#include "e2e/devcluster/jobs/security_context.h"

#include <gtest/gtest.h>

#include "tests/e2e/devcluster/jobs/fake_user_database.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

json PodWith(json pod_context, json containers = json::array({{{"name", "main"}}})) {
  return {{"metadata", {{"name", "backup-x7k2p"}, {"namespace", "prod"}, {"uid", "5d3c1f0e"}}},
          {"spec", {{"securityContext", pod_context}, {"containers", containers}}}};
}

json Container(json context = json::object()) {
  json container = {{"name", "main"}};
  if (!context.empty()) container["securityContext"] = context;
  return container;
}

// An image's /etc/passwd and /etc/group, as a Debian-based image has them.
FakeUserDatabase ImageAccounts() {
  FakeUserDatabase users;
  users.AddUser({0, 0, "root", "/root"})
      .AddUser({999, 999, "postgres", "/var/lib/postgresql"}, {101})
      .AddUser({65532, 65532, "lifeboat", "/home/lifeboat"})
      .AddGroup("ssl-cert", 101)
      .AddGroup("staff", 50);
  return users;
}

TEST(SecurityContextTest, ContainerSettingsWinOverThePods) {
  json pod = PodWith({{"runAsUser", 1000}, {"runAsGroup", 2000}, {"runAsNonRoot", false}, {"fsGroup", 3000},
                      {"fsGroupChangePolicy", "OnRootMismatch"}, {"supplementalGroups", {4000}}});
  EffectiveSecurityContext context =
      DetermineEffectiveSecurityContext(pod, Container({{"runAsUser", 999}, {"runAsNonRoot", true}}));
  EXPECT_EQ(context.run_as_user, 999);
  EXPECT_EQ(context.run_as_group, 2000);
  EXPECT_EQ(context.run_as_non_root, true);
  EXPECT_EQ(context.fs_group, 3000);
  EXPECT_EQ(context.fs_group_change_policy, "OnRootMismatch");
  EXPECT_EQ(context.supplemental_groups, std::vector<int64_t>{4000});
}

TEST(SecurityContextTest, ImageUserIsANumericUidElseANameAndNoUserMeansRoot) {
  EXPECT_EQ(ParseImageUser("65532:65532"), (ImageUser{65532, "", "65532"}));
  EXPECT_EQ(ParseImageUser("postgres"), (ImageUser{std::nullopt, "postgres", ""}));
  EXPECT_EQ(ParseImageUser("nobody:nogroup"), (ImageUser{std::nullopt, "nobody", "nogroup"}));
  EXPECT_EQ(ParseImageUser(""), (ImageUser{0, "", ""}));
}

TEST(SecurityContextTest, RunAsNonRootAcceptsANonRootUserFromTheContextOrTheImage) {
  json pod = PodWith({{"runAsNonRoot", true}});
  EXPECT_TRUE(VerifyRunAsNonRoot(pod, Container({{"runAsUser", 1000}}), ParseImageUser("")).ok());
  EXPECT_TRUE(VerifyRunAsNonRoot(pod, Container(), ParseImageUser("65532:65532")).ok());
  EXPECT_TRUE(VerifyRunAsNonRoot(pod, Container({{"runAsUser", 1000}}), ParseImageUser("postgres")).ok())
      << "runAsUser makes the image's user irrelevant";
  EXPECT_TRUE(VerifyRunAsNonRoot(PodWith(json::object()), Container(), ParseImageUser("")).ok())
      << "without runAsNonRoot anything goes";
  EXPECT_TRUE(VerifyRunAsNonRoot(pod, Container({{"runAsNonRoot", false}}), ParseImageUser("")).ok())
      << "the container's runAsNonRoot wins";
}

TEST(SecurityContextTest, RunAsNonRootRefusesRootWithTheKubeletsMessages) {
  json pod = PodWith({{"runAsNonRoot", true}});
  const std::string where = " (pod: \"backup-x7k2p_prod(5d3c1f0e)\", container: main)";
  Status status = VerifyRunAsNonRoot(pod, Container(), ParseImageUser(""));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "container has runAsNonRoot and image will run as root" + where)
      << "an image without USER runs as root";
  EXPECT_EQ(VerifyRunAsNonRoot(pod, Container(), ParseImageUser("0:0")).message(),
            "container has runAsNonRoot and image will run as root" + where);
  EXPECT_EQ(VerifyRunAsNonRoot(pod, Container({{"runAsUser", 0}}), ParseImageUser("65532")).message(),
            "container's runAsUser breaks non-root policy" + where);
  EXPECT_EQ(VerifyRunAsNonRoot(pod, Container(), ParseImageUser("postgres")).message(),
            "container has runAsNonRoot and image has non-numeric user (postgres), cannot verify user is non-root" + where);
  EXPECT_EQ(VerifyRunAsNonRoot(PodWith(json::object()), Container({{"runAsNonRoot", true}}), ParseImageUser("4294967296"))
                .message(),
            "container has runAsNonRoot and image has an invalid user id (4294967296). (Must be 1-(2147483647)): must "
            "be between 0 and 2147483647, inclusive" + where);
}

TEST(SecurityContextTest, TheImagesUserAndGroupApplyWithoutRunAsUser) {
  FakeUserDatabase users = ImageAccounts();
  auto identity = ResolveProcessIdentity({}, ParseImageUser("65532:65532"), users);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(*identity, (ProcessIdentity{65532, 65532, {65532}, "/home/lifeboat"}));
  identity = ResolveProcessIdentity({}, ParseImageUser("postgres"), users);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(*identity, (ProcessIdentity{999, 999, {999, 101}, "/var/lib/postgresql"}))
      << "a name is looked up; its groups in /etc/group are supplementary";
  identity = ResolveProcessIdentity({}, ParseImageUser("postgres:staff"), users);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->gid, 50);
}

TEST(SecurityContextTest, RunAsUserAndRunAsGroupOverrideTheImage) {
  FakeUserDatabase users = ImageAccounts();
  EffectiveSecurityContext context;
  context.run_as_user = 999;
  auto identity = ResolveProcessIdentity(context, ParseImageUser("65532:65532"), users);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(*identity, (ProcessIdentity{999, 999, {999, 101}, "/var/lib/postgresql"}))
      << "the image's group goes with the image's user";
  context.run_as_group = 2000;
  identity = ResolveProcessIdentity(context, ParseImageUser("65532:65532"), users);
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->gid, 2000);
  EXPECT_EQ(identity->groups, (std::vector<int64_t>{2000, 101}));
  EffectiveSecurityContext group_only;
  group_only.run_as_group = 3000;
  identity = ResolveProcessIdentity(group_only, ParseImageUser("65532:65532"), users);
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->uid, 65532);
  EXPECT_EQ(identity->gid, 3000);
}

TEST(SecurityContextTest, AUidWithoutAnAccountGetsGroupZeroAndHomeSlash) {
  EffectiveSecurityContext context;
  context.run_as_user = 4321;
  auto identity = ResolveProcessIdentity(context, ParseImageUser(""), ImageAccounts());
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(*identity, (ProcessIdentity{4321, 0, {0}, "/"}));
}

TEST(SecurityContextTest, SupplementalGroupsAndFsGroupFollowThePrimaryGroup) {
  EffectiveSecurityContext context;
  context.run_as_user = 1000;
  context.run_as_group = 2000;
  context.fs_group = 3000;
  context.supplemental_groups = {4000, 2000};
  auto identity = ResolveProcessIdentity(context, ParseImageUser(""), ImageAccounts());
  ASSERT_TRUE(identity.ok());
  EXPECT_EQ(identity->groups, (std::vector<int64_t>{2000, 4000, 3000}));
  EXPECT_EQ(DropPrivilegesPrefix(*identity, "/usr/bin/setpriv"),
            (std::vector<std::string>{"/usr/bin/setpriv", "--reuid=1000", "--regid=2000", "--groups=2000,4000,3000", "--"}));
}

TEST(SecurityContextTest, UnknownNamesFailAsContainerdFails) {
  auto identity = ResolveProcessIdentity({}, ParseImageUser("nosuchuser"), ImageAccounts());
  EXPECT_EQ(identity.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(identity.status().message(), "failed to create containerd container: no users found");
  identity = ResolveProcessIdentity({}, ParseImageUser("postgres:nosuchgroup"), ImageAccounts());
  EXPECT_EQ(identity.status().message(), "failed to create containerd container: no groups found");
}

TEST(SecurityContextTest, PlainRootNeedsNoPrefixButRootWithGroupsDoes) {
  auto root = ResolveProcessIdentity({}, ParseImageUser(""), ImageAccounts());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, (ProcessIdentity{0, 0, {0}, "/root"}));
  EXPECT_FALSE(NeedsIdentityChange(*root));
  EXPECT_TRUE(DropPrivilegesPrefix(*root, "setpriv").empty());
  EffectiveSecurityContext with_fs_group;
  with_fs_group.fs_group = 3000;
  root = ResolveProcessIdentity(with_fs_group, ParseImageUser(""), ImageAccounts());
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(DropPrivilegesPrefix(*root, "setpriv"),
            (std::vector<std::string>{"setpriv", "--reuid=0", "--regid=0", "--groups=0,3000", "--"}));
}

TEST(SecurityContextTest, FsUserIsTheRunAsUserEveryContainerShares) {
  json same = PodWith({{"runAsUser", 1000}}, json::array({Container(), Container({{"runAsUser", 1000}})}));
  EXPECT_EQ(FsUserFrom(same), 1000);
  json differ = PodWith({{"runAsUser", 1000}}, json::array({Container(), Container({{"runAsUser", 1001}})}));
  EXPECT_EQ(FsUserFrom(differ), std::nullopt);
  json unset = PodWith(json::object(), json::array({Container({{"runAsUser", 1000}}), Container()}));
  EXPECT_EQ(FsUserFrom(unset), std::nullopt) << "a container without runAsUser (it may run as the image's user)";
  json init = PodWith({{"runAsUser", 1000}});
  init["spec"]["initContainers"] = json::array({Container({{"runAsUser", 0}})});
  EXPECT_EQ(FsUserFrom(init), std::nullopt) << "init containers count too";
}

}  // namespace
}  // namespace lifeboat::devcluster
