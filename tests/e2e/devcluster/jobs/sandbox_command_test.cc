#include "e2e/devcluster/jobs/sandbox_command.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(SandboxCommandTest, BuildsAPrivateRootWithHostDirectoriesAndVolumes) {
  SandboxSpec spec;
  spec.root_entries = {{"bin", "usr/bin"}, {"dev", std::nullopt}, {"etc", std::nullopt}, {"proc", std::nullopt},
                       {"tmp", std::nullopt}, {"usr", std::nullopt}};
  spec.mounts = {{"/d/volumes/ns/c", "/backups", false, false}, {"/d/pods/x/termination-log", "/dev/termination-log", false, true},
                 {"/d/volumes/ns/src", "/src", true, false}};
  spec.read_only_dirs = {"/tmp/images/pg"};
  spec.working_dir = "/backups";
  spec.hostname = "job-abcde";
  spec.argv = {"sh", "-c", "echo hi"};
  const std::vector<std::string> expected = {
      "/usr/bin/bwrap", "--die-with-parent", "--unshare-pid", "--unshare-uts", "--hostname", "job-abcde",
      "--tmpfs", "/", "--symlink", "usr/bin", "/bin", "--bind", "/etc", "/etc", "--bind", "/usr", "/usr",
      "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/dev/shm", "--perms", "1777", "--tmpfs",
      "/tmp", "--dir", "/tmp", "--dir", "/tmp/images", "--ro-bind", "/tmp/images/pg", "/tmp/images/pg",
      "--bind", "/d/volumes/ns/c", "/backups", "--dir", "/dev", "--bind", "/d/pods/x/termination-log",
      "/dev/termination-log", "--ro-bind", "/d/volumes/ns/src", "/src", "--dir", "/backups", "--chdir", "/backups",
      "--", "sh", "-c", "echo hi"};
  EXPECT_EQ(BuildSandboxCommand("/usr/bin/bwrap", spec), expected);
}

TEST(SandboxCommandTest, NoNetworkNamespaceSoPodsReachLoopbackServices) {
  SandboxSpec spec;
  spec.argv = {"true"};
  for (const std::string& arg : BuildSandboxCommand("bwrap", spec)) {
    EXPECT_NE(arg, "--unshare-net");
    EXPECT_NE(arg, "--unshare-all");
  }
}

TEST(SandboxCommandTest, TmpAndShmAreWritableByEveryUserAsInARealContainer) {
  SandboxSpec spec;
  spec.argv = {"true"};
  const std::vector<std::string> args = BuildSandboxCommand("bwrap", spec);
  for (const std::string dir : {"/tmp", "/dev/shm"}) {
    auto tmpfs = std::find(args.begin(), args.end(), dir);
    ASSERT_NE(tmpfs, args.end()) << dir;
    ASSERT_GE(tmpfs - args.begin(), 3);
    EXPECT_EQ(*(tmpfs - 1), "--tmpfs") << dir;
    EXPECT_EQ(*(tmpfs - 3), "--perms") << dir;
    EXPECT_EQ(*(tmpfs - 2), "1777") << dir;
  }
}

TEST(SandboxCommandTest, MissingParentsOfMountsAreCreatedPassableByEveryUser) {
  SandboxSpec spec;
  spec.mounts = {{"/d/token", "/run/secrets/kubernetes.io/serviceaccount", true, false},
                 {"/d/pg", "/var/lib/postgresql/data", false, false}};
  spec.argv = {"true"};
  const std::vector<std::string> args = BuildSandboxCommand("bwrap", spec);
  auto dir_before = [&](const std::string& parent, const std::string& target) {
    const std::vector<std::string> option = {"--dir", parent};
    auto dir = std::search(args.begin(), args.end(), option.begin(), option.end());
    auto bind = std::find(args.begin(), args.end(), target);
    return dir != args.end() && dir < bind;
  };
  EXPECT_TRUE(dir_before("/run/secrets", "/run/secrets/kubernetes.io/serviceaccount"));
  EXPECT_TRUE(dir_before("/run/secrets/kubernetes.io", "/run/secrets/kubernetes.io/serviceaccount"));
  EXPECT_TRUE(dir_before("/var/lib/postgresql", "/var/lib/postgresql/data"));
  EXPECT_EQ(std::count(args.begin(), args.end(), "/run"), 1) << "each parent once";
}

TEST(SandboxCommandTest, PrivateDirectoriesHideTheHostsContent) {
  SandboxSpec spec;
  spec.private_dirs = {"/run/secrets"};
  spec.mounts = {{"/d/token", "/run/secrets/kubernetes.io/serviceaccount", true, false}};
  spec.argv = {"true"};
  const std::vector<std::string> args = BuildSandboxCommand("bwrap", spec);
  const std::vector<std::string> tmpfs = {"--perms", "0755", "--tmpfs", "/run/secrets"};
  auto at = std::search(args.begin(), args.end(), tmpfs.begin(), tmpfs.end());
  ASSERT_NE(at, args.end());
  EXPECT_LT(at, std::find(args.begin(), args.end(), "/run/secrets/kubernetes.io/serviceaccount"));
}

TEST(SandboxCommandTest, HostnameIsThePodNameOrSpecHostname) {
  EXPECT_EQ(PodHostname({{"metadata", {{"name", "job-abcde"}}}}), "job-abcde");
  EXPECT_EQ(PodHostname({{"metadata", {{"name", "job-abcde"}}}, {"spec", {{"hostname", "db-0"}}}}), "db-0");
}

TEST(SandboxCommandTest, LongPodNamesAreCutTo63CharactersWithoutTrailingDashOrDot) {
  const std::string long_name = std::string(60, 'a') + "-b.c-" + std::string(20, 'd');  // 85 characters
  EXPECT_EQ(PodHostname({{"metadata", {{"name", long_name}}}}), std::string(60, 'a') + "-b");
  const std::string cut_after_dash = std::string(62, 'x') + "-yyyy";
  EXPECT_EQ(PodHostname({{"metadata", {{"name", cut_after_dash}}}}), std::string(62, 'x'));
  const std::string exactly_63 = std::string(62, 'z') + "-";
  EXPECT_EQ(PodHostname({{"metadata", {{"name", exactly_63}}}}), exactly_63) << "63 characters are left as they are";
}

}  // namespace
}  // namespace lifeboat::devcluster
