// ControllerShell: the "act" and "report" half of every controller's loop (docs/architecture.md),
// written once: create a Job or adopt the one that already has its deterministic name, delete a
// Job (gone is fine), write status through /status (a Conflict means "observe again", a NotFound
// means the object is gone), record the planned Events, and turn a plan's "look again after" into
// the reconcile result. Thread-safe (the client and recorder are).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/common/observed_job.h"
#include "operator/core/duration.h"
#include "operator/kube/api_client.h"
#include "operator/runtime/controller.h"

namespace lifeboat::controllers {

// Creates `job`; AlreadyExists adopts the existing one. True when it was created by this call.
StatusOr<bool> CreateOrAdoptJob(kube::ApiClient& client, const std::string& ns, const nlohmann::json& job,
                                const runtime::ReconcileLog& log);

// Creates (or adopts) each of `jobs`; a Job this call created has the Events announcing it
// (PlannedEvent::announces_job) recorded on `object` right away, so a retry after a failed status
// write, which adopts the Job, never announces it twice. Stops at the first error.
Status CreateJobsAnnouncingThem(runtime::ControllerContext& context, const std::string& ns, const nlohmann::json& object,
                                const std::vector<nlohmann::json>& jobs, const std::vector<PlannedEvent>& events,
                                const runtime::ReconcileLog& log);

// Deletes Job `name` with `propagation` (Background | Foreground); a Job already gone is fine.
Status DeleteJob(kube::ApiClient& client, const std::string& ns, const std::string& name, const std::string& propagation);

// The result of a write the reconcile depends on.
enum class WriteOutcome {
  kWritten,
  kGone,      // NotFound: the object was deleted; nothing more to do.
  kConflict,  // Aborted (409): observe again.
};
// Writes `object` (its status replaced) through /status.
StatusOr<WriteOutcome> WriteStatus(kube::ApiClient& client, const kube::ResourceRef& resource, const std::string& ns,
                                   const nlohmann::json& object);
// What a reconcile returns after a write that did not happen (kGone: done; kConflict: requeue).
runtime::ReconcileResult AfterUnwrittenChange(WriteOutcome outcome);

// Records the plan's Events on `object` (Warnings also logged), except those that announce a Job
// (recorded at the Job's creation by the caller).
void RecordEvents(runtime::ControllerContext& context, const nlohmann::json& object,
                  const std::vector<PlannedEvent>& events, const runtime::ReconcileLog& log);

// "Look again after" (a little late, so the time has surely passed), or done.
runtime::ReconcileResult ResultFor(const std::optional<Duration>& requeue_after);

}  // namespace lifeboat::controllers
