// VolumeOwnership: the kubelet's fsGroup walk and subPath directories, on a temporary directory.
// Changing a file's group to one the test's user is not in needs root; without root those
// expectations are skipped.
#include "e2e/devcluster/jobs/volume_ownership.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int64_t kFsGroup = 4242;

class VolumeOwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/volume-ownership-test-XXXXXX";
    root_ = mkdtemp(pattern);
    ::chmod(root_.c_str(), 0755);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path File(const std::string& relative, mode_t mode) {
    const fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "x";
    ::chmod(path.c_str(), mode);
    return path;
  }
  fs::path Dir(const std::string& relative, mode_t mode) {
    const fs::path path = root_ / relative;
    fs::create_directories(path);
    ::chmod(path.c_str(), mode);
    return path;
  }
  static struct stat Lstat(const fs::path& path) {
    struct stat st {};
    ::lstat(path.c_str(), &st);
    return st;
  }
  static mode_t Mode(const fs::path& path) { return Lstat(path).st_mode & 07777; }
  static gid_t Group(const fs::path& path) { return Lstat(path).st_gid; }
  static bool Root() { return ::geteuid() == 0; }

  fs::path root_;
};

TEST(VolumeOwnershipModeTest, FilesGetGroupReadWriteAndDirectoriesAlsoSearchAndSetgid) {
  EXPECT_EQ(OwnedMode(0600, false, false), 0660u);
  EXPECT_EQ(OwnedMode(0644, false, false), 0664u);
  EXPECT_EQ(OwnedMode(0755, true, false), 02775u);
  EXPECT_EQ(OwnedMode(0400, false, true), 0440u) << "read-only volumes only get read bits";
  EXPECT_EQ(OwnedMode(0700, true, true), 02750u);
  EXPECT_EQ(OwnedMode(04755, false, false), 04775u) << "setuid and other bits stay";
}

TEST(VolumeOwnershipModeTest, OnRootMismatchSkipsOnlyARootAlreadyLikeTheWalkLeavesIt) {
  EXPECT_TRUE(RootMatches(kFsGroup, 02770, true, kFsGroup, false));
  EXPECT_TRUE(RootMatches(kFsGroup, 02777, true, kFsGroup, false)) << "more bits are fine";
  EXPECT_FALSE(RootMatches(kFsGroup, 0770, true, kFsGroup, false)) << "setgid missing";
  EXPECT_FALSE(RootMatches(kFsGroup, 02750, true, kFsGroup, false)) << "group cannot write";
  EXPECT_FALSE(RootMatches(0, 02770, true, kFsGroup, false)) << "another group";
  EXPECT_TRUE(RootMatches(kFsGroup, 02550, true, kFsGroup, true)) << "read-only wants r-x only";
  EXPECT_FALSE(RootMatches(kFsGroup, 02770, false, kFsGroup, false)) << "not a directory";
}

TEST(VolumeOwnershipModeTest, WhichVolumesChangeOwnership) {
  EffectiveSecurityContext context;
  EXPECT_EQ(VolumeOwnershipFor({{"name", "e"}, {"emptyDir", json::object()}}, context), std::nullopt)
      << "no fsGroup, nothing to do";
  context.fs_group = kFsGroup;
  context.fs_group_change_policy = "OnRootMismatch";
  auto empty_dir = VolumeOwnershipFor({{"name", "e"}, {"emptyDir", json::object()}}, context);
  ASSERT_TRUE(empty_dir);
  EXPECT_EQ(empty_dir->fs_group, kFsGroup);
  EXPECT_FALSE(empty_dir->read_only);
  EXPECT_FALSE(empty_dir->on_root_mismatch) << "emptyDir ignores fsGroupChangePolicy";
  for (const char* type : {"secret", "configMap", "downwardAPI", "projected"}) {
    auto files = VolumeOwnershipFor({{"name", "v"}, {type, json::object()}}, context);
    ASSERT_TRUE(files) << type;
    EXPECT_TRUE(files->read_only) << type;
    EXPECT_FALSE(files->on_root_mismatch) << type;
  }
  auto claim = VolumeOwnershipFor({{"name", "c"}, {"persistentVolumeClaim", {{"claimName", "data"}}}}, context);
  ASSERT_TRUE(claim);
  EXPECT_TRUE(claim->on_root_mismatch);
  EXPECT_FALSE(claim->read_only);
  EXPECT_EQ(VolumeOwnershipFor({{"name", "c"}, {"persistentVolumeClaim", {{"claimName", "d"}, {"readOnly", true}}}}, context),
            std::nullopt)
      << "read-only claims are left alone";
  EXPECT_EQ(VolumeOwnershipFor({{"name", "h"}, {"hostPath", {{"path", "/srv"}}}}, context), std::nullopt);
}

TEST_F(VolumeOwnershipTest, EveryFileAndDirectoryGetsTheGroupAndItsBits) {
  const fs::path file = File("a.txt", 0600);
  Dir("sub", 0755);
  const fs::path dir = Dir("sub/deeper", 0700);
  const fs::path nested = File("sub/deeper/b.txt", 0644);
  auto walked = SetVolumeOwnership(root_, {kFsGroup, false, false});
  ASSERT_TRUE(walked.ok()) << walked.status();
  EXPECT_TRUE(*walked);
  EXPECT_EQ(Mode(file), 0660u);
  EXPECT_EQ(Mode(nested), 0664u);
  EXPECT_EQ(Mode(dir), 02770u);
  EXPECT_EQ(Mode(root_ / "sub"), 02775u);
  EXPECT_EQ(Mode(root_), 02775u);
  if (!Root()) GTEST_SKIP() << "changing groups needs root";
  for (const fs::path& path : {file, dir, nested, root_}) EXPECT_EQ(Group(path), static_cast<gid_t>(kFsGroup)) << path;
}

TEST_F(VolumeOwnershipTest, ReadOnlyVolumesGetReadBitsOnly) {
  const fs::path secret = File("password", 0400);
  ASSERT_TRUE(SetVolumeOwnership(root_, {kFsGroup, true, false}).ok());
  EXPECT_EQ(Mode(secret), 0440u);
  EXPECT_EQ(Mode(root_), 02755u);
}

TEST_F(VolumeOwnershipTest, SymlinksGetTheGroupButTheirTargetsKeepTheirMode) {
  const fs::path outside = File("../outside-" + root_.filename().string(), 0600);
  fs::create_symlink(outside, root_ / "link");
  ASSERT_TRUE(SetVolumeOwnership(root_, {kFsGroup, false, false}).ok());
  EXPECT_EQ(Mode(outside), 0600u) << "the walk does not follow or chmod symlinks";
  if (Root()) {
    EXPECT_EQ(Group(root_ / "link"), static_cast<gid_t>(kFsGroup));
    EXPECT_NE(Group(outside), static_cast<gid_t>(kFsGroup));
  }
  fs::remove(outside);
}

TEST_F(VolumeOwnershipTest, OnRootMismatchSkipsTheWalkWhenTheRootMatches) {
  if (!Root()) GTEST_SKIP() << "changing groups needs root";
  const fs::path file = File("data/base.tar", 0600);
  ASSERT_TRUE(SetVolumeOwnership(root_, {kFsGroup, false, true}).ok());
  EXPECT_EQ(Mode(file), 0660u) << "the first time the root does not match: full walk";
  ::chmod(file.c_str(), 0600);
  auto walked = SetVolumeOwnership(root_, {kFsGroup, false, true});
  ASSERT_TRUE(walked.ok());
  EXPECT_FALSE(*walked);
  EXPECT_EQ(Mode(file), 0600u) << "the root matched, nothing below it was looked at";
  walked = SetVolumeOwnership(root_, {kFsGroup, false, false});
  ASSERT_TRUE(walked.ok());
  EXPECT_TRUE(*walked) << "Always walks every time";
  EXPECT_EQ(Mode(file), 0660u);
}

TEST_F(VolumeOwnershipTest, SubPathDirectoriesTakeTheVolumeRootsMode) {
  ::chmod(root_.c_str(), 02777);
  const mode_t old_umask = ::umask(022);
  ASSERT_TRUE(MakeSubPathDirectories(root_, root_ / "2026" / "11").ok());
  ::umask(old_umask);
  EXPECT_EQ(Mode(root_ / "2026"), 02777u) << "whatever the umask";
  EXPECT_EQ(Mode(root_ / "2026" / "11"), 02777u);
  const fs::path existing = Dir("kept", 0700);
  ASSERT_TRUE(MakeSubPathDirectories(root_, existing).ok());
  EXPECT_EQ(Mode(existing), 0700u) << "an existing directory is left alone";
  EXPECT_FALSE(MakeSubPathDirectories(root_, root_ / ".." / "escape").ok());
}

}  // namespace
}  // namespace lifeboat::devcluster
