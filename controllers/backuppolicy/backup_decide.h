// BackupPolicy Decide: the pure heart of the BackupPolicy controller. Given what was observed (the
// policy object, which referenced Secret keys exist, the policy's Jobs with the agent results read
// from their Pods) and the time, it returns a Plan: Jobs to create and delete, Events, the desired
// status, finished runs (for metrics) and when to look again. No I/O, no clock, no globals: the same
// input always gives the same plan.
//
// Rules (docs/backup-controller.md has the narrative):
//   - Runs: every source (the database, each media source) follows its own cron schedule in
//     spec.timeZone; sources due at the same instant share one run = one Job named
//     "<policy>-<yyyymmddhhmm>" (UTC), shortened with a hash past 63 characters. An on-demand run
//     (annotation lifeboat.dev/backup-now with a value other than status.lastOnDemandToken) backs up
//     every source in a Job named "<policy>-now-<hash of the value>". A Job that already exists under
//     the run's name is adopted, never duplicated (crash safety).
//   - Missed runs: only the most recent due instant of a source is ever started; older ones are
//     counted in status.sources[].missedRuns. With startingDeadlineSeconds, a most recent instant
//     older than that is skipped and counted too.
//   - concurrencyPolicy Forbid: while a Job of the policy runs, new runs wait (and may then be
//     skipped by the deadline); Replace: the running Jobs are deleted and marked Failed, the new run
//     starts. suspend stops scheduled runs, not on-demand ones.
//   - Status: history rebuilt from the Jobs (one entry per run and source, newest first, at most
//     historyLimit), never downgrading a final entry; a Running entry whose Job is confirmed gone
//     becomes Failed. Per-source and overall last success, lastScheduleTime/nextScheduleTime, RPO,
//     conditions Ready/LastBackupSucceeded/RPOMet.
//   - An invalid spec or a missing Secret/key: Ready=False naming the field or Secret, an Event
//     when that becomes the case, and no Job.
//   - Finished Jobs beyond successful/failedJobsHistoryLimit are deleted once recorded.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controllers/common/agent_run_result.h"
#include "controllers/common/observed_job.h"
#include "controllers/common/run_as.h"
#include "controllers/common/job_state.h"
#include "controllers/backuppolicy/wal_streamer.h"
#include "operator/api/backup_policy.h"
#include "operator/core/clock.h"
#include "operator/core/duration.h"

namespace lifeboat::controllers::backuppolicy {

struct BackupPolicyObserved {
  nlohmann::json policy;  // The BackupPolicy object as read.
  // Secrets the spec references: name → the keys present; a name missing from the map was not
  // found.
  std::map<std::string, std::set<std::string>> secrets;
  std::vector<ObservedJob> jobs;  // Jobs owned by the policy.
  // Jobs that status.history shows Running but that are confirmed gone (GET returned NotFound).
  std::set<std::string> lost_jobs;
  std::string default_image;
  // The pod securityContexts of the workloads spec.media[].workload names (missing: not found).
  WorkloadContexts workloads;
  // The DRDrills of the namespace that name this policy (status.lastVerified comes from them).
  std::vector<nlohmann::json> drills;
  // The Deployment named WalStreamerName(policy), as read (nullopt: there is none).
  std::optional<nlohmann::json> wal_streamer;
  // The streamer's status ConfigMap of the same name, as read (nullopt: there is none).
  std::optional<nlohmann::json> wal_status;
};

// A run that became final in this plan: what metrics count.
struct FinishedRun {
  std::string source;
  bool succeeded = false;
  std::optional<double> duration_seconds;
  std::optional<std::int64_t> size_bytes;
  friend bool operator==(const FinishedRun&, const FinishedRun&) = default;
};

struct BackupPolicyPlan {
  std::vector<nlohmann::json> create_jobs;
  std::vector<std::string> delete_jobs;
  std::vector<PlannedEvent> events;
  api::BackupPolicyStatus status;
  bool status_changed = false;
  std::vector<FinishedRun> finished_runs;
  std::optional<Duration> requeue_after;
  // method BaseBackup: the streamer Deployment to create, or to replace the spec of (existing one's
  // resourceVersion set); or the name of ours to delete (the policy no longer streams WAL).
  std::optional<nlohmann::json> apply_wal_streamer;
  std::string delete_wal_streamer;
  // With apply_wal_streamer, or when the status ConfigMap is missing: the objects that let the
  // streamer report (wal_streamer.h BuildWalStreamerAccess), created or brought back to this.
  std::vector<WalStreamerAccessObject> apply_wal_access;
  // With delete_wal_streamer: those objects' kinds, to delete (same name).
  std::vector<std::string> delete_wal_access;
  // The finalizer kWalSlotFinalizer (a merge patch of metadata.finalizers): added while the policy
  // archives WAL, so that its replication slot is dropped before the policy is gone.
  std::optional<nlohmann::json> metadata_patch;
  // A replication slot to drop now (the policy was deleted or no longer archives WAL, and its
  // streamer is gone). When the drop succeeds the shell applies `after_drop_patch` (the finalizer
  // released) and records a SlotDropped Event; when it fails, a SlotDropFailed Warning, and the
  // next reconcile tries again.
  std::string drop_slot;
  std::optional<nlohmann::json> after_drop_patch;

  bool HasActions() const {
    return !create_jobs.empty() || !delete_jobs.empty() || !events.empty() || status_changed || apply_wal_streamer ||
           !delete_wal_streamer.empty() || !apply_wal_access.empty() || metadata_patch || !drop_slot.empty();
  }
};

// The longest a reconcile waits before looking again (keeps status.currentRPO and the RPO metrics
// fresh between runs).
inline constexpr Duration kMaxRequeue = std::chrono::minutes(5);
// How often a policy with a WAL streamer looks at the streamer's Deployment (not watched: caching
// every Deployment in the cluster would cost the operator memory for objects it never reads).
inline constexpr Duration kWalStreamerLook = std::chrono::seconds(30);
// The finalizer of a policy that archives WAL: its replication slot is dropped before it goes.
inline constexpr char kWalSlotFinalizer[] = "lifeboat.dev/wal-slot";
// How long a deleted policy keeps trying to drop its slot (the server may be gone for good, or its
// credentials deleted with the namespace); then the finalizer is released with a Warning that
// names the slot to drop by hand.
inline constexpr Duration kSlotDropDeadline = std::chrono::minutes(10);
// How often a failed drop is tried again.
inline constexpr Duration kSlotDropRetry = std::chrono::seconds(10);
// A streamer that has not reported for this long is taken as not working (it reports at least every
// 30 s while it runs).
inline constexpr Duration kWalStreamerSilence = std::chrono::minutes(2);

BackupPolicyPlan Decide(const BackupPolicyObserved& observed, WallTime now);

// The Secret names a policy object references (what the shell must look up); empty if it does not
// parse.
std::set<std::string> ReferencedSecrets(const nlohmann::json& policy);
// The workloads the policy's media sources name (spec.media[].workload): Observe reads their users.
std::vector<api::WorkloadRef> ReferencedWorkloads(const nlohmann::json& policy);

}  // namespace lifeboat::controllers::backuppolicy
