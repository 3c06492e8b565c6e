#include "operator/kube/rate_limiter.h"

#include <gtest/gtest.h>

#include "tests/fakes/fake_clock.h"

namespace lifeboat::kube {
namespace {

using namespace std::chrono_literals;
using testing::FakeClock;

TEST(ItemExponentialRateLimiterTest, DoublesFrom5MillisecondsPerKey) {
  ItemExponentialRateLimiter limiter(5ms, 1000s);
  EXPECT_EQ(limiter.When("a"), 5ms);
  EXPECT_EQ(limiter.When("a"), 10ms);
  EXPECT_EQ(limiter.When("a"), 20ms);
  EXPECT_EQ(limiter.When("b"), 5ms);
  EXPECT_EQ(limiter.NumRequeues("a"), 3);
}

TEST(ItemExponentialRateLimiterTest, CapsAt1000SecondsWithoutOverflow) {
  ItemExponentialRateLimiter limiter(5ms, 1000s);
  Duration last{};
  for (int i = 0; i < 200; ++i) last = limiter.When("a");
  EXPECT_EQ(last, 1000s);
  // 5 ms * 2^17 = 655 s < 1000 s < 5 ms * 2^18.
  ItemExponentialRateLimiter fresh(5ms, 1000s);
  for (int i = 0; i < 17; ++i) fresh.When("k");
  EXPECT_EQ(fresh.When("k"), 655360ms);
  EXPECT_EQ(fresh.When("k"), 1000s);
}

TEST(ItemExponentialRateLimiterTest, ForgetResetsTheBackoff) {
  ItemExponentialRateLimiter limiter(5ms, 1000s);
  limiter.When("a");
  limiter.When("a");
  limiter.Forget("a");
  EXPECT_EQ(limiter.NumRequeues("a"), 0);
  EXPECT_EQ(limiter.When("a"), 5ms);
}

TEST(TokenBucketRateLimiterTest, AllowsABurstThenPacesAtTheRate) {
  FakeClock clock;
  TokenBucketRateLimiter limiter(clock, 10.0, 100);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(limiter.When("k" + std::to_string(i)), Duration::zero()) << i;
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(limiter.When("x")), 100ms);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(limiter.When("y")), 200ms);
}

TEST(TokenBucketRateLimiterTest, RefillsWithTimeUpToTheBurst) {
  FakeClock clock;
  TokenBucketRateLimiter limiter(clock, 10.0, 100);
  for (int i = 0; i < 100; ++i) limiter.When("k");
  clock.Advance(1s);  // 10 tokens back.
  for (int i = 0; i < 10; ++i) ASSERT_EQ(limiter.When("k"), Duration::zero());
  EXPECT_GT(limiter.When("k"), Duration::zero());
  clock.Advance(1h);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(limiter.When("k"), Duration::zero());
  EXPECT_GT(limiter.When("k"), Duration::zero());
}

TEST(DefaultControllerRateLimiterTest, TakesTheLongerOfPerKeyBackoffAndTheOverallBucket) {
  FakeClock clock;
  auto limiter = DefaultControllerRateLimiter(clock);
  // Within the burst, the per-key backoff decides.
  EXPECT_EQ(limiter->When("a"), 5ms);
  EXPECT_EQ(limiter->When("a"), 10ms);
  // Exhaust the bucket with other keys: then the bucket's wait dominates a fresh key's 5 ms.
  for (int i = 0; i < 98; ++i) limiter->When("other" + std::to_string(i));
  EXPECT_GE(limiter->When("fresh"), 100ms);
  EXPECT_EQ(limiter->NumRequeues("a"), 2);
  limiter->Forget("a");
  EXPECT_EQ(limiter->NumRequeues("a"), 0);
}

}  // namespace
}  // namespace lifeboat::kube
