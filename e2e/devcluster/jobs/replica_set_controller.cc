#include "e2e/devcluster/jobs/replica_set_controller.h"

#include <algorithm>
#include <map>

#include "e2e/devcluster/jobs/job_pod_builder.h"
#include "e2e/devcluster/jobs/replica_set_pod_builder.h"
#include "e2e/devcluster/jobs/workload_fields.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kRetrySoon{200};
// A failed Pod creation (e.g. refused by admission) is tried again after this long, doubling with
// every further failure up to the cap.
constexpr milliseconds kCreateRetry{1000};
constexpr milliseconds kCreateRetryMax{60000};

void MinInto(std::optional<milliseconds>& into, std::optional<milliseconds> value) {
  if (value && (!into || *value < *into)) into = value;
}

}  // namespace

ReplicaSetController::ReplicaSetController(ClusterApi& api, const Clock& clock, uint64_t seed)
    : api_(api), clock_(clock), events_(api, clock, "replicaset-controller"), random_(seed) {}

std::optional<milliseconds> ReplicaSetController::Sync() {
  auto replica_sets = api_.List(kReplicaSetsResource, "");
  if (!replica_sets.ok()) return kRetrySoon;
  if (replica_sets->empty()) return std::nullopt;
  auto pods = api_.List(kPodsResource, "");
  if (!pods.ok()) return kRetrySoon;
  std::map<std::string, std::vector<json>> pods_by_owner;
  for (const json& pod : *pods) {
    const std::string uid = workload::ControllerUidOf(pod, "ReplicaSet");
    if (!uid.empty()) pods_by_owner[uid].push_back(pod);
  }
  std::optional<milliseconds> requeue;
  std::map<std::string, CreateBackoff> still_there;
  for (const json& rs : *replica_sets) {
    const std::string uid = workload::UidOf(rs);
    auto it = pods_by_owner.find(uid);
    MinInto(requeue, SyncReplicaSet(rs, it == pods_by_owner.end() ? std::vector<json>{} : it->second));
    if (auto b = backoff_.find(uid); b != backoff_.end()) still_there.insert(*b);
  }
  backoff_.swap(still_there);  // forget ReplicaSets that are gone
  return requeue;
}

std::optional<milliseconds> ReplicaSetController::SyncReplicaSet(const json& replica_set, const std::vector<json>& pods) {
  ReplicaSetPlan plan = DecideReplicaSet(replica_set, pods, clock_.Now());
  std::optional<milliseconds> requeue = plan.requeue_after;
  const std::string ns = workload::StringAt(replica_set, {"metadata", "namespace"});
  std::optional<ReplicaSetFailure> failure;
  const std::string uid = workload::UidOf(replica_set);
  const WallTime now = clock_.Now();
  if (auto b = backoff_.find(uid); plan.pods_to_create > 0 && b != backoff_.end() && now < b->second.next_attempt) {
    // Still backing off after refused creations: the failure stands until the next try.
    plan.pods_to_create = 0;
    if (const json* c = workload::FindCondition(workload::At(replica_set, {"status"}), "ReplicaFailure")) {
      failure = ReplicaSetFailure{c->value("reason", ""), c->value("message", "")};
    }
    MinInto(requeue, std::chrono::duration_cast<milliseconds>(b->second.next_attempt - now) + milliseconds(1));
  }
  for (const std::string& name : plan.pods_to_delete) {
    Status deleted = api_.Delete(kPodsResource, ns, name);
    if (deleted.ok()) {
      events_.Record(replica_set, "Normal", "SuccessfulDelete", "Deleted pod: " + name);
    } else if (deleted.code() != StatusCode::kNotFound) {
      events_.Record(replica_set, "Warning", "FailedDelete", "Error deleting: " + deleted.message());
      if (!failure) failure = ReplicaSetFailure{"FailedDelete", deleted.message()};
      MinInto(requeue, kRetrySoon);
    }
  }
  bool create_failed = false;
  for (int i = 0; i < plan.pods_to_create && !failure; ++i) {
    Status last = Status::Ok();
    bool created = false;
    for (int attempt = 0; attempt < 5 && !created; ++attempt) {
      json pod = BuildReplicaSetPod(replica_set, RandomNameSuffix(random_));
      auto result = api_.Create(kPodsResource, ns, pod);
      if (result.ok()) {
        created = true;
        events_.Record(replica_set, "Normal", "SuccessfulCreate", "Created pod: " + workload::NameOf(pod));
      } else {
        last = result.status();
        if (last.code() != StatusCode::kAlreadyExists) break;
      }
    }
    if (!created) {
      // As the real controller: one failure ends the batch; the rest are tried on the next pass.
      events_.Record(replica_set, "Warning", "FailedCreate", "Error creating: " + last.message());
      failure = ReplicaSetFailure{"FailedCreate", last.message()};
      create_failed = true;
    }
  }
  if (create_failed) {
    CreateBackoff& b = backoff_[uid];
    milliseconds delay = kCreateRetry;
    for (int i = 0; i < b.failures && delay < kCreateRetryMax; ++i) delay *= 2;
    delay = std::min(delay, kCreateRetryMax);
    ++b.failures;
    b.next_attempt = now + delay;
    MinInto(requeue, delay);
  } else if (plan.pods_to_create > 0) {
    backoff_.erase(uid);  // created: the next failure starts over
  }
  json status = ReplicaSetStatusAfter(replica_set, pods, clock_.Now(), failure);
  if (status != replica_set.value("status", json::object())) {
    json updated = replica_set;
    updated["status"] = status;
    if (!api_.UpdateStatus(kReplicaSetsResource, updated).ok()) MinInto(requeue, kRetrySoon);
  }
  return requeue;
}

}  // namespace lifeboat::devcluster
