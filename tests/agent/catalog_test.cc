#include "operator/agent/catalog.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

ResticSnapshot Snap(std::string id, std::string backup, std::string role, std::string source, std::string time) {
  ResticSnapshot s;
  s.id = std::move(id);
  s.time = std::move(time);
  s.tags = {"lifeboat", "lifeboat-backup=" + backup, "lifeboat-policy=shop", "lifeboat-kind=scheduled",
            "lifeboat-role=" + role};
  if (!source.empty()) s.tags.push_back("lifeboat-source=" + source);
  return s;
}

TEST(CatalogTest, GroupsSnapshotsByBackupNewestFirst) {
  auto entries = BuildCatalog({
      Snap("d1", "b1", "database", "shop", "2026-11-21T01:00:00Z"),
      Snap("m1", "b1", "manifest", "", "2026-11-21T01:00:00Z"),
      Snap("d2", "b2", "database", "shop", "2026-11-22T01:00:00Z"),
      Snap("x2", "b2", "media", "uploads", "2026-11-22T01:00:00Z"),
      Snap("m2", "b2", "manifest", "", "2026-11-22T01:00:00Z"),
      Snap("d3", "b3", "database", "shop", "2026-11-23T01:00:00Z"),
  });
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].backup_id, "b3");
  EXPECT_FALSE(entries[0].complete);
  EXPECT_EQ(entries[1].backup_id, "b2");
  EXPECT_TRUE(entries[1].complete);
  EXPECT_EQ(entries[1].manifest_snapshot_id, "m2");
  EXPECT_EQ(entries[1].media_snapshots.at("uploads"), "x2");
  EXPECT_EQ(entries[1].policy, "shop");
  EXPECT_EQ(entries[2].database_snapshots.at("shop"), "d1");
}

TEST(CatalogTest, IgnoresSnapshotsWithoutABackupTag) {
  ResticSnapshot s;
  s.id = "x";
  s.tags = {"manual"};
  EXPECT_TRUE(BuildCatalog({s}).empty());
}

}  // namespace
}  // namespace lifeboat::agent
