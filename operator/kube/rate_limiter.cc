#include "operator/kube/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace lifeboat::kube {

Duration ItemExponentialRateLimiter::When(const std::string& key) {
  std::lock_guard lock(mutex_);
  int failures = failures_[key]++;
  // Compute in floating point so large exponents saturate at max_ instead of overflowing.
  double delay = static_cast<double>(base_.count()) * std::pow(2.0, std::min(failures, 62));
  if (delay >= static_cast<double>(max_.count())) return max_;
  return Duration(static_cast<Duration::rep>(delay));
}

void ItemExponentialRateLimiter::Forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

int ItemExponentialRateLimiter::NumRequeues(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

TokenBucketRateLimiter::TokenBucketRateLimiter(const Clock& clock, double qps, int burst)
    : clock_(clock), qps_(qps), burst_(burst), tokens_(burst), last_(clock.SteadyNow()) {}

Duration TokenBucketRateLimiter::When(const std::string&) {
  std::lock_guard lock(mutex_);
  SteadyTime now = clock_.SteadyNow();
  if (now > last_) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1.0;  // Reserve a token; a negative balance is a reservation in the future.
  if (tokens_ >= 0) return Duration::zero();
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

Duration MaxOfRateLimiter::When(const std::string& key) {
  Duration longest = Duration::zero();
  for (auto& limiter : limiters_) longest = std::max(longest, limiter->When(key));
  return longest;
}

void MaxOfRateLimiter::Forget(const std::string& key) {
  for (auto& limiter : limiters_) limiter->Forget(key);
}

int MaxOfRateLimiter::NumRequeues(const std::string& key) {
  int most = 0;
  for (auto& limiter : limiters_) most = std::max(most, limiter->NumRequeues(key));
  return most;
}

std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(const Clock& clock) {
  std::vector<std::unique_ptr<RateLimiter>> limiters;
  limiters.push_back(std::make_unique<ItemExponentialRateLimiter>(std::chrono::milliseconds(5), std::chrono::seconds(1000)));
  limiters.push_back(std::make_unique<TokenBucketRateLimiter>(clock, 10.0, 100));
  return std::make_unique<MaxOfRateLimiter>(std::move(limiters));
}

}  // namespace lifeboat::kube
