// A repository on a claim is shared through its group: folders group-writable and setgid, files
// group-readable, so Jobs of different users (the media's owner, the image's user) use it together.
#include "operator/agent/shared_repository.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace lifeboat::agent {
namespace {

namespace fs = std::filesystem;

class SharedRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give files to another group";
    root_ = fs::temp_directory_path() / ("lifeboat-shared-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "data" / "00");
    std::ofstream(root_ / "config") << "c";
    std::ofstream(root_ / "data" / "00" / "pack") << "p";
    for (const fs::path& p : {root_, root_ / "data", root_ / "data" / "00"}) ::chmod(p.c_str(), 0700);
    for (const fs::path& p : {root_ / "config", root_ / "data" / "00" / "pack"}) ::chmod(p.c_str(), 0400);
  }
  void TearDown() override { fs::remove_all(root_); }
  struct stat Stat(const fs::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st;
  }
  fs::path root_;
};

TEST_F(SharedRepositoryTest, AFreshRepositoryIsNotShared) { EXPECT_FALSE(IsSharedWithGroup(root_.string(), 65532)); }

TEST_F(SharedRepositoryTest, SharingGivesFoldersAndFilesToTheGroup) {
  ASSERT_TRUE(ShareWithGroup(root_.string(), 65532).ok());
  EXPECT_TRUE(IsSharedWithGroup(root_.string(), 65532));
  const struct stat folder = Stat(root_ / "data" / "00");
  EXPECT_EQ(folder.st_gid, 65532u);
  EXPECT_EQ(folder.st_mode & 07777, 02770u) << "group-writable and setgid: new files inherit the group";
  const struct stat pack = Stat(root_ / "data" / "00" / "pack");
  EXPECT_EQ(pack.st_gid, 65532u);
  EXPECT_EQ(pack.st_mode & 0777, 0440u) << "group-readable, still read-only";
}

TEST_F(SharedRepositoryTest, ARepositoryWithoutConfigCannotBeShared) {
  fs::remove(root_ / "config");
  EXPECT_EQ(ShareWithGroup(root_.string(), 65532).code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace lifeboat::agent
