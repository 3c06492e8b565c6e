#include "operator/kube/work_queue.h"

namespace lifeboat::kube {

WorkQueue::WorkQueue(const Clock& clock, std::unique_ptr<RateLimiter> limiter, WorkQueueObserver* observer)
    : clock_(clock), limiter_(std::move(limiter)), observer_(observer) {}

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_ || dirty_.count(key) > 0) return;
  dirty_.insert(key);
  if (processing_.count(key) > 0) return;  // Queued again at Done.
  queue_.push_back(key);
  enqueued_at_[key] = clock_.SteadyNow();
  if (observer_ != nullptr) {
    observer_->OnAdd();
    observer_->OnDepth(queue_.size());
  }
  ready_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard lock(mutex_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, Duration delay) {
  std::lock_guard lock(mutex_);
  if (shutting_down_) return;
  if (delay <= Duration::zero()) {
    AddLocked(key);
    return;
  }
  SteadyTime at = clock_.SteadyNow() + std::chrono::duration_cast<SteadyTime::duration>(delay);
  auto existing = waiting_.find(key);
  if (existing != waiting_.end()) {
    if (existing->second <= at) return;  // Already due earlier.
    auto range = waiting_by_time_.equal_range(existing->second);
    for (auto it = range.first; it != range.second; ++it) {
      if (it->second == key) {
        waiting_by_time_.erase(it);
        break;
      }
    }
  }
  waiting_[key] = at;
  waiting_by_time_.emplace(at, key);
  ready_.notify_all();  // A blocked Get may need to wake earlier.
}

void WorkQueue::AddRateLimited(const std::string& key) {
  Duration delay = limiter_->When(key);
  if (observer_ != nullptr) observer_->OnRetry();
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) { limiter_->Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) { return limiter_->NumRequeues(key); }

void WorkQueue::PromoteDelayedLocked() {
  SteadyTime now = clock_.SteadyNow();
  while (!waiting_by_time_.empty() && waiting_by_time_.begin()->first <= now) {
    std::string key = waiting_by_time_.begin()->second;
    waiting_by_time_.erase(waiting_by_time_.begin());
    waiting_.erase(key);
    AddLocked(key);
  }
}

std::optional<std::string> WorkQueue::PopLocked() {
  if (queue_.empty()) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  SteadyTime now = clock_.SteadyNow();
  if (auto it = enqueued_at_.find(key); it != enqueued_at_.end()) {
    if (observer_ != nullptr) observer_->OnQueueLatency(now - it->second);
    enqueued_at_.erase(it);
  }
  started_at_[key] = now;
  if (observer_ != nullptr) observer_->OnDepth(queue_.size());
  return key;
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (shutting_down_) return std::nullopt;
    PromoteDelayedLocked();
    if (auto key = PopLocked()) return key;
    if (waiting_by_time_.empty()) {
      ready_.wait(lock);
    } else {
      auto until_next = waiting_by_time_.begin()->first - clock_.SteadyNow();
      // Bounded so that a clock that jumps (a FakeClock, a suspended machine) is noticed.
      auto wait = std::min<SteadyTime::duration>(until_next, std::chrono::seconds(1));
      if (wait > SteadyTime::duration::zero()) ready_.wait_for(lock, wait);
    }
  }
}

std::optional<std::string> WorkQueue::TryGet() {
  std::lock_guard lock(mutex_);
  if (shutting_down_) return std::nullopt;
  PromoteDelayedLocked();
  return PopLocked();
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (auto it = started_at_.find(key); it != started_at_.end()) {
    if (observer_ != nullptr) observer_->OnWorkDuration(clock_.SteadyNow() - it->second);
    started_at_.erase(it);
  }
  if (dirty_.count(key) > 0 && !shutting_down_) {
    queue_.push_back(key);
    enqueued_at_[key] = clock_.SteadyNow();
    if (observer_ != nullptr) observer_->OnDepth(queue_.size());
    ready_.notify_one();
  }
}

void WorkQueue::Wake() {
  std::lock_guard lock(mutex_);
  ready_.notify_all();
}

void WorkQueue::ShutDown() {
  std::lock_guard lock(mutex_);
  shutting_down_ = true;
  ready_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard lock(mutex_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

size_t WorkQueue::DelayedLen() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

}  // namespace lifeboat::kube
