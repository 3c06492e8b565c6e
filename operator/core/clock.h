// Clock: the only way Lifeboat code reads the time, so tests can inject a FakeClock
// (tests/fakes/fake_clock.h) instead of sleeping. Now() is wall-clock time (for timestamps,
// schedules, RPO); SteadyNow() is monotonic (for timeouts, backoff, latency).
// Implementations must be thread-safe.
#pragma once

#include <chrono>

namespace lifeboat {

using WallTime = std::chrono::system_clock::time_point;
using SteadyTime = std::chrono::steady_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
  virtual SteadyTime SteadyNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  SteadyTime SteadyNow() const override { return std::chrono::steady_clock::now(); }

  // A process-wide instance for production wiring.
  static const SystemClock& Instance() {
    static const SystemClock clock;
    return clock;
  }
};

}  // namespace lifeboat
