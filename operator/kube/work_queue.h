// WorkQueue: the controller's queue of object keys ("namespace/name"), as client-go's workqueue:
//   - deduplicated: a key added many times before a worker takes it is processed once;
//   - exclusive: a key taken by a worker (Get) is not handed to another until Done; adds meanwhile
//     mark it dirty and it is queued again at Done;
//   - delayed: AddAfter(key, d) makes it ready d later (measured on the injected Clock);
//   - rate limited: AddRateLimited waits as the RateLimiter says (per-key backoff + overall bucket);
//     Forget resets a key's backoff after a success.
// Get blocks until a key is ready or ShutDown; delayed keys become ready on Get/TryGet/Wake when
// their time has come. All methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "operator/core/clock.h"
#include "operator/kube/rate_limiter.h"

namespace lifeboat::kube {

// What the queue reports for metrics (kube/ does not depend on a metrics library). Thread-safe.
class WorkQueueObserver {
 public:
  virtual ~WorkQueueObserver() = default;
  virtual void OnAdd() = 0;                                       // A key became ready (deduplicated adds count once).
  virtual void OnRetry() = 0;                                     // AddRateLimited.
  virtual void OnDepth(size_t depth) = 0;                         // Ready keys waiting.
  virtual void OnQueueLatency(std::chrono::duration<double>) = 0;  // Ready → taken by a worker.
  virtual void OnWorkDuration(std::chrono::duration<double>) = 0;  // Taken → Done.
};

class WorkQueue {
 public:
  WorkQueue(const Clock& clock, std::unique_ptr<RateLimiter> limiter, WorkQueueObserver* observer = nullptr);

  void Add(const std::string& key);
  void AddAfter(const std::string& key, Duration delay);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key);

  // Blocks until a key is ready; nullopt once ShutDown was called.
  std::optional<std::string> Get();
  // A ready key now, or nullopt.
  std::optional<std::string> TryGet();
  // The worker finished `key` (from Get/TryGet).
  void Done(const std::string& key);

  // Wakes blocked Gets so they re-check delayed keys (after a FakeClock advanced).
  void Wake();
  void ShutDown();
  bool ShuttingDown() const;

  size_t Len() const;           // Ready keys.
  size_t DelayedLen() const;    // Keys waiting for their time.

 private:
  void AddLocked(const std::string& key);
  void PromoteDelayedLocked();
  std::optional<std::string> PopLocked();

  const Clock& clock_;
  std::unique_ptr<RateLimiter> limiter_;
  WorkQueueObserver* observer_;

  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;
  std::set<std::string> processing_;
  std::map<std::string, SteadyTime> enqueued_at_;
  std::map<std::string, SteadyTime> started_at_;
  std::map<std::string, SteadyTime> waiting_;                 // key → ready time.
  std::multimap<SteadyTime, std::string> waiting_by_time_;
  bool shutting_down_ = false;
};

}  // namespace lifeboat::kube
