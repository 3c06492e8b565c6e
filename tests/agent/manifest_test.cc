#include "operator/agent/manifest.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lifeboat::agent {
namespace {

Manifest Sample() {
  Manifest m;
  m.backup_id = "shop-20261122-010203-abcde";
  m.policy = "shop";
  m.run_kind = "scheduled";
  m.start_time = "2026-11-22T01:02:03Z";
  m.end_time = "2026-11-22T01:02:09Z";
  m.globals = {true, 12, "CREATE ROLE app;\n"};
  DatabaseBackup db;
  db.source = "shop";
  db.database = "shop";
  db.format = "custom";
  db.snapshot_id = "7cd18e98";
  db.path = "/lifeboat/db/shop.dump";
  db.size_bytes = 4096;
  db.server_version = "15.18";
  db.server_version_num = 150018;
  db.wal_lsn = "0/194D438";
  db.checksums = true;
  db.tables = {{"public", "orders", 10, "-123"}, {"public", "users", 3, "77"}};
  m.databases.push_back(db);
  MediaBackup media;
  media.source = "uploads";
  media.root = "/data/uploads";
  media.snapshot_id = "963a3a1a";
  media.file_count = 1;
  media.total_bytes = 5;
  media.checksums = true;
  media.files = {{"a/b.txt", 5, 1700000000000000000, "abc", agent::MediaFileOwner{33, 33, 0640}}};
  m.media.push_back(media);
  return m;
}

TEST(ManifestTest, RoundTripsThroughJson) {
  Manifest m = Sample();
  auto parsed = ParseManifest(SerializeManifest(m));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->backup_id, m.backup_id);
  EXPECT_EQ(parsed->globals.sql, "CREATE ROLE app;\n");
  ASSERT_EQ(parsed->databases.size(), 1u);
  EXPECT_EQ(parsed->databases[0].wal_lsn, "0/194D438");
  ASSERT_EQ(parsed->databases[0].tables.size(), 2u);
  EXPECT_EQ(parsed->databases[0].tables[0].rows, 10);
  EXPECT_EQ(parsed->databases[0].tables[0].checksum, "-123");
  ASSERT_EQ(parsed->media.size(), 1u);
  EXPECT_EQ(parsed->media[0].files[0].sha256, "abc");
  EXPECT_EQ(parsed->media[0].files[0].mtime_ns, 1700000000000000000);
  ASSERT_TRUE(parsed->media[0].files[0].owner.has_value()) << "the owner is recorded so a restore can give it back";
  EXPECT_EQ(parsed->media[0].files[0].owner->uid, 33u);
  EXPECT_EQ(parsed->media[0].files[0].owner->gid, 33u);
  EXPECT_EQ(parsed->media[0].files[0].owner->mode, 0640u);
}

TEST(ManifestTest, ABaseBackupRoundTripsAndOlderManifestsHaveNone) {
  Manifest m = Sample();
  BaseBackupRecord base;
  base.source = "cluster";
  base.snapshot_id = "5c0ffee5";
  base.system_id = "7715770691887040880";
  base.server_major = "15";
  base.timeline = 2;
  base.start_lsn = "0/2000028";
  base.end_lsn = "0/2000100";
  base.consistent_time = "2026-12-05T01:00:00Z";
  base.size_bytes = 45000000;
  base.verified = true;
  m.base_backups.push_back(base);
  auto parsed = ParseManifest(SerializeManifest(m));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->base_backups.size(), 1u);
  EXPECT_EQ(parsed->base_backups[0].system_id, "7715770691887040880");
  EXPECT_EQ(parsed->base_backups[0].timeline, 2u);
  EXPECT_EQ(parsed->base_backups[0].end_lsn, "0/2000100");
  EXPECT_TRUE(parsed->base_backups[0].verified);

  auto older = ParseManifest(SerializeManifest(Sample()));
  ASSERT_TRUE(older.ok());
  EXPECT_TRUE(older->base_backups.empty());
  EXPECT_FALSE(ManifestToJson(Sample()).contains("baseBackups"));
}

TEST(ManifestTest, AFileWithoutAnOwnerReadsAsUnknownOwner) {
  Manifest m = Sample();
  m.media[0].files[0].owner.reset();
  auto parsed = ParseManifest(SerializeManifest(m));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_FALSE(parsed->media[0].files[0].owner.has_value());
}

TEST(ManifestTest, UsesTheDocumentedFieldNames) {
  nlohmann::json j = ManifestToJson(Sample());
  EXPECT_EQ(j["schemaVersion"], 1);
  EXPECT_EQ(j["kind"], "LifeboatBackupManifest");
  EXPECT_EQ(j["databases"][0]["snapshotId"], "7cd18e98");
  EXPECT_EQ(j["databases"][0]["totalRows"], 13);
  EXPECT_EQ(j["media"][0]["fileCount"], 1);
}

TEST(ManifestTest, SummaryLeavesOutGlobalsSqlTablesAndFiles) {
  nlohmann::json j = ManifestSummaryJson(Sample());
  EXPECT_FALSE(j["globals"].contains("sql"));
  EXPECT_FALSE(j["databases"][0].contains("tables"));
  EXPECT_EQ(j["databases"][0]["tableCount"], 2);
  EXPECT_FALSE(j["media"][0].contains("files"));
}

TEST(ManifestTest, RejectsAnUnknownSchemaVersion) {
  nlohmann::json j = ManifestToJson(Sample());
  j["schemaVersion"] = 2;
  auto parsed = ParseManifest(j.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("schemaVersion 2"), std::string::npos);
}

TEST(ManifestTest, RejectsMissingRequiredFieldsAndGarbage) {
  nlohmann::json j = ManifestToJson(Sample());
  j["databases"][0].erase("snapshotId");
  auto parsed = ParseManifest(j.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("snapshotId"), std::string::npos);
  EXPECT_FALSE(ParseManifest("not json").ok());
  EXPECT_FALSE(ParseManifest("[]").ok());
}

}  // namespace
}  // namespace lifeboat::agent
