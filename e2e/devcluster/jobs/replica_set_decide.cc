#include "e2e/devcluster/jobs/replica_set_decide.h"

#include <algorithm>
#include <tuple>

#include "e2e/devcluster/jobs/workload_fields.h"
#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using namespace workload;

int PhaseRank(const json& pod) {
  const std::string phase = StringAt(pod, {"status", "phase"});
  if (phase == "Pending") return 0;
  if (phase == "Running") return 2;
  return 1;  // Unknown (or not reported yet)
}

int64_t Restarts(const json& pod) {
  int64_t total = 0;
  const json& statuses = At(pod, {"status", "containerStatuses"});
  if (statuses.is_array()) {
    for (const json& s : statuses) total += IntAt(s, {"restartCount"});
  }
  return total;
}

// The order getPodsToDelete deletes in (controller.ActivePods): unscheduled before scheduled,
// Pending before Unknown before Running, not ready before ready, more restarts first, newer first.
bool DeleteBefore(const json* a, const json* b) {
  auto key = [](const json* p) {
    return std::make_tuple(StringAt(*p, {"spec", "nodeName"}).empty() ? 0 : 1, PhaseRank(*p), PodReady(*p) ? 1 : 0,
                           -Restarts(*p));
  };
  if (key(a) != key(b)) return key(a) < key(b);
  const std::string ca = StringAt(*a, {"metadata", "creationTimestamp"});
  const std::string cb = StringAt(*b, {"metadata", "creationTimestamp"});
  if (ca != cb) return ca > cb;
  return NameOf(*a) > NameOf(*b);
}

bool LabelsMatch(const json& wanted, const json& labels) {
  if (!wanted.is_object()) return true;
  for (auto it = wanted.begin(); it != wanted.end(); ++it) {
    if (!labels.is_object() || !labels.contains(it.key()) || labels[it.key()] != it.value()) return false;
  }
  return true;
}

}  // namespace

ReplicaSetPlan DecideReplicaSet(const json& replica_set, const std::vector<json>& pods, WallTime now) {
  ReplicaSetPlan plan;
  if (IsDeleting(replica_set)) return plan;  // the garbage collector takes the Pods
  std::vector<const json*> active;
  for (const json& pod : pods) {
    if (PodActive(pod)) active.push_back(&pod);
  }
  const int64_t want = std::max<int64_t>(0, IntAt(replica_set, {"spec", "replicas"}, 1));
  const int64_t have = static_cast<int64_t>(active.size());
  if (have < want) {
    plan.pods_to_create = static_cast<int>(want - have);
  } else if (have > want) {
    std::stable_sort(active.begin(), active.end(), DeleteBefore);
    for (int64_t i = 0; i < have - want; ++i) plan.pods_to_delete.push_back(NameOf(*active[static_cast<size_t>(i)]));
  }
  // A ready Pod becomes available after minReadySeconds with no event to wake us: look again then.
  const int64_t min_ready = IntAt(replica_set, {"spec", "minReadySeconds"});
  if (min_ready > 0) {
    for (const json* pod : active) {
      auto at = PodAvailableAt(*pod, min_ready);
      if (!at || *at < now) continue;
      // Available strictly after the instant: one second past it (timestamps have seconds).
      const auto after = std::chrono::duration_cast<milliseconds>(*at - now) + milliseconds(1000);
      if (!plan.requeue_after || after < *plan.requeue_after) plan.requeue_after = after;
    }
  }
  return plan;
}

json ReplicaSetStatusAfter(const json& replica_set, const std::vector<json>& pods, WallTime now,
                           const std::optional<ReplicaSetFailure>& failure) {
  json status = At(replica_set, {"status"}).is_object() ? replica_set["status"] : json::object();
  const json& template_labels = At(replica_set, {"spec", "template", "metadata", "labels"});
  const int64_t min_ready = IntAt(replica_set, {"spec", "minReadySeconds"});
  int64_t replicas = 0, fully_labeled = 0, ready = 0, available = 0;
  for (const json& pod : pods) {
    if (!PodActive(pod)) continue;
    ++replicas;
    if (LabelsMatch(template_labels, At(pod, {"metadata", "labels"}))) ++fully_labeled;
    if (PodReady(pod)) {
      ++ready;
      if (PodAvailable(pod, min_ready, now)) ++available;
    }
  }
  // The ReplicaFailure condition stays while passes fail (its first message kept), and goes with
  // the first pass that succeeds.
  const bool has_failure_condition = FindCondition(status, "ReplicaFailure") != nullptr;
  if (failure && !has_failure_condition) {
    if (!status["conditions"].is_array()) status["conditions"] = json::array();
    status["conditions"].push_back({{"type", "ReplicaFailure"},
                                    {"status", "True"},
                                    {"lastTransitionTime", FormatRfc3339(now)},
                                    {"reason", failure->reason},
                                    {"message", failure->message}});
  } else if (!failure && has_failure_condition) {
    json kept = json::array();
    for (const json& c : status["conditions"]) {
      if (c.value("type", "") != "ReplicaFailure") kept.push_back(c);
    }
    if (kept.empty()) status.erase("conditions"); else status["conditions"] = kept;
  }
  status["replicas"] = replicas;
  auto set_or_erase = [&](const char* key, int64_t value) {
    if (value != 0) status[key] = value; else status.erase(key);
  };
  set_or_erase("fullyLabeledReplicas", fully_labeled);
  set_or_erase("readyReplicas", ready);
  set_or_erase("availableReplicas", available);
  set_or_erase("observedGeneration", IntAt(replica_set, {"metadata", "generation"}));
  return status;
}

}  // namespace lifeboat::devcluster
