#include "e2e/devcluster/jobs/job_controller.h"

#include <algorithm>
#include <map>

#include "e2e/devcluster/jobs/job_pod_builder.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kRetrySoon{200};

std::string ControllerUid(const json& pod) {
  const json metadata = pod.value("metadata", json::object());
  for (const json& ref : metadata.value("ownerReferences", json::array())) {
    if (ref.value("controller", false) && ref.value("kind", "") == "Job") return ref.value("uid", "");
  }
  return "";
}

bool HasTrackingFinalizer(const json& pod) {
  const json finalizers = pod.value("metadata", json::object()).value("finalizers", json::array());
  return std::find(finalizers.begin(), finalizers.end(), kJobTrackingFinalizer) != finalizers.end();
}

void MinInto(std::optional<milliseconds>& into, std::optional<milliseconds> value) {
  if (value && (!into || *value < *into)) into = value;
}

}  // namespace

JobController::JobController(ClusterApi& api, const Clock& clock, JobDecideOptions options, uint64_t seed)
    : api_(api), clock_(clock), options_(options), events_(api, clock, "job-controller"), random_(seed) {}

std::optional<milliseconds> JobController::Sync() {
  auto jobs = api_.List(kJobsResource, "");
  auto pods = api_.List(kPodsResource, "");
  if (!jobs.ok() || !pods.ok()) return kRetrySoon;
  std::map<std::string, std::vector<json>> pods_by_owner;
  for (const json& pod : *pods) {
    const std::string uid = ControllerUid(pod);
    if (!uid.empty()) pods_by_owner[uid].push_back(pod);
  }
  std::optional<milliseconds> requeue;
  for (const json& job : *jobs) {
    const std::string uid = job.value("metadata", json::object()).value("uid", "");
    auto it = pods_by_owner.find(uid);
    MinInto(requeue, SyncJob(job, it == pods_by_owner.end() ? std::vector<json>{} : it->second));
    if (it != pods_by_owner.end()) pods_by_owner.erase(it);
  }
  // Pods whose Job is gone keep nothing alive: let the garbage collector have them.
  for (const auto& [uid, orphans] : pods_by_owner) {
    for (const json& pod : orphans) {
      if (HasTrackingFinalizer(pod)) ReleasePod(pod);
    }
  }
  return requeue;
}

void JobController::ReleasePod(const json& pod) {
  json updated = pod;
  json& finalizers = updated["metadata"]["finalizers"];
  finalizers.erase(std::remove(finalizers.begin(), finalizers.end(), kJobTrackingFinalizer), finalizers.end());
  if (finalizers.empty()) updated["metadata"].erase("finalizers");
  (void)api_.Update(kPodsResource, updated);  // A conflict is retried on the next pass.
}

std::optional<milliseconds> JobController::SyncJob(const json& job, const std::vector<json>& pods) {
  JobPlan plan = DecideJob(job, pods, clock_.Now(), options_);
  const json metadata = job.value("metadata", json::object());
  const std::string ns = metadata.value("namespace", "default");
  const std::string name = metadata.value("name", "");
  std::optional<milliseconds> requeue = plan.requeue_after;

  json current_job = job;
  if (plan.status) {
    json updated = job;
    updated["status"] = *plan.status;
    auto written = api_.UpdateStatus(kJobsResource, updated);
    if (!written.ok()) return kRetrySoon;  // Conflict or gone: observe again.
    current_job = *written;
  }
  for (const std::string& pod_name : plan.pods_to_release) {
    auto pod = std::find_if(pods.begin(), pods.end(), [&](const json& p) {
      return p["metadata"].value("name", "") == pod_name;
    });
    if (pod != pods.end()) ReleasePod(*pod);
  }
  for (const std::string& pod_name : plan.pods_to_delete) {
    Status deleted = api_.Delete(kPodsResource, ns, pod_name);
    if (deleted.ok()) {
      events_.Record(current_job, "Normal", "SuccessfulDelete", "Deleted pod: " + pod_name);
    } else if (deleted.code() != StatusCode::kNotFound) {
      MinInto(requeue, kRetrySoon);
    }
  }
  for (int i = 0; i < plan.pods_to_create; ++i) {
    Status last = Status::Ok();
    bool created = false;
    for (int attempt = 0; attempt < 5 && !created; ++attempt) {
      json pod = BuildJobPod(job, RandomNameSuffix(random_));
      auto result = api_.Create(kPodsResource, ns, pod);
      if (result.ok()) {
        created = true;
        events_.Record(current_job, "Normal", "SuccessfulCreate", "Created pod: " + pod["metadata"].value("name", ""));
      } else {
        last = result.status();
        if (last.code() != StatusCode::kAlreadyExists) break;
      }
    }
    if (!created) {
      events_.Record(current_job, "Warning", "FailedCreate", "Error creating: " + last.message());
      MinInto(requeue, milliseconds(1000));
    }
  }
  for (const JobEvent& event : plan.events) events_.Record(current_job, event.type, event.reason, event.message);
  if (plan.delete_job) {
    Status deleted = api_.Delete(kJobsResource, ns, name, metadata.value("uid", ""));
    if (!deleted.ok() && deleted.code() != StatusCode::kNotFound) MinInto(requeue, kRetrySoon);
  }
  return requeue;
}

}  // namespace lifeboat::devcluster
