#include "e2e/devcluster/jobs/sandbox_command.h"

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
      "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--ro-bind", "/tmp/images/pg", "/tmp/images/pg",
      "--bind", "/d/volumes/ns/c", "/backups", "--bind", "/d/pods/x/termination-log", "/dev/termination-log",
      "--ro-bind", "/d/volumes/ns/src", "/src", "--dir", "/backups", "--chdir", "/backups", "--", "sh", "-c",
      "echo hi"};
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

}  // namespace
}  // namespace lifeboat::devcluster
