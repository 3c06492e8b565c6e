// RestoreRequest Decide: the pure step machine of the restore runbook. Given what was observed (the
// request, the BackupPolicy it names, the Secrets it needs, the workloads to quiesce, its Jobs with
// the agent results read from their Pods, the other RestoreRequests of the namespace) and the time,
// it returns a Plan: a metadata patch (finalizer, the spec as started), the desired status, workload
// scales, Jobs to create and delete, Events, a finished run for metrics, and when to look again. No
// I/O, no clock, no globals: the same input always gives the same plan.
//
// Steps (status.steps, in order): Validate → Quiesce → SafetyBackup → RestoreDatabase →
// RestoreMedia → PostRestore → Verify → Resume; then Succeeded=True, or Succeeded=False with the
// failed step's reason (after Resume, which also runs after a failure).
//   - Before the start: spec errors, Replace without a matching confirm, a missing BackupPolicy,
//     Secret or Secret key, a missing workload, or another unfinished RestoreRequest of the same
//     database or claim (created earlier, or already started) change nothing: Validated=False or
//     Blocked=True says why, and the request is decided again when its spec changes or after a
//     short requeue. Nothing in the world is touched until all of them pass.
//   - The start adds the finalizer (metadata patch) and records the spec as started in
//     status.startedSpec together with phase Running (the operator never writes the user's spec,
//     labels or annotations); from then on the restore follows that copy, and a later spec change
//     only sets SpecChanged=True (the change is refused, the restore goes on unchanged).
//   - Validate ends with a catalog Job ("<name>-catalog", `lifeboat agent catalog --select ...`) in
//     which the agent chooses each target's backup: the named backupId, else the newest complete
//     backup holding the source (of the policy; at or before spec.source.before; never a safety
//     backup). The choices (id and time) are written to status.restoredBackups before any restore Job
//     starts. A missing backup or a refused repository password ends the request with
//     Succeeded=False before anything was changed.
//   - Quiesce writes each workload's spec.replicas to status.quiescedWorkloads (never overwritten
//     once saved) in the same plan that scales it to 0; the shell writes status before it acts, so a
//     crash can never lose the counts. The step ends when every workload reports 0 replicas, or fails
//     after quiesce.timeoutSeconds.
//   - Every other step is one or more Jobs with deterministic names ("<name>-safety",
//     "<name>-restore-db", "<name>-media-<i>", "<name>-post-<job>", "<name>-verify"): a missing Job is created, an
//     existing one adopted, a finished one read. A failed Job fails its step.
//   - Verify reports the verification the restore Jobs did against the backup's manifest (row counts,
//     checksums, media files: right after the restore, before post-restore Jobs change the data),
//     then runs the user's SQL checks in a Job ("<name>-verify", `lifeboat agent verify`) after the
//     post-restore Jobs; all of them land in status.checks.
//   - Resume scales every saved workload back to its saved count and waits until it is ready; it
//     runs after a failure too. Deleting the request mid-run deletes its running Jobs and waits until
//     they are gone (the app never starts against a half-restored database), then scales the
//     workloads back and then removes the finalizer.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controllers/common/agent_run_result.h"
#include "controllers/common/observed_job.h"
#include "controllers/common/run_as.h"
#include "controllers/common/job_state.h"
#include "operator/api/restore_request.h"
#include "operator/core/clock.h"
#include "operator/core/duration.h"

namespace lifeboat::controllers::restorerequest {

inline constexpr char kFinalizer[] = "lifeboat.dev/restore-resume";
inline constexpr char kRequestLabel[] = "lifeboat.dev/restore-request";
inline constexpr char kStepLabel[] = "lifeboat.dev/restore-step";

struct ObservedWorkload {
  std::int64_t spec_replicas = 0;
  std::int64_t replicas = 0;        // status.replicas
  std::int64_t ready_replicas = 0;  // status.readyReplicas
};

struct RestoreObserved {
  nlohmann::json request;  // The RestoreRequest object as read.
  // The BackupPolicy named by spec.source.policyRef, when it exists.
  std::optional<nlohmann::json> policy;
  // Secrets the spec references: name → the keys present; a name missing from the map was not found.
  std::map<std::string, std::set<std::string>> secrets;
  // Workloads of spec.quiesce: "Deployment/web" → state; a key missing from the map was not found.
  std::map<std::string, ObservedWorkload> workloads;
  // The pod securityContexts of the workloads spec.media[].workload names (missing: not found).
  WorkloadContexts media_workloads;
  std::map<std::string, ObservedJob> jobs;  // Jobs owned by the request, by name.
  std::vector<nlohmann::json> other_requests;  // The other RestoreRequests of the namespace.
  std::string default_image;
};

struct ScaleAction {
  std::string kind;  // Deployment | StatefulSet
  std::string name;
  std::int64_t replicas = 0;
  friend bool operator==(const ScaleAction&, const ScaleAction&) = default;
};

// A restore that became final in this plan: what metrics count.
struct FinishedRestore {
  bool succeeded = false;
  double duration_seconds = 0;
  std::optional<double> backup_age_seconds;
};

struct RestorePlan {
  // A JSON merge patch for the request's metadata (its finalizer only), applied
  // before everything else; null when none.
  nlohmann::json metadata_patch;
  api::RestoreRequestStatus status;
  bool status_changed = false;
  std::vector<ScaleAction> scales;
  std::vector<nlohmann::json> create_jobs;
  std::vector<std::string> delete_jobs;
  std::vector<PlannedEvent> events;
  std::optional<FinishedRestore> finished;
  std::optional<Duration> requeue_after;

  bool HasActions() const {
    return !metadata_patch.is_null() || status_changed || !scales.empty() || !create_jobs.empty() ||
           !delete_jobs.empty() || !events.empty();
  }
};

RestorePlan Decide(const RestoreObserved& observed, WallTime now);

// The request's spec as the restore follows it: status.startedSpec when the restore has started,
// else the current spec. Errors (a request or started spec that does not parse) go to `errors`.
api::RestoreRequest EffectiveRequest(const nlohmann::json& request, api::FieldErrors* errors);

// The Secret names the effective spec (and the policy's repository) reference: what the shell must
// look up.
std::set<std::string> ReferencedSecrets(const nlohmann::json& request, const std::optional<nlohmann::json>& policy);

}  // namespace lifeboat::controllers::restorerequest
