// What a BackupPolicy exports for its alerts (config/prometheus/rules.yaml): with WAL archiving, the
// streamer's health, the recoverability window, a gap, the WAL its slot holds back, and an RPO that
// counts from the last recoverable time.
#include "controllers/backuppolicy/backup_metrics.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "operator/core/time_format.h"

namespace lifeboat::controllers::backuppolicy {
namespace {

WallTime At(const std::string& text) { return *ParseRfc3339(text); }

class BackupMetricsTest : public ::testing::Test {
 protected:
  std::string Exported() { return prometheus::TextSerializer().Serialize(registry_.Collect()); }
  api::BackupPolicyStatus Archiving() {
    api::BackupPolicyStatus status;
    api::BackupSourceStatus database;
    database.name = "database";
    database.type = "Database";
    api::BackupRef base;
    base.start_time = At("2026-11-22T06:00:00Z");
    base.completion_time = At("2026-11-22T06:01:00Z");
    database.last_successful_backup = base;
    status.sources.push_back(database);
    api::WalArchiveStatus wal;
    wal.state = "Running";
    wal.first_recoverable_time = At("2026-11-22T06:00:40Z");
    wal.last_recoverable_time = At("2026-11-22T07:59:30Z");
    wal.lag_bytes = 16777216;
    status.wal_archive = wal;
    return status;
  }
  prometheus::Registry registry_;
  BackupMetrics metrics_{&registry_};
};

TEST_F(BackupMetricsTest, AnArchivingPolicyExportsItsStreamerAndWindow) {
  metrics_.Observe("shop", "orders", Archiving(), {}, At("2026-11-22T08:00:00Z"));
  const std::string text = Exported();
  EXPECT_NE(text.find("lifeboat_wal_streamer_up{namespace=\"shop\",policy=\"orders\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("lifeboat_wal_gap{namespace=\"shop\",policy=\"orders\"} 0"), std::string::npos);
  EXPECT_NE(text.find("lifeboat_wal_lag_bytes{namespace=\"shop\",policy=\"orders\"} 16777216"), std::string::npos);
  EXPECT_NE(text.find("lifeboat_wal_last_recoverable_timestamp_seconds{namespace=\"shop\",policy=\"orders\"} 1795334370"),
            std::string::npos);
  // 30 s of data at risk, not the two hours since the base backup.
  EXPECT_NE(text.find("lifeboat_rpo_seconds{namespace=\"shop\",policy=\"orders\",source=\"database\"} 30"), std::string::npos);
}

TEST_F(BackupMetricsTest, AStoppedStreamerAndAGapShowAsSuch) {
  api::BackupPolicyStatus status = Archiving();
  status.wal_archive->state = "Unavailable";
  status.wal_archive->gap = "0/3000000-0/7000000";
  metrics_.Observe("shop", "orders", status, {}, At("2026-11-22T08:00:00Z"));
  const std::string text = Exported();
  EXPECT_NE(text.find("lifeboat_wal_streamer_up{namespace=\"shop\",policy=\"orders\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find("lifeboat_wal_gap{namespace=\"shop\",policy=\"orders\"} 1"), std::string::npos);
}

TEST_F(BackupMetricsTest, APolicyThatStopsArchivingOrIsDeletedLeavesNoWalSeries) {
  metrics_.Observe("shop", "orders", Archiving(), {}, At("2026-11-22T08:00:00Z"));
  api::BackupPolicyStatus dumping = Archiving();
  dumping.wal_archive.reset();
  metrics_.Observe("shop", "orders", dumping, {}, At("2026-11-22T08:00:30Z"));
  EXPECT_EQ(Exported().find("lifeboat_wal_streamer_up{"), std::string::npos);
  metrics_.Observe("shop", "orders", Archiving(), {}, At("2026-11-22T08:01:00Z"));
  metrics_.Forget("shop", "orders");
  const std::string text = Exported();
  for (const char* series : {"lifeboat_wal_streamer_up{", "lifeboat_wal_gap{", "lifeboat_wal_lag_bytes{",
                             "lifeboat_wal_last_recoverable_timestamp_seconds{"}) {
    EXPECT_EQ(text.find(series), std::string::npos) << series;
  }
}

}  // namespace
}  // namespace lifeboat::controllers::backuppolicy
