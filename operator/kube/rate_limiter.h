// RateLimiter: how long to wait before a key may be processed again after a failure.
//   ItemExponentialRateLimiter: per key, base * 2^failures, capped (5 ms doubling to 1000 s).
//   TokenBucketRateLimiter: overall, `qps` tokens per second with a `burst` bucket (10/s, 100), so
//     many failing keys together cannot hammer the API server. Time comes from the injected Clock.
//   MaxOfRateLimiter: the longest wait of several limiters.
// DefaultControllerRateLimiter() combines the first two as client-go's workqueue does. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/core/clock.h"

namespace lifeboat::kube {

using Duration = std::chrono::nanoseconds;

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // The delay before `key` may be retried; each call counts as one more failure.
  virtual Duration When(const std::string& key) = 0;
  // The key succeeded: forget its failures.
  virtual void Forget(const std::string& key) = 0;
  virtual int NumRequeues(const std::string& key) = 0;
};

class ItemExponentialRateLimiter final : public RateLimiter {
 public:
  ItemExponentialRateLimiter(Duration base, Duration max) : base_(base), max_(max) {}
  Duration When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  Duration base_;
  Duration max_;
  std::mutex mutex_;
  std::map<std::string, int> failures_;
};

class TokenBucketRateLimiter final : public RateLimiter {
 public:
  TokenBucketRateLimiter(const Clock& clock, double qps, int burst);
  Duration When(const std::string& key) override;
  void Forget(const std::string&) override {}
  int NumRequeues(const std::string&) override { return 0; }

 private:
  const Clock& clock_;
  double qps_;
  double burst_;
  std::mutex mutex_;
  double tokens_;
  SteadyTime last_;
};

class MaxOfRateLimiter final : public RateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters) : limiters_(std::move(limiters)) {}
  Duration When(const std::string& key) override;
  void Forget(const std::string& key) override;
  int NumRequeues(const std::string& key) override;

 private:
  std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

// 5 ms doubling to 1000 s per key, combined with 10 per second (burst 100) overall.
std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(const Clock& clock);

}  // namespace lifeboat::kube
