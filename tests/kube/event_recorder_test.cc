#include "operator/kube/event_recorder.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"
#include "tests/fakes/fake_api_client.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::kube {
namespace {

using namespace std::chrono_literals;

const nlohmann::json kJob = {
    {"apiVersion", "batch/v1"},
    {"kind", "Job"},
    {"metadata", {{"name", "bad-job"}, {"namespace", "default"}, {"uid", "ec7b7fc7"}, {"resourceVersion", "260"}}}};

TEST(EventAggregatorTest, FirstOccurrenceCreatesAnEventShapedLikeTheRealControllers) {
  EventAggregator aggregator("lifeboat-operator", "pod-1");
  WallTime now = *ParseRfc3339("2026-11-21T23:55:57Z");
  EventWrite write = aggregator.Plan(kJob, kEventWarning, "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
  ASSERT_TRUE(write.create);
  const auto& e = write.event;
  EXPECT_EQ(e["apiVersion"], "v1");
  EXPECT_EQ(e["kind"], "Event");
  EXPECT_EQ(e["metadata"]["namespace"], "default");
  EXPECT_EQ(e["metadata"]["name"].get<std::string>().rfind("bad-job.", 0), 0u);
  EXPECT_EQ(e["involvedObject"], nlohmann::json({{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"name", "bad-job"},
                                                  {"namespace", "default"}, {"uid", "ec7b7fc7"},
                                                  {"resourceVersion", "260"}}));
  EXPECT_EQ(e["type"], "Warning");
  EXPECT_EQ(e["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(e["count"], 1);
  EXPECT_EQ(e["firstTimestamp"], "2026-11-21T23:55:57Z");
  EXPECT_EQ(e["lastTimestamp"], "2026-11-21T23:55:57Z");
  EXPECT_EQ(e["source"]["component"], "lifeboat-operator");
  EXPECT_TRUE(e["eventTime"].is_null());
}

TEST(EventAggregatorTest, RepeatsPatchCountAndLastTimestampOfTheSameEvent) {
  EventAggregator aggregator("lifeboat-operator", "pod-1");
  WallTime now = *ParseRfc3339("2026-11-21T23:55:57Z");
  EventWrite first = aggregator.Plan(kJob, kEventNormal, "Started", "Backup started", now);
  aggregator.Committed(first, now);
  EventWrite second = aggregator.Plan(kJob, kEventNormal, "Started", "Backup started", now + 30s);
  ASSERT_FALSE(second.create);
  EXPECT_EQ(second.name, first.name);
  EXPECT_EQ(second.patch, nlohmann::json({{"count", 2}, {"lastTimestamp", "2026-11-21T23:56:27Z"}}));
  aggregator.Committed(second, now + 30s);
  EXPECT_EQ(aggregator.Plan(kJob, kEventNormal, "Started", "Backup started", now + 60s).patch["count"], 3);
}

TEST(EventAggregatorTest, DifferentMessagesReasonsOrObjectsAreSeparateEvents) {
  EventAggregator aggregator("c", "i");
  WallTime now = *ParseRfc3339("2026-11-21T23:55:57Z");
  aggregator.Committed(aggregator.Plan(kJob, kEventNormal, "Started", "a", now), now);
  EXPECT_TRUE(aggregator.Plan(kJob, kEventNormal, "Started", "b", now).create);
  EXPECT_TRUE(aggregator.Plan(kJob, kEventNormal, "Other", "a", now).create);
  EXPECT_TRUE(aggregator.Plan(kJob, kEventWarning, "Started", "a", now).create);
  nlohmann::json other = kJob;
  other["metadata"]["name"] = "other-job";
  EXPECT_TRUE(aggregator.Plan(other, kEventNormal, "Started", "a", now).create);
}

TEST(EventAggregatorTest, ForgetsTheLeastRecentlyUsedBeyondCapacity) {
  EventAggregator aggregator("c", "i", 2);
  WallTime now = *ParseRfc3339("2026-11-21T23:55:57Z");
  for (const char* m : {"a", "b", "c"}) aggregator.Committed(aggregator.Plan(kJob, kEventNormal, "R", m, now), now);
  EXPECT_TRUE(aggregator.Plan(kJob, kEventNormal, "R", "a", now).create);
  EXPECT_FALSE(aggregator.Plan(kJob, kEventNormal, "R", "c", now).create);
}

TEST(ApiEventRecorderTest, AggregatesRepeatsIntoOneEventObject) {
  testing::FakeApiClient client;
  testing::FakeClock clock;
  ApiEventRecorder recorder(client, clock, "lifeboat-operator", "pod-1");
  for (int i = 0; i < 5; ++i) {
    recorder.Record(kJob, kEventWarning, "BackupFailed", "pg_dump exited with code 1");
    clock.Advance(10s);
  }
  auto events = client.List(EventResource(), "default");
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->items.size(), 1u);
  EXPECT_EQ(events->items[0]["count"], 5);
  EXPECT_NE(events->items[0]["firstTimestamp"], events->items[0]["lastTimestamp"]);
  EXPECT_EQ(client.Calls("create"), 1);
  EXPECT_EQ(client.Calls("patch"), 4);
}

TEST(ApiEventRecorderTest, RecreatesAnEventThatExpired) {
  testing::FakeApiClient client;
  testing::FakeClock clock;
  ApiEventRecorder recorder(client, clock, "lifeboat-operator", "pod-1");
  recorder.Record(kJob, kEventNormal, "Started", "x");
  auto events = client.List(EventResource(), "default");
  ASSERT_EQ(events->items.size(), 1u);
  ASSERT_TRUE(client.Delete(EventResource(), "default", ObjectName(events->items[0])).ok());
  clock.Advance(1h);
  recorder.Record(kJob, kEventNormal, "Started", "x");
  events = client.List(EventResource(), "default");
  ASSERT_EQ(events->items.size(), 1u);
  EXPECT_EQ(events->items[0]["count"], 1);
}

TEST(ApiEventRecorderTest, AFailedWriteDoesNotThrowOrBlockTheCaller) {
  testing::FakeApiClient client;
  testing::FakeClock clock;
  ApiEventRecorder recorder(client, clock, "c", "i");
  client.FailNext("create", UnavailableError("connection refused"));
  recorder.Record(kJob, kEventNormal, "Started", "x");
  recorder.Record(kJob, kEventNormal, "Started", "x");
  auto events = client.List(EventResource(), "default");
  ASSERT_EQ(events->items.size(), 1u);
  EXPECT_EQ(events->items[0]["count"], 1);
}

}  // namespace
}  // namespace lifeboat::kube
