#include "operator/agent/retention.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(RetentionTest, BuildsForgetArgsScopedToThePolicysManifests) {
  RetentionRules rules;
  rules.keep_last = 3;
  rules.keep_daily = 7;
  rules.keep_within = "2y5m7d3h";
  auto args = BuildForgetArgs(rules, "shop");
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(*args, ElementsAre("--tag", "lifeboat-role=manifest,lifeboat-policy=shop", "--group-by", "host",
                                 "--keep-last", "3", "--keep-daily", "7", "--keep-within", "2y5m7d3h"));
}

TEST(RetentionTest, RefusesRulesThatKeepNothingExplicitly) {
  auto args = BuildForgetArgs(RetentionRules{}, "shop");
  ASSERT_FALSE(args.ok());
  EXPECT_EQ(args.status().code(), StatusCode::kInvalidArgument);
}

TEST(RetentionTest, RefusesNegativeCountsBadDurationsAndBadPolicyNames) {
  RetentionRules negative;
  negative.keep_last = -1;
  EXPECT_FALSE(BuildForgetArgs(negative, "shop").ok());
  RetentionRules within;
  within.keep_within = "7 days";
  EXPECT_FALSE(BuildForgetArgs(within, "shop").ok());
  within.keep_within = "7";
  EXPECT_FALSE(BuildForgetArgs(within, "shop").ok());
  RetentionRules ok;
  ok.keep_last = 1;
  EXPECT_FALSE(BuildForgetArgs(ok, "a,b").ok());
}

TEST(RetentionTest, ParsesKeptAndRemovedBackupIdsFromForgetOutput) {
  const char* out = R"([{"tags":null,"host":"lifeboat","paths":null,
    "keep":[{"id":"k1","tags":["lifeboat","lifeboat-backup=b3","lifeboat-role=manifest"]}],
    "remove":[{"id":"r1","tags":["lifeboat","lifeboat-backup=b1"]},{"id":"r2","tags":["lifeboat-backup=b2"]}],
    "reasons":[]}])";
  auto parsed = ParseForgetOutput(out);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_THAT(parsed->kept_backup_ids, UnorderedElementsAre("b3"));
  EXPECT_THAT(parsed->removed_backup_ids, UnorderedElementsAre("b1", "b2"));
  EXPECT_TRUE(ParseForgetOutput("").ok());
  EXPECT_FALSE(ParseForgetOutput("[garbage").ok());
}

ResticSnapshot Snap(std::string id, std::string backup, std::string role, std::string time) {
  ResticSnapshot s;
  s.id = std::move(id);
  s.time = std::move(time);
  s.tags = {"lifeboat", "lifeboat-backup=" + backup, "lifeboat-role=" + role};
  return s;
}

TEST(RetentionTest, ForgetsDataOfRemovedRunsAndOldOrphansOnly) {
  WallTime now = *ParseRfc3339("2026-11-22T12:00:00Z");
  std::vector<ResticSnapshot> snapshots = {
      Snap("m3", "b3", "manifest", "2026-11-22T10:00:00Z"),
      Snap("d3", "b3", "database", "2026-11-22T10:00:00Z"),
      Snap("d1", "b1", "database", "2026-11-20T10:00:00Z"),  // Its manifest was just removed.
      Snap("x1", "b1", "media", "2026-11-20T10:00:00Z"),
      Snap("o1", "b0", "database", "2026-11-19T10:00:00Z"),  // Orphan, old.
      Snap("o2", "b9", "database", "2026-11-22T11:30:00Z"),  // Orphan, maybe still running.
  };
  ResticSnapshot foreign;
  foreign.id = "f1";
  foreign.time = "2020-01-01T00:00:00Z";
  foreign.tags = {"someone-else"};
  snapshots.push_back(foreign);
  auto ids = SelectDataSnapshotsToForget(snapshots, {"b1"}, now, std::chrono::hours(6));
  EXPECT_THAT(ids, UnorderedElementsAre("d1", "x1", "o1"));
}

}  // namespace
}  // namespace lifeboat::agent
