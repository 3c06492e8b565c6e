#include "operator/agent/restic_output.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

ProcessResult Failed(std::string stderr_text, int code = 1) {
  ProcessResult r;
  r.exit_code = code;
  r.stderr_tail = std::move(stderr_text);
  return r;
}

TEST(ResticOutputTest, ParsesSnapshots) {
  auto s = ParseSnapshotsJson(R"([{"time":"2026-11-22T00:00:00Z","paths":["/lifeboat/a.dump"],"hostname":"lifeboat",
      "tags":["lifeboat","lifeboat-backup=b1"],"id":"58366b560a01","short_id":"58366b56"}])");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ((*s)[0].TagValue("lifeboat-backup"), "b1");
  EXPECT_EQ((*s)[0].TagValue("lifeboat-policy"), "");
  EXPECT_TRUE(ParseSnapshotsJson("null").ok());
  EXPECT_FALSE(ParseSnapshotsJson("Fatal: nope").ok());
}

TEST(ResticOutputTest, TurnsStatusLinesIntoProgressAndReadsTheSummary) {
  auto status = ParseResticBackupLine(R"({"message_type":"status","percent_done":0.5,"total_files":2,"files_done":1,"total_bytes":100,"bytes_done":50})", "db");
  ASSERT_TRUE(status.progress_message);
  EXPECT_EQ(*status.progress_message, "Backup progress source=db percent=50.0 files_done=1 total_files=2 bytes_done=50 total_bytes=100");
  auto summary = ParseResticBackupLine(R"({"message_type":"summary","files_new":1,"data_added":552,"total_files_processed":1,"total_bytes_processed":6,"total_duration":0.2,"snapshot_id":"58366b56"})", "db");
  ASSERT_TRUE(summary.summary);
  EXPECT_EQ(summary.summary->snapshot_id, "58366b56");
  EXPECT_EQ(summary.summary->data_added, 552u);
  EXPECT_FALSE(ParseResticBackupLine("not json", "db").progress_message);
}

TEST(ResticOutputTest, ClassifiesFailures) {
  EXPECT_EQ(ClassifyResticFailure("x", Failed("Fatal: wrong password or no key found\n")).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ClassifyResticFailure("x", Failed("Fatal: unable to open config file: stat /r/config: no such file or directory\nIs there a repository at the following location?\n/r\n")).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ClassifyResticFailure("x", Failed("Fatal: unable to create lock in backend: repository is already locked by PID 1\n")).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(ClassifyResticFailure("x", Failed("Fatal: unable to open repository: dial tcp 127.0.0.1:1: connect: connection refused\n")).code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(ClassifyResticFailure("x", Failed("Fatal: The AWS Access Key Id you provided does not exist: InvalidAccessKeyId\n")).code(),
            StatusCode::kPermissionDenied);
  Status other = ClassifyResticFailure("listing", Failed("something\nFatal: odd thing\nmore\n"));
  EXPECT_EQ(other.code(), StatusCode::kInternal);
  EXPECT_EQ(other.message(), "listing: Fatal: odd thing");
  ProcessResult killed;
  killed.term_signal = 9;
  EXPECT_NE(ClassifyResticFailure("x", killed).message().find("signal 9"), std::string::npos);
}

}  // namespace
}  // namespace lifeboat::agent
