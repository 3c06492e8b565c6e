#include "operator/agent/catalog.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace {

ResticSnapshot Snap(std::string id, std::string backup, std::string role, std::string source, std::string time,
                    std::string policy = "shop", std::string kind = "scheduled") {
  ResticSnapshot s;
  s.id = std::move(id);
  s.time = std::move(time);
  s.tags = {"lifeboat", "lifeboat-backup=" + backup, "lifeboat-policy=" + policy, "lifeboat-kind=" + kind,
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

// A repository with two nightly backups of database shop and media uploads, a newer database-only
// run, a newer unfinished run, and a safety backup taken before a restore (newest of all).
std::vector<CatalogEntry> Repository() {
  return BuildCatalog({
      Snap("d1", "n1", "database", "shop", "2026-11-20T02:00:00+00:00"),
      Snap("x1", "n1", "media", "uploads", "2026-11-20T02:00:00+00:00"),
      Snap("m1", "n1", "manifest", "", "2026-11-20T02:00:00+00:00"),
      Snap("d2", "n2", "database", "shop", "2026-11-21T02:00:00.5+00:00"),
      Snap("x2", "n2", "media", "uploads", "2026-11-21T02:00:00.5+00:00"),
      Snap("m2", "n2", "manifest", "", "2026-11-21T02:00:00.5+00:00"),
      // Written with a +01:00 offset: 2026-11-21T12:00:00Z, newer than n2 although it sorts before as text.
      Snap("d3", "h3", "database", "shop", "2026-11-21T13:00:00+01:00", "hourly"),
      Snap("m3", "h3", "manifest", "", "2026-11-21T13:00:00+01:00", "hourly"),
      Snap("d4", "n4", "database", "shop", "2026-11-22T02:00:00+00:00"),  // No manifest: unfinished.
      Snap("d5", "safety", "database", "shop", "2026-11-22T03:00:00+00:00", "pre-restore", "pre-restore"),
      Snap("m5", "safety", "manifest", "", "2026-11-22T03:00:00+00:00", "pre-restore", "pre-restore"),
  });
}

WallTime At(const std::string& text) { return *ParseRfc3339(text); }

TEST(CatalogSelectionTest, LatestIsTheNewestCompleteBackupHoldingTheSourceNeverASafetyBackup) {
  SelectedBackup db = SelectBackup(Repository(), {"database", "shop", ""}, "", std::nullopt);
  EXPECT_EQ(db.backup_id, "h3") << db.error;
  EXPECT_EQ(db.time, "2026-11-21T13:00:00+01:00");
  SelectedBackup media = SelectBackup(Repository(), {"media", "uploads", ""}, "", std::nullopt);
  EXPECT_EQ(media.backup_id, "n2") << "h3 holds no media";
}

TEST(CatalogSelectionTest, LatestOfAPolicyOnlyLooksAtThatPolicysBackups) {
  EXPECT_EQ(SelectBackup(Repository(), {"database", "shop", ""}, "shop", std::nullopt).backup_id, "n2");
  SelectedBackup none = SelectBackup(Repository(), {"database", "shop", ""}, "weekly", std::nullopt);
  EXPECT_EQ(none.backup_id, "");
  EXPECT_EQ(none.error, "The repository has no complete backup of database \"shop\" by policy weekly");
}

TEST(CatalogSelectionTest, BeforeChoosesTheNewestBackupTakenAtOrBeforeTheTime) {
  EXPECT_EQ(SelectBackup(Repository(), {"database", "shop", ""}, "", At("2026-11-21T11:59:59Z")).backup_id, "n2");
  EXPECT_EQ(SelectBackup(Repository(), {"database", "shop", ""}, "", At("2026-11-21T12:00:00Z")).backup_id, "h3");
  EXPECT_EQ(SelectBackup(Repository(), {"database", "shop", ""}, "", At("2026-11-20T02:00:00Z")).backup_id, "n1");
  SelectedBackup early = SelectBackup(Repository(), {"database", "shop", ""}, "", At("2026-11-19T00:00:00Z"));
  EXPECT_EQ(early.backup_id, "");
  EXPECT_EQ(early.error,
            "The repository has no complete backup of database \"shop\" taken at or before 2026-11-19T00:00:00Z "
            "(the oldest is n1 from 2026-11-20T02:00:00Z)");
}

TEST(CatalogSelectionTest, ANamedBackupMustBeCompleteAndHoldTheSource) {
  EXPECT_EQ(SelectBackup(Repository(), {"database", "shop", "n1"}, "shop", std::nullopt).backup_id, "n1");
  // A safety backup is restored by naming it, whatever policy the request names (roll back).
  EXPECT_EQ(SelectBackup(Repository(), {"database", "shop", "safety"}, "shop", std::nullopt).backup_id, "safety");
  EXPECT_EQ(SelectBackup(Repository(), {"database", "shop", "nope"}, "", std::nullopt).error,
            "Backup \"nope\" is not in the repository");
  EXPECT_EQ(SelectBackup(Repository(), {"database", "shop", "n4"}, "", std::nullopt).error,
            "Backup \"n4\" is incomplete (it has no manifest: the run did not finish)");
  EXPECT_EQ(SelectBackup(Repository(), {"media", "uploads", "h3"}, "", std::nullopt).error,
            "Backup \"h3\" holds no media \"uploads\" (its media sources: none)");
}

TEST(CatalogSelectionTest, SelectionsParseFromTheAgentFlagAndBackToTheirKey) {
  auto latest = ParseBackupSelection("database:shop");
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->Key(), "database:shop@");
  auto named = ParseBackupSelection(latest->Key());
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->backup_id, "");
  auto media = ParseBackupSelection("media:uploads@n2");
  ASSERT_TRUE(media.ok());
  EXPECT_EQ(media->kind, "media");
  EXPECT_EQ(media->source, "uploads");
  EXPECT_EQ(media->backup_id, "n2");
  EXPECT_FALSE(ParseBackupSelection("shop").ok());
  EXPECT_FALSE(ParseBackupSelection("wal:shop").ok());
  EXPECT_FALSE(ParseBackupSelection("database:@n2").ok());
}

}  // namespace
}  // namespace lifeboat::agent

namespace lifeboat::agent {
namespace {

TEST(CatalogResultTest, RoundTripsTheIdsAndEachSelectionsAnswer) {
  CatalogResult r;
  r.repository = "/repository/restic";
  r.backup_ids = {"shop-2", "shop-1"};
  r.selected["database:shop@"] = {"shop-2", "2026-11-22T01:30:00Z", "shop", "scheduled", ""};
  r.selected["media:uploads@gone"] = {"", "", "", "", "no backup gone holds media uploads"};
  nlohmann::json j = CatalogResultToJson(r);
  EXPECT_EQ(j["count"], 2);
  EXPECT_EQ(j["latestBackupId"], "shop-2");
  EXPECT_EQ(j["selected"]["media:uploads@gone"], nlohmann::json({{"error", "no backup gone holds media uploads"}}));
  CatalogResult back = ParseCatalogResult(j);
  EXPECT_EQ(back.backup_ids, r.backup_ids);
  EXPECT_EQ(back.selected.at("database:shop@").backup_id, "shop-2");
  EXPECT_EQ(back.selected.at("media:uploads@gone").error, "no backup gone holds media uploads");
  EXPECT_EQ(CatalogResultToJson(back), j);
}

TEST(CatalogResultTest, ASelectionOfAnUnexpectedTypeIsIgnored) {
  CatalogResult r = ParseCatalogResult({{"selected", {{"database:shop@", "shop-1"}}}, {"backupIds", {1, "b"}}});
  EXPECT_TRUE(r.selected.empty());
  EXPECT_EQ(r.backup_ids, std::vector<std::string>{"b"});
}

}  // namespace
}  // namespace lifeboat::agent
