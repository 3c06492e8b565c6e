// Restored media get their owner back: the target's owner when given (the runbook's chown -R), else
// the backup's; a Job that may not give files away says how many it left and what fixes it.
#include "operator/agent/media_ownership.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/agent/as_user.h"

namespace lifeboat::agent {
namespace {

namespace fs = std::filesystem;

class MediaOwnershipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "needs root to own files as other users";
    root_ = fs::temp_directory_path() / ("lifeboat-owners-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "img");
    std::ofstream(root_ / "img" / "a.jpg") << "a";
    std::ofstream(root_ / "terms.txt") << "t";
    ::chmod(root_.c_str(), 0777);
  }
  void TearDown() override { fs::remove_all(root_); }
  uid_t UidOf(const std::string& rel) const { return OwnerOf((root_ / rel).string())->uid; }
  std::vector<MediaFile> Files(std::optional<MediaFileOwner> owner) const {
    return {{"img/a.jpg", 1, 0, "", owner}, {"terms.txt", 1, 0, "", owner}};
  }
  fs::path root_;
};

TEST_F(MediaOwnershipTest, AsRootEveryFileGetsTheOwnerRecordedInTheBackup) {
  OwnershipOutcome out = RestoreOwnership(root_.string(), Files(MediaFileOwner{33, 33, 0640}), std::nullopt, CurrentProcessUser());
  EXPECT_EQ(out.files_checked, 2);
  EXPECT_EQ(out.not_restored, 0);
  EXPECT_TRUE(out.message.empty());
  EXPECT_EQ(UidOf("img/a.jpg"), 33u);
}

TEST_F(MediaOwnershipTest, TheTargetsOwnerGoesToEveryFileAndTheFoldersOnTheWay) {
  OwnershipOutcome out = RestoreOwnership(root_.string(), Files(MediaFileOwner{1000, 1000, 0640}), MediaFileOwner{33, 33, 0},
                                          CurrentProcessUser());
  EXPECT_EQ(out.not_restored, 0);
  EXPECT_EQ(UidOf("terms.txt"), 33u);
  EXPECT_EQ(UidOf("img"), 33u);
  EXPECT_EQ(OwnerOf(root_.string())->uid, 33u) << "as chown -R does, the target itself too";
}

TEST_F(MediaOwnershipTest, FilesWithoutARecordedOwnerAreLeftAlone) {
  OwnershipOutcome out = RestoreOwnership(root_.string(), Files(std::nullopt), std::nullopt, CurrentProcessUser());
  EXPECT_EQ(out.files_checked, 0);
  EXPECT_EQ(UidOf("terms.txt"), 0u);
}

TEST_F(MediaOwnershipTest, ANonRootJobCountsTheFilesItCouldNotGiveBackAndSaysWhy) {
  // The restore ran as 65532: it owns what it wrote.
  for (const char* rel : {"img", "img/a.jpg", "terms.txt"}) ASSERT_EQ(::chown((root_ / rel).c_str(), 65532, 65532), 0);
  auto out = testing::RunAsUser(65532, 65532, {}, [this] {
    OwnershipOutcome o = RestoreOwnership(root_.string(), Files(MediaFileOwner{33, 33, 0640}), std::nullopt, CurrentProcessUser());
    return std::to_string(o.not_restored) + "|" + o.message;
  });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->substr(0, 2), "2|") << *out;
  EXPECT_NE(out->find("2 of 2 restored files could not be given to their owner (first: img/a.jpg should be uid 33, gid 33)"),
            std::string::npos) << *out;
  EXPECT_NE(out->find("the restore ran as uid 65532, gid 65532"), std::string::npos) << *out;
  EXPECT_NE(out->find("owner {uid: 33, gid: 33}"), std::string::npos) << *out;
}

TEST(ParseMediaOwnerTest, TakesUidColonGidOrOneIdForBoth) {
  auto both = ParseMediaOwner("33:34");
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->uid, 33u);
  EXPECT_EQ(both->gid, 34u);
  auto one = ParseMediaOwner("33");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->gid, 33u);
  for (const char* bad : {"", "www-data", "33:", ":33", "-1:0", "99999999999:0"}) {
    EXPECT_EQ(ParseMediaOwner(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace lifeboat::agent
