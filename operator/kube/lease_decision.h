// The leader-election state machine on a coordination.k8s.io/v1 Lease, as pure functions (no I/O,
// no clock reads): given what this candidate last observed, what the Lease says now and the time,
// decide whether to create the Lease, take it over or renew it, or wait. Like client-go, expiry is
// judged by when *this process* saw the record last change (its steady clock), not by the holder's
// renewTime, so clock skew between machines cannot make two leaders.
// Plain values; thread-compatible.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat::kube {

struct LeaderElectionConfig {
  std::string identity;                            // This candidate (unique per process).
  std::chrono::seconds lease_duration{15};         // How long a non-renewed lease stays valid.
  std::chrono::seconds renew_deadline{10};         // The leader gives up if it cannot renew for this long.
  std::chrono::seconds retry_period{2};            // Time between attempts.

  // lease_duration > renew_deadline > retry_period > 0 and a non-empty identity.
  Status Validate() const;
};

// The Lease spec fields leader election uses.
struct LeaseRecord {
  std::string holder;                  // spec.holderIdentity ("" when released).
  int lease_duration_seconds = 0;      // spec.leaseDurationSeconds.
  std::optional<WallTime> acquire_time;  // spec.acquireTime (MicroTime).
  std::optional<WallTime> renew_time;    // spec.renewTime (MicroTime).
  int transitions = 0;                 // spec.leaseTransitions.

  friend bool operator==(const LeaseRecord&, const LeaseRecord&) = default;
};

// Reads spec of a Lease object; InvalidArgument when a timestamp is malformed.
StatusOr<LeaseRecord> LeaseRecordFromJson(const nlohmann::json& lease);
// A complete Lease object with this spec (times as MicroTime, "2026-11-22T01:02:03.123456Z").
nlohmann::json LeaseToJson(const std::string& ns, const std::string& name, const std::string& resource_version,
                           const LeaseRecord& record);

// What the candidate remembers between attempts.
struct ElectorMemory {
  std::optional<LeaseRecord> observed;  // The record seen last.
  SteadyTime observed_at{};            // When `observed` last changed, on this process's clock.
};

enum class LeaseAction {
  kCreate,  // No Lease yet: create it holding it.
  kUpdate,  // Write `desired` (take over an expired or released lease, or renew our own).
  kWait,    // Someone else holds a valid lease.
};

struct LeaseDecision {
  LeaseAction action = LeaseAction::kWait;
  LeaseRecord desired;        // For kCreate/kUpdate.
  ElectorMemory memory;       // The memory to keep after this observation.
  bool renewing = false;      // kUpdate of a lease we already hold.
  std::string current_holder; // Who holds the lease as observed ("" when none).
};

// `current` is the Lease's record, or nullopt when the Lease does not exist.
LeaseDecision DecideLease(const LeaderElectionConfig& config, const ElectorMemory& memory,
                          const std::optional<LeaseRecord>& current, WallTime now, SteadyTime steady_now);

// The record that releases a held lease on clean shutdown: no holder, duration 1 s, so the next
// candidate takes over at its next attempt.
LeaseRecord ReleasedRecord(const LeaseRecord& held, WallTime now);

// True when the leader has not renewed for longer than the renew deadline and must stop leading.
bool RenewDeadlineExceeded(const LeaderElectionConfig& config, SteadyTime last_renewed, SteadyTime steady_now);

}  // namespace lifeboat::kube
