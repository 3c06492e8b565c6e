// FakeClock: a Clock whose time moves only when a test says so. Thread-safe.
#pragma once

#include <mutex>

#include "operator/core/clock.h"

namespace lifeboat::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = WallTime{} + std::chrono::hours(24 * 365 * 56))
      : now_(start), steady_(SteadyTime{} + std::chrono::hours(1)) {}

  WallTime Now() const override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  SteadyTime SteadyNow() const override {
    std::lock_guard lock(mutex_);
    return steady_;
  }

  // Moves both clocks forward by `delta`.
  void Advance(std::chrono::nanoseconds delta) {
    std::lock_guard lock(mutex_);
    now_ += std::chrono::duration_cast<WallTime::duration>(delta);
    steady_ += std::chrono::duration_cast<SteadyTime::duration>(delta);
  }
  // Sets the wall clock (steady time is unaffected, as on a real machine).
  void SetNow(WallTime now) {
    std::lock_guard lock(mutex_);
    now_ = now;
  }

 private:
  mutable std::mutex mutex_;
  WallTime now_;
  SteadyTime steady_;
};

}  // namespace lifeboat::testing
