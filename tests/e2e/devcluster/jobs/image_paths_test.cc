#include "e2e/devcluster/jobs/image_paths.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(ImagePathsTest, ParsesEntriesSeparatedBySemicolonsOrNewlines) {
  auto map = ParseImagePathMap("ghcr.io/x/lifeboat:1.0=/repo/build/bin ; postgres=/usr/lib/postgresql/15/bin:/opt/pg\n");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(*map, (ImagePathMap{{"ghcr.io/x/lifeboat:1.0", {{"/repo/build/bin"}, ""}},
                                {"postgres", {{"/usr/lib/postgresql/15/bin", "/opt/pg"}, ""}}}));
  EXPECT_TRUE(ParseImagePathMap("").ok());
  EXPECT_FALSE(ParseImagePathMap("noequals").ok());
  EXPECT_FALSE(ParseImagePathMap("img=relative/dir").ok());
}

TEST(ImagePathsTest, AnEntryMayStateTheImagesUserAsADockerfileWritesIt) {
  auto map = ParseImagePathMap(
      "ghcr.io/x/lifeboat=/repo/build/bin,user=65532:65532;"
      "distroless=user=65532;"
      "postgres=user=postgres, /usr/lib/postgresql/15/bin");
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ((*map)["ghcr.io/x/lifeboat"], (ImageConfig{{"/repo/build/bin"}, "65532:65532"}));
  EXPECT_EQ((*map)["distroless"], (ImageConfig{{}, "65532"}));
  EXPECT_EQ((*map)["postgres"], (ImageConfig{{"/usr/lib/postgresql/15/bin"}, "postgres"}));
  EXPECT_EQ(ImageUserFor("ghcr.io/x/lifeboat:v1", *map), "65532:65532");
  EXPECT_EQ(ImageUserFor("debian", *map), "") << "an image without a user runs as root";
}

TEST(ImagePathsTest, RejectsAMalformedUser) {
  for (const char* text : {"img=user=", "img=user=:1", "img=user=1:", "img=user=a b", "img=/bin,owner=1"}) {
    EXPECT_FALSE(ParseImagePathMap(text).ok()) << text;
  }
}

TEST(ImagePathsTest, MatchesExactThenRepositoryThenLastSegment) {
  ImagePathMap map = {{"ghcr.io/x/lifeboat:1.0", {{"/exact"}, ""}},
                      {"ghcr.io/x/lifeboat", {{"/repo"}, "65532"}},
                      {"postgres", {{"/pg"}, ""}}};
  EXPECT_EQ(ImagePathDirs("ghcr.io/x/lifeboat:1.0", map), std::vector<std::string>{"/exact"});
  EXPECT_EQ(ImageUserFor("ghcr.io/x/lifeboat:1.0", map), "") << "the first matching entry supplies everything";
  EXPECT_EQ(ImagePathDirs("ghcr.io/x/lifeboat:2.0", map), std::vector<std::string>{"/repo"});
  EXPECT_EQ(ImageUserFor("ghcr.io/x/lifeboat:2.0", map), "65532");
  EXPECT_EQ(ImagePathDirs("docker.io/library/postgres:15@sha256:abc", map), std::vector<std::string>{"/pg"});
  EXPECT_TRUE(ImagePathDirs("debian", map).empty());
  EXPECT_EQ(FindImageConfig("debian", map), nullptr);
}

TEST(ImagePathsTest, DefaultProgramIsTheImagesLastSegment) {
  EXPECT_EQ(DefaultProgramForImage("docker.io/library/postgres:15"), "postgres");
  EXPECT_EQ(DefaultProgramForImage("localhost:5000/restic"), "restic");
  EXPECT_EQ(ImageRepository("localhost:5000/restic"), "localhost:5000/restic");
  EXPECT_EQ(DefaultProgramForImage("busybox"), "busybox");
}

}  // namespace
}  // namespace lifeboat::devcluster
