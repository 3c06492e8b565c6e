#include "operator/agent/media_scan.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/agent/as_user.h"

#include <filesystem>
#include <fstream>

namespace lifeboat::agent {
namespace {

namespace fs = std::filesystem;

TEST(MediaScanTest, ExcludesFollowResticSemantics) {
  EXPECT_TRUE(MatchesExclude("a.tmp", "*.tmp"));
  EXPECT_TRUE(MatchesExclude("sub/b.tmp", "*.tmp"));
  EXPECT_TRUE(MatchesExclude("sub/cache", "cache"));
  EXPECT_TRUE(MatchesExclude("cache", "cache"));
  EXPECT_TRUE(MatchesExclude("x/sub/cache", "sub/cache"));
  EXPECT_FALSE(MatchesExclude("cache/sub", "sub/cache"));
  EXPECT_TRUE(MatchesExclude("sub", "/sub"));
  EXPECT_FALSE(MatchesExclude("x/sub", "/sub"));
  EXPECT_TRUE(MatchesExclude("x/e", "x/*"));
  EXPECT_FALSE(MatchesExclude("keep", "*.tmp"));
}

TEST(MediaScanTest, AnchoredPatternsBecomeAbsoluteForRestic) {
  auto p = ResticExcludePatterns("/data/media/", {"/sub", "*.tmp"});
  EXPECT_EQ(p[0], "/data/media/sub");
  EXPECT_EQ(p[1], "*.tmp");
}

class MediaScanTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("lifeboat-scan-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "sub" / "cache");
    Write("a.txt", "hello");
    Write("sub/b.tmp", "tmp");
    Write("sub/c.txt", "");
    Write("sub/cache/d", "cached");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& rel, const std::string& content) { std::ofstream(root_ / rel) << content; }
  fs::path root_;
};

TEST_F(MediaScanTreeTest, CountsSizesAndHashesIncludedFiles) {
  MediaScanOptions o;
  o.excludes = {"*.tmp", "cache"};
  auto r = ScanMediaTree(root_.string(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->files.size(), 2u);
  EXPECT_EQ(r->files[0].path, "a.txt");
  EXPECT_EQ(r->files[0].sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  EXPECT_EQ(r->files[1].path, "sub/c.txt");
  EXPECT_EQ(r->total_bytes, 5u);
  EXPECT_EQ(r->hashed_bytes, 5u);
}

TEST_F(MediaScanTreeTest, ReusesChecksumsOfUnchangedFiles) {
  MediaScanOptions o;
  auto first = ScanMediaTree(root_.string(), o);
  ASSERT_TRUE(first.ok());
  for (auto f : first->files) {
    if (f.path == "a.txt") f.sha256 = "from-previous-manifest";
    o.previous[f.path] = f;
  }
  auto second = ScanMediaTree(root_.string(), o);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->hashed_bytes, 0u);
  EXPECT_EQ(second->files[0].sha256, "from-previous-manifest");
}

TEST_F(MediaScanTreeTest, RecordsEachFilesOwnerAndMode) {
  if (!testing::IsRoot()) GTEST_SKIP() << "needs root to give the file to uid 33";
  ASSERT_EQ(::chown((root_ / "a.txt").c_str(), 33, 34), 0);
  ASSERT_EQ(::chmod((root_ / "a.txt").c_str(), 0640), 0);
  auto r = ScanMediaTree(root_.string(), {});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->files[0].owner.has_value());
  EXPECT_EQ(r->files[0].owner->uid, 33u);
  EXPECT_EQ(r->files[0].owner->gid, 34u);
  EXPECT_EQ(r->files[0].owner->mode, 0640u);
}

// The application's uploads (uid 33, files 640, folders 750) as the image's user sees them.
class MediaScanAsAnotherUserTest : public MediaScanTreeTest {
 protected:
  void SetUp() override {
    if (!testing::IsRoot()) GTEST_SKIP() << "needs root to switch users";
    MediaScanTreeTest::SetUp();
    for (const char* rel : {"a.txt", "sub", "sub/b.tmp", "sub/c.txt", "sub/cache", "sub/cache/d"}) {
      ASSERT_EQ(::chown((root_ / rel).c_str(), 33, 33), 0);
      ASSERT_EQ(::chmod((root_ / rel).c_str(), fs::is_directory(root_ / rel) ? 0750 : 0640), 0);
    }
  }
  std::string ScanAs(uid_t uid, const std::vector<gid_t>& groups) {
    auto out = testing::RunAsUser(uid, uid, groups, [this] {
      auto r = ScanMediaTree(root_.string(), {});
      if (!r.ok()) return "error: " + r.status().ToString();
      return std::to_string(r->unreadable.count()) + " " + r->unreadable.Describe() + " files=" + std::to_string(r->files.size());
    });
    return out.value_or("the child failed");
  }
};

TEST_F(MediaScanAsAnotherUserTest, UnreadableFilesAndFoldersAreNamedWithTheirOwnerNotFatal) {
  const std::string seen = ScanAs(65532, {});  // In the directory's order.
  EXPECT_EQ(seen.substr(0, 2), "2 ") << seen;
  EXPECT_NE(seen.find("a.txt (uid 33, gid 33, mode 0640)"), std::string::npos) << seen;
  EXPECT_NE(seen.find("sub/ (uid 33, gid 33, mode 0750)"), std::string::npos) << seen;
  EXPECT_NE(seen.find("files=0"), std::string::npos) << seen;
}

TEST_F(MediaScanAsAnotherUserTest, TheFilesGroupIsEnoughToReadThem) {
  EXPECT_EQ(ScanAs(65532, {33}), "0  files=4");
}

TEST_F(MediaScanTreeTest, MissingRootIsAnError) {
  EXPECT_FALSE(ScanMediaTree((root_ / "nope").string(), {}).ok());
}

}  // namespace
}  // namespace lifeboat::agent
