#include "operator/kube/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "tests/fakes/fake_clock.h"

namespace lifeboat::kube {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

struct CountingObserver : WorkQueueObserver {
  std::atomic<int> adds{0}, retries{0};
  std::atomic<size_t> depth{0};
  void OnAdd() override { ++adds; }
  void OnRetry() override { ++retries; }
  void OnDepth(size_t d) override { depth = d; }
  void OnQueueLatency(std::chrono::duration<double>) override {}
  void OnWorkDuration(std::chrono::duration<double>) override {}
};

std::unique_ptr<WorkQueue> NewQueue(FakeClock& clock, WorkQueueObserver* observer = nullptr) {
  return std::make_unique<WorkQueue>(clock, DefaultControllerRateLimiter(clock), observer);
}

TEST(WorkQueueTest, DeduplicatesKeysAddedBeforeAWorkerTakesThem) {
  FakeClock clock;
  CountingObserver observer;
  auto queue = NewQueue(clock, &observer);
  queue->Add("ns/a");
  queue->Add("ns/a");
  queue->Add("ns/b");
  queue->Add("ns/a");
  EXPECT_EQ(queue->Len(), 2u);
  EXPECT_EQ(observer.adds, 2);
  EXPECT_EQ(*queue->TryGet(), "ns/a");
  EXPECT_EQ(*queue->TryGet(), "ns/b");
  EXPECT_FALSE(queue->TryGet().has_value());
}

TEST(WorkQueueTest, NeverHandsTheSameKeyToTwoWorkers) {
  FakeClock clock;
  auto queue = NewQueue(clock);
  queue->Add("ns/a");
  auto first = queue->TryGet();
  ASSERT_TRUE(first.has_value());
  queue->Add("ns/a");  // Changed while being processed.
  EXPECT_FALSE(queue->TryGet().has_value()) << "a second worker must not get ns/a while the first holds it";
  queue->Done("ns/a");
  EXPECT_EQ(*queue->TryGet(), "ns/a") << "the add during processing is not lost";
  queue->Done("ns/a");
  EXPECT_FALSE(queue->TryGet().has_value());
}

TEST(WorkQueueTest, ConcurrentWorkersNeverOverlapOnAKey) {
  FakeClock clock;
  auto queue = NewQueue(clock);
  std::atomic<int> in_flight_a{0};
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = queue->Get()) {
        if (*key == "ns/a") {
          if (in_flight_a.fetch_add(1) != 0) overlap = true;
          std::this_thread::yield();
          in_flight_a.fetch_sub(1);
        }
        ++processed;
        queue->Done(*key);
      }
    });
  }
  for (int i = 0; i < 2000; ++i) {
    queue->Add("ns/a");
    queue->Add("ns/k" + std::to_string(i % 17));
  }
  while (queue->Len() > 0) std::this_thread::yield();
  queue->ShutDown();
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap);
  EXPECT_GT(processed.load(), 0);
}

TEST(WorkQueueTest, AddAfterMakesTheKeyReadyOnlyWhenItsTimeHasCome) {
  FakeClock clock;
  auto queue = NewQueue(clock);
  queue->AddAfter("ns/a", 30s);
  EXPECT_FALSE(queue->TryGet().has_value());
  EXPECT_EQ(queue->DelayedLen(), 1u);
  clock.Advance(29s);
  EXPECT_FALSE(queue->TryGet().has_value());
  clock.Advance(1s);
  EXPECT_EQ(*queue->TryGet(), "ns/a");
}

TEST(WorkQueueTest, AnEarlierAddAfterWinsOverALaterOne) {
  FakeClock clock;
  auto queue = NewQueue(clock);
  queue->AddAfter("ns/a", 60s);
  queue->AddAfter("ns/a", 5s);
  queue->AddAfter("ns/a", 90s);
  EXPECT_EQ(queue->DelayedLen(), 1u);
  clock.Advance(5s);
  EXPECT_EQ(*queue->TryGet(), "ns/a");
  queue->Done("ns/a");
  clock.Advance(100s);
  EXPECT_FALSE(queue->TryGet().has_value());
}

TEST(WorkQueueTest, AddRateLimitedBacksOffExponentiallyPerKeyAndForgetResets) {
  FakeClock clock;
  CountingObserver observer;
  auto queue = NewQueue(clock, &observer);
  for (auto expected : {5ms, 10ms, 20ms, 40ms}) {
    queue->AddRateLimited("ns/a");
    clock.Advance(expected - 1ms);
    EXPECT_FALSE(queue->TryGet().has_value());
    clock.Advance(1ms);
    auto key = queue->TryGet();
    ASSERT_TRUE(key.has_value()) << expected.count();
    queue->Done(*key);
  }
  EXPECT_EQ(queue->NumRequeues("ns/a"), 4);
  EXPECT_EQ(observer.retries, 4);
  queue->Forget("ns/a");
  queue->AddRateLimited("ns/a");
  clock.Advance(5ms);
  EXPECT_TRUE(queue->TryGet().has_value());
}

TEST(WorkQueueTest, BlockedGetWakesForADelayedKeyAndForShutDown) {
  FakeClock clock;
  auto queue = NewQueue(clock);
  std::optional<std::string> got;
  std::thread worker([&] { got = queue->Get(); });
  queue->AddAfter("ns/a", 10s);
  clock.Advance(10s);
  queue->Wake();
  worker.join();
  EXPECT_EQ(got, "ns/a");

  std::thread waiting([&] { got = queue->Get(); });
  queue->ShutDown();
  waiting.join();
  EXPECT_FALSE(got.has_value());
  queue->Add("ns/b");
  EXPECT_EQ(queue->Len(), 0u) << "no adds after shutdown";
}

TEST(WorkQueueTest, ReportsDepth) {
  FakeClock clock;
  CountingObserver observer;
  auto queue = NewQueue(clock, &observer);
  queue->Add("a");
  queue->Add("b");
  EXPECT_EQ(observer.depth, 2u);
  queue->TryGet();
  EXPECT_EQ(observer.depth, 1u);
}

}  // namespace
}  // namespace lifeboat::kube
