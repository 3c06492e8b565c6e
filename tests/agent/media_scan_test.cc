#include "operator/agent/media_scan.h"

#include <gtest/gtest.h>

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

TEST_F(MediaScanTreeTest, MissingRootIsAnError) {
  EXPECT_FALSE(ScanMediaTree((root_ / "nope").string(), {}).ok());
}

}  // namespace
}  // namespace lifeboat::agent
