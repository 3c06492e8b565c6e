#include "operator/agent/stream_backup_decision.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

ResticBackupSummary Saved(std::string id) {
  ResticBackupSummary s;
  s.snapshot_id = std::move(id);
  return s;
}

TEST(StreamBackupDecisionTest, BothSidesSucceedingIsAGoodSnapshot) {
  PipelineResult p;
  auto d = DecideStreamBackup("pg_dump", p, Saved("abc"));
  EXPECT_TRUE(d.status.ok());
  EXPECT_EQ(d.snapshot_id, "abc");
  EXPECT_FALSE(d.forget_snapshot);
}

TEST(StreamBackupDecisionTest, AFailedDumpWithASavedSnapshotFailsAndForgetsIt) {
  PipelineResult p;
  p.producer.term_signal = 9;
  p.producer.stderr_tail = "pg_dump: warning\npg_dump: error: connection lost\n";
  auto d = DecideStreamBackup("pg_dump", p, Saved("abc"));
  EXPECT_FALSE(d.status.ok());
  EXPECT_EQ(d.reason, "DumpFailed");
  ASSERT_TRUE(d.forget_snapshot);
  EXPECT_EQ(*d.forget_snapshot, "abc");
  EXPECT_NE(d.status.message().find("killed by signal 9"), std::string::npos);
  EXPECT_NE(d.status.message().find("connection lost"), std::string::npos);
}

TEST(StreamBackupDecisionTest, AFailedDumpWithoutSnapshotHasNothingToForget) {
  PipelineResult p;
  p.producer.exit_code = 1;
  p.consumer.term_signal = 15;
  auto d = DecideStreamBackup("pg_dump", p, std::nullopt);
  EXPECT_EQ(d.reason, "DumpFailed");
  EXPECT_FALSE(d.forget_snapshot);
}

TEST(StreamBackupDecisionTest, ResticFailingIsClassified) {
  PipelineResult p;
  p.consumer.exit_code = 1;
  p.consumer.stderr_tail = "Fatal: wrong password or no key found\n";
  auto d = DecideStreamBackup("pg_dump", p, std::nullopt);
  EXPECT_EQ(d.reason, "RepositoryAccessDenied");
  EXPECT_EQ(d.status.code(), StatusCode::kPermissionDenied);
}

TEST(StreamBackupDecisionTest, ResticFailingFirstIsTheCauseWhenPgDumpLosesItsPipe) {
  PipelineResult p;
  p.producer.term_signal = 13;
  p.consumer.exit_code = 1;
  p.consumer.stderr_tail = "Fatal: wrong password or no key found\n";
  auto d = DecideStreamBackup("pg_dump", p, std::nullopt);
  EXPECT_EQ(d.reason, "RepositoryAccessDenied");
  EXPECT_EQ(d.status.code(), StatusCode::kPermissionDenied);
  p.producer.term_signal = 0;
  p.producer.exit_code = 1;
  p.producer.stderr_tail = "pg_dump: error: could not write to output file: Broken pipe\n";
  EXPECT_EQ(DecideStreamBackup("pg_dump", p, std::nullopt).reason, "RepositoryAccessDenied");
}

TEST(StreamBackupDecisionTest, ADumpFailureStaysTheCauseWhenResticWasStoppedForIt) {
  PipelineResult p;
  p.producer.exit_code = 1;
  p.producer.stderr_tail = "pg_dump: error: query failed: permission denied for table secrets\n";
  p.consumer.term_signal = 15;
  auto d = DecideStreamBackup("pg_dump", p, std::nullopt);
  EXPECT_EQ(d.reason, "DumpFailed");
  EXPECT_NE(d.status.message().find("permission denied"), std::string::npos);
}

TEST(StreamBackupDecisionTest, SuccessWithoutSummaryIsNotGood) {
  PipelineResult p;
  auto d = DecideStreamBackup("pg_dump", p, std::nullopt);
  EXPECT_FALSE(d.status.ok());
}

}  // namespace
}  // namespace lifeboat::agent
