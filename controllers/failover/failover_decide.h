// Decide for Failover: a pure function from what was observed (the Failover, its Secrets' key names,
// a probe of each PostgreSQL server, the primary's workload, the Service, the other Failovers of the
// pair) and the time to the plan the shell applies. The databases are the truth: each reconcile
// probes both servers afresh, so a crash between any two actions is resumed from what the servers
// say, and status records what cannot be re-read (the fenced primary's final LSN, the selector and
// replica count before they were changed) before the action that changes it.
//
// The steps (status.steps, docs/api.md "Failover"):
//   Validate  both servers answer as expected: primary not in recovery, replica in recovery and
//             streaming from this primary (its slot active there, or its sender is the primary),
//             same system identifier, nothing fenced yet, the Service exists. A Failover only needs
//             the replica. Anything else fails here with nothing changed.
//   Fence     Switchover: the primary read-only (default_transaction_read_only, reload, client
//             backends terminated, CHECKPOINT), its final LSN recorded. Failover (or readOnly off):
//             the primary's workload scaled to 0 (replicas saved first) until no Pod is left and the
//             server no longer answers.
//   CatchUp   Switchover: the replica has replayed the final LSN, within catchUpTimeoutSeconds; on
//             timeout the fence is undone and the run fails (CatchUpTimeout). Failover: the lag gate
//             against maxLagBytes (Primary: measured against the primary's LSN read before the fence;
//             ReplicaReceived: it did not answer, only the unreplayed WAL is known).
//   Promote   pg_promote(wait => true) on the replica until it has left recovery; then its timeline
//             and LSN. Never before the fence held; a step that failed after it never unfences.
//   Switch    the Service's selector saved in status, then set; with fencing.scaleDown the old
//             primary's workload scaled to 0 (Switchover). Write unavailability: fence → switch.
//   Rejoin    (Switchover, rejoin.enabled, a StatefulSet primary) the old primary follows the new:
//             its slot created on the new primary, its server stopped, the rejoin Job (pg_rewind,
//             standby.signal, primary_conninfo), its StatefulSet scaled back, until it streams.
// A failure after the fence and before any promotion undoes the fence first (phase stays Running
// until the primary takes writes again). A Failover deleted mid-run is unfenced the same way by its
// finalizer. A second Failover of the same pair waits (Blocked) for the first.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/common/observed_job.h"
#include "controllers/failover/rejoin_job.h"
#include "operator/api/failover.h"
#include "operator/core/clock.h"
#include "operator/core/duration.h"

namespace lifeboat::controllers::failover {

inline constexpr char kFailoverFinalizer[] = "lifeboat.dev/failover";

// What one fresh session on a server says (docs/api.md lists the queries).
struct MemberProbe {
  bool reachable = false;
  std::string error;         // Why it did not answer (never a password).
  bool login_refused = false;  // Wrong credentials or pg_hba.conf, rather than down.
  bool in_recovery = false;
  std::string system_identifier;
  std::string lsn;           // Not in recovery: pg_current_wal_lsn(); in recovery: pg_last_wal_replay_lsn().
  std::string receive_lsn;   // In recovery: pg_last_wal_receive_lsn().
  bool read_only = false;    // default_transaction_read_only as a new session gets it: the fence.
  std::string timeline;      // Of the WAL at `lsn` (hex).
  std::string receiver_status;  // In recovery: pg_stat_wal_receiver.status ("streaming").
  std::string receiver_slot;    // ... and the slot it streams through.
  std::string sender;           // ... and "host:port" it streams from.
  std::set<std::string> active_slots;  // Not in recovery: replication slots a walsender uses now.
  std::set<std::string> slots;         // Not in recovery: every physical replication slot.
  std::int64_t streaming_standbys = 0;  // Not in recovery: pg_stat_replication rows in state streaming.
};

struct FailoverObserved {
  nlohmann::json failover;
  std::map<std::string, std::set<std::string>> secrets;  // Secret → keys present; missing: not found.
  std::optional<MemberProbe> primary;  // Unset: spec.primary has no connection.
  std::optional<MemberProbe> replica;
  std::optional<std::int64_t> primary_workload_replicas;  // spec.replicas; unset: no workload or not found.
  std::int64_t primary_pods = 0;       // Pods of the primary's workload that still exist.
  std::optional<std::map<std::string, std::string>> service_selector;  // Unset: the Service does not exist.
  std::vector<std::string> blocked_by;  // Unfinished Failovers of the same pair, created earlier.
  // For the rejoin: the old primary's data volume (its StatefulSet), the user its Pods run as, and
  // the rejoin Job when it exists.
  std::optional<DataVolume> primary_data;
  api::SecurityContext primary_run_as;
  std::optional<ObservedJob> rejoin_job;
  std::string default_image;
};

// kCreateSlot: the rejoining standby's slot on the new primary (plan.slot).
enum class DatabaseAction { kNone, kFence, kUnfence, kPromote, kCreateSlot };

struct WorkloadScale {
  std::string kind;
  std::string name;
  std::int64_t replicas = 0;
};

struct FailoverPlan {
  api::FailoverStatus status;
  bool status_changed = false;
  bool add_finalizer = false;     // Before anything else.
  bool remove_finalizer = false;  // Last.
  DatabaseAction action = DatabaseAction::kNone;  // After status is written.
  std::string slot;                                // Of kCreateSlot.
  std::optional<nlohmann::json> create_job;        // The rejoin Job, after status.
  std::optional<std::map<std::string, std::string>> set_service_selector;  // After status.
  std::optional<WorkloadScale> scale;  // After status.
  std::vector<PlannedEvent> events;
  std::optional<Duration> requeue_after;
  std::optional<double> write_unavailable_seconds;  // Set when the run succeeded.
  std::string finished;  // "Succeeded" | "Failed" when the run ended in this plan.
};

FailoverPlan DecideFailover(const FailoverObserved& observed, WallTime now);

// The Secrets the Failover's connections name.
std::set<std::string> ReferencedSecrets(const nlohmann::json& failover);

// Whether two Failovers concern the same pair (a shared server or workload).
bool SamePair(const api::FailoverSpec& a, const api::FailoverSpec& b);

}  // namespace lifeboat::controllers::failover
