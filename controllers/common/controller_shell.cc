#include "controllers/common/controller_shell.h"

#include "controllers/common/resources.h"

namespace lifeboat::controllers {

StatusOr<bool> CreateOrAdoptJob(kube::ApiClient& client, const std::string& ns, const nlohmann::json& job,
                                const runtime::ReconcileLog& log) {
  const std::string name = job["metadata"]["name"];
  auto created = client.Create(JobResource(), ns, job);
  if (created.ok()) {
    log.Info("Created Job", {{"job", name}});
    return true;
  }
  if (created.status().code() == StatusCode::kAlreadyExists) {
    log.Info("Adopted existing Job", {{"job", name}});
    return false;
  }
  return created.status().WithContext("creating Job " + name);
}

Status DeleteJob(kube::ApiClient& client, const std::string& ns, const std::string& name, const std::string& propagation) {
  kube::DeleteOptions options;
  options.propagation_policy = propagation;
  Status s = client.Delete(JobResource(), ns, name, options);
  if (!s.ok() && s.code() != StatusCode::kNotFound) return s.WithContext("deleting Job " + name);
  return Status::Ok();
}

StatusOr<WriteOutcome> WriteStatus(kube::ApiClient& client, const kube::ResourceRef& resource, const std::string& ns,
                                   const nlohmann::json& object) {
  auto written = client.UpdateStatus(resource, ns, object);
  if (written.ok()) return WriteOutcome::kWritten;
  if (written.status().code() == StatusCode::kNotFound) return WriteOutcome::kGone;
  if (written.status().code() == StatusCode::kAborted) return WriteOutcome::kConflict;
  return written.status().WithContext("writing status");
}

runtime::ReconcileResult AfterUnwrittenChange(WriteOutcome outcome) {
  return outcome == WriteOutcome::kConflict ? runtime::ReconcileResult::Requeue() : runtime::ReconcileResult::Done();
}

Status CreateJobsAnnouncingThem(runtime::ControllerContext& context, const std::string& ns, const nlohmann::json& object,
                                const std::vector<nlohmann::json>& jobs, const std::vector<PlannedEvent>& events,
                                const runtime::ReconcileLog& log) {
  for (const nlohmann::json& job : jobs) {
    auto created = CreateOrAdoptJob(context.client(), ns, job, log);
    if (!created.ok()) return created.status();
    if (!*created) continue;  // Adopted: it was announced when it was created.
    for (const PlannedEvent& event : events) {
      if (event.announces_job == job["metadata"]["name"]) context.recorder().Record(object, event.type, event.reason, event.message);
    }
  }
  return Status::Ok();
}

void RecordEvents(runtime::ControllerContext& context, const nlohmann::json& object,
                  const std::vector<PlannedEvent>& events, const runtime::ReconcileLog& log) {
  for (const PlannedEvent& event : events) {
    if (!event.announces_job.empty()) continue;
    context.recorder().Record(object, event.type, event.reason, event.message);
    if (event.type == "Warning") log.Warn(event.message, {{"reason", event.reason}});
  }
}

runtime::ReconcileResult ResultFor(const std::optional<Duration>& requeue_after) {
  if (!requeue_after) return runtime::ReconcileResult::Done();
  return runtime::ReconcileResult::RequeueAfter(std::chrono::duration_cast<std::chrono::milliseconds>(*requeue_after) +
                                                std::chrono::milliseconds(50));
}

}  // namespace lifeboat::controllers
