// LeaderElector: the I/O shell around DecideLease (lease_decision.h). It reads the Lease every retry
// period and creates, takes over or renews it with optimistic concurrency (a Conflict just means
// another candidate wrote first). Once leading it renews every retry period; if it cannot renew
// for the renew deadline, or finds someone else holding the lease, leadership is lost and Run
// returns Aborted: the caller must then stop acting at once (the operator exits). Stop() makes
// Run release a held lease (holder cleared) and return Ok. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "operator/core/clock.h"
#include "operator/kube/api_client.h"
#include "operator/kube/lease_decision.h"

namespace lifeboat::kube {

class LeaderElector {
 public:
  LeaderElector(ApiClient& client, const Clock& clock, LeaderElectionConfig config, std::string ns, std::string name);

  // Blocks: campaigns, then leads. `on_started_leading` is called once, on this thread, when the lease
  // is acquired. Returns Ok after Stop() (releasing the lease if held) or Aborted when leadership
  // was lost.
  Status Run(const std::function<void()>& on_started_leading);
  void Stop();
  bool IsLeader() const { return leading_.load(); }
  // Identity of the holder last observed ("" when none or unknown).
  std::string ObservedHolder() const;

 private:
  // One attempt: read, decide, write. Ok when this candidate holds the lease afterwards.
  Status TryAcquireOrRenew(bool& holding);
  void Release();
  // Waits for the retry period (with a little jitter) or Stop; false when stopping.
  bool WaitRetryPeriod();

  ApiClient& client_;
  const Clock& clock_;
  LeaderElectionConfig config_;
  std::string ns_;
  std::string name_;

  ElectorMemory memory_;
  std::string resource_version_;
  LeaseRecord held_;
  std::atomic<bool> leading_{false};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string observed_holder_;
};

}  // namespace lifeboat::kube
