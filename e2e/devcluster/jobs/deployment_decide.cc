#include "e2e/devcluster/jobs/deployment_decide.h"

#include <algorithm>
#include <climits>
#include <map>
#include <set>

#include "e2e/devcluster/jobs/pod_template_hash.h"
#include "e2e/devcluster/jobs/workload_fields.h"
#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using namespace workload;

constexpr const char* kProgressing = "Progressing";
constexpr const char* kAvailable = "Available";
constexpr const char* kReplicaFailure = "ReplicaFailure";
constexpr const char* kNewRsAvailableReason = "NewReplicaSetAvailable";
constexpr const char* kTimedOutReason = "ProgressDeadlineExceeded";
constexpr const char* kPausedReason = "DeploymentPaused";
constexpr const char* kResumedReason = "DeploymentResumed";

// Annotations a ReplicaSet does not inherit from its Deployment (skipCopyAnnotation).
const std::set<std::string> kNotCopied = {"kubectl.kubernetes.io/last-applied-configuration", kRevisionAnnotation,
                                          "deployment.kubernetes.io/revision-history", kDesiredReplicasAnnotation,
                                          kMaxReplicasAnnotation, "deprecated.deployment.rollback.to"};

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

int64_t Revision(const json& object) {
  const std::string text = StringAt(object, {"metadata", "annotations", kRevisionAnnotation});
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 18) return 0;
  return std::stoll(text);
}

json NewCondition(const std::string& type, const std::string& status, const std::string& reason,
                  const std::string& message, WallTime now) {
  return {{"type", type},
          {"status", status},
          {"lastUpdateTime", FormatRfc3339(now)},
          {"lastTransitionTime", FormatRfc3339(now)},
          {"reason", reason},
          {"message", message}};
}

void RemoveCondition(json& status, const std::string& type) {
  if (!status.contains("conditions") || !status["conditions"].is_array()) return;
  json kept = json::array();
  for (const json& c : status["conditions"]) {
    if (c.value("type", "") != type) kept.push_back(c);
  }
  status["conditions"] = kept;
}

// deploymentutil.SetDeploymentCondition: the same status and reason change nothing (not even the
// message); the same status keeps its transition time; the condition moves to the end.
void SetCondition(json& status, json condition) {
  const std::string type = condition.value("type", "");
  if (const json* current = FindCondition(status, type)) {
    if (current->value("status", "") == condition.value("status", "") &&
        current->value("reason", "") == condition.value("reason", "")) {
      return;
    }
    if (current->value("status", "") == condition.value("status", "")) {
      condition["lastTransitionTime"] = current->value("lastTransitionTime", condition.value("lastTransitionTime", ""));
    }
  }
  RemoveCondition(status, type);
  if (!status.contains("conditions") || !status["conditions"].is_array()) status["conditions"] = json::array();
  status["conditions"].push_back(std::move(condition));
}

// parent[key] as an object, replacing whatever else was there (odd input must not throw).
json& ObjectIn(json& parent, const char* key) {
  if (!parent.is_object()) parent = json::object();
  json& value = parent[key];
  if (!value.is_object()) value = json::object();
  return value;
}

std::string ConditionReason(const json& status, const std::string& type) {
  const json* c = FindCondition(status, type);
  return c ? c->value("reason", "") : "";
}

// One pass of the controller over one Deployment. The ReplicaSets are working copies: a scale
// earlier in the pass is seen by later steps, as the real controller's in-memory objects are.
class DeploymentPass {
 public:
  DeploymentPass(const json& deployment, const std::vector<json>& replica_sets, const std::vector<json>& pods,
                 WallTime now)
      : d_(deployment), now_(now) {
    const json& spec = At(d_, {"spec"});
    replicas_ = std::max<int64_t>(0, IntAt(spec, {"replicas"}, 1));
    rolling_ = StringAt(spec, {"strategy", "type"}) != "Recreate";
    if (rolling_) {
      // deploymentutil.ResolveFenceposts; MaxUnavailable is never more than replicas (0 for 0).
      max_surge_ = ScaledValue(At(spec, {"strategy", "rollingUpdate", "maxSurge"}), replicas_, true);
      max_unavailable_ = ScaledValue(At(spec, {"strategy", "rollingUpdate", "maxUnavailable"}), replicas_, false);
      if (max_surge_ == 0 && max_unavailable_ == 0) max_unavailable_ = 1;
      max_unavailable_ = std::min(max_unavailable_, replicas_);
    }
    const int64_t deadline = IntAt(spec, {"progressDeadlineSeconds"}, -1);
    if (deadline >= 0 && deadline != INT32_MAX) deadline_seconds_ = deadline;
    const int64_t history = IntAt(spec, {"revisionHistoryLimit"}, -1);
    if (history >= 0) history_limit_ = history;
    min_ready_seconds_ = IntAt(spec, {"minReadySeconds"});
    paused_ = At(spec, {"paused"}).is_boolean() && spec["paused"].get<bool>();
    status_ = At(d_, {"status"}).is_object() ? d_["status"] : json::object();
    annotations_ = At(d_, {"metadata", "annotations"}).is_object() ? d_["metadata"]["annotations"] : json::object();

    for (const json& rs : replica_sets) {
      if (rs.is_object()) rss_.push_back({rs, rs});
    }
    // Oldest first (controller.ReplicaSetsByCreationTimestamp): the new ReplicaSet is the oldest
    // one with the Deployment's template.
    std::stable_sort(rss_.begin(), rss_.end(), [](const Rs& a, const Rs& b) {
      const std::string ca = StringAt(a.object, {"metadata", "creationTimestamp"});
      const std::string cb = StringAt(b.object, {"metadata", "creationTimestamp"});
      return ca != cb ? ca < cb : NameOf(a.object) < NameOf(b.object);
    });
    const json& pod_template = At(spec, {"template"});
    for (size_t i = 0; i < rss_.size(); ++i) {
      if (EqualIgnoreHash(At(rss_[i].object, {"spec", "template"}), pod_template)) {
        new_ = static_cast<int>(i);
        break;
      }
    }
    for (const json& pod : pods) pods_by_owner_[ControllerUidOf(pod, "ReplicaSet")].push_back(&pod);
  }

  DeploymentPlan Run() {
    if (IsDeleting(d_)) {
      SyncStatusOnly();
      return Finish();
    }
    CheckPausedConditions();
    SyncRevision();
    if (paused_ || IsScalingEvent()) {
      Scale();
      if (paused_) Cleanup();
      SyncStatusOnly();
    } else if (rolling_) {
      RolloutRolling();
    } else {
      RolloutRecreate();
    }
    return Finish();
  }

 private:
  struct Rs {
    json object;    // as it will be after this pass
    json original;  // as observed
  };

  static int64_t SpecReplicas(const json& rs) { return IntAt(rs, {"spec", "replicas"}, 1); }
  static int64_t StatusInt(const json& rs, const char* key) { return IntAt(rs, {"status", key}); }
  Rs* New() { return new_ >= 0 ? &rss_[static_cast<size_t>(new_)] : nullptr; }
  std::vector<Rs*> Olds() {
    std::vector<Rs*> olds;
    for (size_t i = 0; i < rss_.size(); ++i) {
      if (static_cast<int>(i) != new_) olds.push_back(&rss_[i]);
    }
    return olds;  // oldest first
  }
  std::vector<Rs*> All() {
    std::vector<Rs*> all;
    for (Rs& rs : rss_) all.push_back(&rs);
    return all;
  }
  int64_t SumSpec(const std::vector<Rs*>& list) {
    int64_t total = 0;
    for (const Rs* rs : list) total += SpecReplicas(rs->object);
    return total;
  }
  int64_t SumStatus(const std::vector<Rs*>& list, const char* key) {
    int64_t total = 0;
    for (const Rs* rs : list) total += StatusInt(rs->object, key);
    return total;
  }
  std::string NewName() { return New() ? NameOf(New()->object) : ""; }
  std::string About(const std::string& what) {
    return New() ? "ReplicaSet " + Quoted(NewName()) + " " + what : "Deployment " + Quoted(NameOf(d_)) + " " + what;
  }

  // dc.scaleReplicaSet: the size, and the replica annotations of the Deployment's current shape.
  void ScaleTo(Rs& rs, int64_t replicas) {
    json& annotations = ObjectIn(ObjectIn(rs.object, "metadata"), "annotations");
    annotations[kDesiredReplicasAnnotation] = std::to_string(replicas_);
    annotations[kMaxReplicasAnnotation] = std::to_string(replicas_ + max_surge_);
    ObjectIn(rs.object, "spec")["replicas"] = replicas;
  }

  // checkPausedConditions: Progressing Unknown while paused, so that the deadline does not run.
  void CheckPausedConditions() {
    if (!deadline_seconds_) return;
    const std::string reason = ConditionReason(status_, kProgressing);
    if (reason == kTimedOutReason) return;
    if (paused_ && reason != kPausedReason) {
      SetCondition(status_, NewCondition(kProgressing, "Unknown", kPausedReason, "Deployment is paused", now_));
    } else if (!paused_ && reason == kPausedReason) {
      SetCondition(status_, NewCondition(kProgressing, "Unknown", kResumedReason, "Deployment is resumed", now_));
    }
  }

  // getNewReplicaSet for an existing new ReplicaSet: its revision, inherited annotations and
  // minReadySeconds follow the Deployment, whose revision annotation follows it.
  void SyncRevision() {
    int64_t max_old = 0;
    for (Rs* rs : Olds()) max_old = std::max(max_old, Revision(rs->object));
    new_revision_ = max_old + 1;
    Rs* rs = New();
    if (!rs) return;
    json& annotations = ObjectIn(ObjectIn(rs->object, "metadata"), "annotations");
    for (auto it = annotations_.begin(); it != annotations_.end(); ++it) {
      if (!kNotCopied.count(it.key())) annotations[it.key()] = it.value();
    }
    if (Revision(rs->object) < new_revision_) annotations[kRevisionAnnotation] = std::to_string(new_revision_);
    if (IntAt(rs->object, {"spec", "minReadySeconds"}) != min_ready_seconds_) {
      if (min_ready_seconds_ > 0) ObjectIn(rs->object, "spec")["minReadySeconds"] = min_ready_seconds_;
      else ObjectIn(rs->object, "spec").erase("minReadySeconds");
    }
    annotations_[kRevisionAnnotation] = annotations[kRevisionAnnotation];
    if (deadline_seconds_ && !FindCondition(status_, kProgressing)) {
      SetCondition(status_, NewCondition(kProgressing, "True", "FoundNewReplicaSet",
                                         "Found new replica set " + Quoted(NameOf(rs->object)), now_));
    }
  }

  // getNewReplicaSet's creation: `<deployment>-<hash>` with the hash in its selector, labels and
  // template, sized by NewRSNewReplicas.
  void CreateNewReplicaSet() {
    const json& spec = At(d_, {"spec"});
    std::optional<int64_t> collisions;
    if (At(status_, {"collisionCount"}).is_number_integer()) collisions = status_["collisionCount"].get<int64_t>();
    const std::string hash = PodTemplateHash(At(spec, {"template"}), collisions);
    const std::string name = NameOf(d_) + "-" + hash;
    json pod_template = At(spec, {"template"}).is_object() ? spec["template"] : json::object();
    ObjectIn(ObjectIn(pod_template, "metadata"), "labels")[kPodTemplateHashLabel] = hash;
    json selector = At(spec, {"selector"}).is_object() ? spec["selector"] : json::object();
    ObjectIn(selector, "matchLabels")[kPodTemplateHashLabel] = hash;
    json annotations = json::object();
    for (auto it = annotations_.begin(); it != annotations_.end(); ++it) {
      if (!kNotCopied.count(it.key())) annotations[it.key()] = it.value();
    }
    annotations[kRevisionAnnotation] = std::to_string(new_revision_);
    json rs_spec = {{"replicas", 0}, {"selector", selector}, {"template", pod_template}};
    if (min_ready_seconds_ > 0) rs_spec["minReadySeconds"] = min_ready_seconds_;
    json rs = {{"apiVersion", "apps/v1"},
               {"kind", "ReplicaSet"},
               {"metadata",
                {{"name", name},
                 {"namespace", StringAt(d_, {"metadata", "namespace"})},
                 {"labels", pod_template["metadata"]["labels"]},
                 {"annotations", annotations},
                 {"ownerReferences", json::array({{{"apiVersion", "apps/v1"},
                                                   {"kind", "Deployment"},
                                                   {"name", NameOf(d_)},
                                                   {"uid", UidOf(d_)},
                                                   {"controller", true},
                                                   {"blockOwnerDeletion", true}}})}}},
               {"spec", rs_spec}};
    rss_.push_back({rs, json()});
    new_ = static_cast<int>(rss_.size() - 1);
    created_ = true;
    Rs& created = rss_.back();
    ScaleTo(created, NewReplicaSetReplicas());
    annotations_[kRevisionAnnotation] = std::to_string(new_revision_);
    if (deadline_seconds_) {
      SetCondition(status_, NewCondition(kProgressing, "True", "NewReplicaSetCreated",
                                         "Created new replica set " + Quoted(name), now_));
    }
  }

  // deploymentutil.NewRSNewReplicas
  int64_t NewReplicaSetReplicas() {
    Rs& rs = *New();
    if (!rolling_) return replicas_;
    const int64_t current = SumSpec(All());
    const int64_t max_total = replicas_ + max_surge_;
    if (current >= max_total) return SpecReplicas(rs.object);
    const int64_t up = std::min(max_total - current, replicas_ - SpecReplicas(rs.object));
    return SpecReplicas(rs.object) + up;
  }

  // isScalingEvent: a running ReplicaSet was sized for another spec.replicas.
  bool IsScalingEvent() {
    for (Rs* rs : All()) {
      if (SpecReplicas(rs->object) <= 0) continue;
      const std::string desired = StringAt(rs->object, {"metadata", "annotations", kDesiredReplicasAnnotation});
      if (desired.empty()) continue;
      if (desired != std::to_string(replicas_)) return true;
    }
    return false;
  }

  // dc.scale
  void Scale() {
    std::vector<Rs*> active;
    for (Rs* rs : All()) {
      if (SpecReplicas(rs->object) > 0) active.push_back(rs);
    }
    if (active.size() <= 1) {
      // FindActiveOrLatest: the one running, else the new one, else the newest.
      Rs* target = active.empty() ? (New() ? New() : (rss_.empty() ? nullptr : &rss_.back())) : active.front();
      if (target && SpecReplicas(target->object) != replicas_) ScaleTo(*target, replicas_);
      return;
    }
    Rs* fresh = New();
    if (fresh && SpecReplicas(fresh->object) == replicas_ &&
        StringAt(fresh->object, {"metadata", "annotations", kDesiredReplicasAnnotation}) == std::to_string(replicas_) &&
        StatusInt(fresh->object, "availableReplicas") == replicas_) {
      // IsSaturated: the old ones go.
      for (Rs* rs : Olds()) {
        if (SpecReplicas(rs->object) > 0) ScaleTo(*rs, 0);
      }
      return;
    }
    if (!rolling_) return;
    // Mid-rollout scaling (simplified proportions): what is added goes to the newest running
    // ReplicaSet, what is removed comes from the oldest ones first.
    const int64_t allowed = replicas_ > 0 ? replicas_ + max_surge_ : 0;
    int64_t diff = allowed - SumSpec(All());
    if (diff > 0) {
      Rs* target = fresh && SpecReplicas(fresh->object) > 0 ? fresh : active.back();
      ScaleTo(*target, SpecReplicas(target->object) + diff);
    } else {
      std::vector<Rs*> order;
      for (Rs* rs : active) {
        if (rs != fresh) order.push_back(rs);
      }
      if (fresh && SpecReplicas(fresh->object) > 0) order.push_back(fresh);
      for (Rs* rs : order) {
        if (diff == 0) break;
        const int64_t take = std::min(SpecReplicas(rs->object), -diff);
        ScaleTo(*rs, SpecReplicas(rs->object) - take);
        diff += take;
      }
    }
  }

  // rolloutRecreate
  void RolloutRecreate() {
    bool scaled_down = false;
    for (Rs* rs : Olds()) {
      if (SpecReplicas(rs->object) > 0) {
        ScaleTo(*rs, 0);
        scaled_down = true;
      }
    }
    if (scaled_down || OldPodsRunning()) {
      SyncRolloutStatus();
      return;
    }
    if (!New()) CreateNewReplicaSet();
    if (SpecReplicas(New()->object) != replicas_) ScaleTo(*New(), replicas_);
    if (Complete(At(d_, {"status"}))) Cleanup();
    SyncRolloutStatus();
  }

  // oldPodsRunning: an old ReplicaSet still reports Pods, or an old Pod has not terminated.
  bool OldPodsRunning() {
    std::vector<Rs*> olds = Olds();
    if (SumStatus(olds, "replicas") > 0) return true;
    const std::string new_uid = New() ? UidOf(New()->object) : "";
    for (const auto& [owner, pods] : pods_by_owner_) {
      if (!new_uid.empty() && owner == new_uid) continue;
      for (const json* pod : pods) {
        const std::string phase = StringAt(*pod, {"status", "phase"});
        if (phase != "Succeeded" && phase != "Failed") return true;
      }
    }
    return false;
  }

  // rolloutRolling
  void RolloutRolling() {
    if (!New()) CreateNewReplicaSet();
    Rs& fresh = *New();
    // reconcileNewReplicaSet
    const int64_t current = SpecReplicas(fresh.object);
    if (current != replicas_) {
      const int64_t target = current > replicas_ ? replicas_ : NewReplicaSetReplicas();
      if (target != current) {
        ScaleTo(fresh, target);
        SyncRolloutStatus();
        return;
      }
    }
    if (ReconcileOldReplicaSets()) {
      SyncRolloutStatus();
      return;
    }
    if (Complete(At(d_, {"status"}))) Cleanup();
    SyncRolloutStatus();
  }

  // reconcileOldReplicaSets: true when an old ReplicaSet was scaled down.
  bool ReconcileOldReplicaSets() {
    std::vector<Rs*> olds;
    for (Rs* rs : Olds()) {
      if (SpecReplicas(rs->object) > 0) olds.push_back(rs);
    }
    if (SumSpec(olds) == 0) return false;
    Rs& fresh = *New();
    const int64_t min_available = replicas_ - max_unavailable_;
    const int64_t new_unavailable = SpecReplicas(fresh.object) - StatusInt(fresh.object, "availableReplicas");
    const int64_t max_scaled_down = SumSpec(All()) - min_available - new_unavailable;
    if (max_scaled_down <= 0) return false;
    // cleanupUnhealthyReplicas: unavailable old Pods go first, they do not lower availability.
    int64_t cleaned = 0;
    for (Rs* rs : olds) {
      if (cleaned >= max_scaled_down) break;
      const int64_t spec = SpecReplicas(rs->object);
      const int64_t available = StatusInt(rs->object, "availableReplicas");
      if (spec == 0 || spec == available) continue;
      const int64_t count = std::min(max_scaled_down - cleaned, spec - available);
      ScaleTo(*rs, spec - count);
      cleaned += count;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: as far as availability allows, oldest first.
    int64_t scaled = 0;
    const int64_t available = SumStatus(All(), "availableReplicas");
    if (available > min_available) {
      const int64_t total = available - min_available;
      for (Rs* rs : olds) {
        if (scaled >= total) break;
        const int64_t spec = SpecReplicas(rs->object);
        if (spec == 0) continue;
        const int64_t count = std::min(spec, total - scaled);
        ScaleTo(*rs, spec - count);
        scaled += count;
      }
    }
    return cleaned + scaled > 0;
  }

  // cleanupDeployment: old ReplicaSets beyond revisionHistoryLimit, oldest revision first, only
  // those that are scaled to 0 and have no Pods left.
  void Cleanup() {
    if (!history_limit_) return;
    std::vector<Rs*> cleanable;
    for (Rs* rs : Olds()) {
      if (!IsDeleting(rs->object)) cleanable.push_back(rs);
    }
    const int64_t diff = static_cast<int64_t>(cleanable.size()) - *history_limit_;
    if (diff <= 0) return;
    std::stable_sort(cleanable.begin(), cleanable.end(),
                     [](const Rs* a, const Rs* b) { return Revision(a->object) < Revision(b->object); });
    for (int64_t i = 0; i < diff; ++i) {
      const json& rs = cleanable[static_cast<size_t>(i)]->object;
      if (StatusInt(rs, "replicas") != 0 || SpecReplicas(rs) != 0 ||
          IntAt(rs, {"metadata", "generation"}) > StatusInt(rs, "observedGeneration")) {
        continue;
      }
      deleted_.insert(NameOf(rs));
    }
  }

  // deploymentutil.DeploymentComplete
  bool Complete(const json& status) {
    return IntAt(status, {"updatedReplicas"}) == replicas_ && IntAt(status, {"replicas"}) == replicas_ &&
           IntAt(status, {"availableReplicas"}) == replicas_ &&
           IntAt(status, {"observedGeneration"}) >= IntAt(d_, {"metadata", "generation"});
  }

  // calculateStatus
  json CalculateStatus() {
    std::vector<Rs*> all = All();
    const int64_t available = SumStatus(all, "availableReplicas");
    json status = json::object();
    auto set = [&](const char* key, int64_t value) {
      if (value != 0) status[key] = value;
    };
    set("observedGeneration", IntAt(d_, {"metadata", "generation"}));
    set("replicas", SumStatus(all, "replicas"));
    set("updatedReplicas", New() ? StatusInt(New()->object, "replicas") : 0);
    set("readyReplicas", SumStatus(all, "readyReplicas"));
    set("availableReplicas", available);
    set("unavailableReplicas", std::max<int64_t>(0, SumSpec(all) - available));
    if (status_.contains("collisionCount")) status["collisionCount"] = status_["collisionCount"];
    if (status_.contains("conditions") && status_["conditions"].is_array()) status["conditions"] = status_["conditions"];
    if (available >= replicas_ - max_unavailable_) {
      SetCondition(status, NewCondition(kAvailable, "True", "MinimumReplicasAvailable",
                                        "Deployment has minimum availability.", now_));
    } else {
      SetCondition(status, NewCondition(kAvailable, "False", "MinimumReplicasUnavailable",
                                        "Deployment does not have minimum availability.", now_));
    }
    return status;
  }

  // syncDeploymentStatus (no progress estimate)
  void SyncStatusOnly() { status_out_ = CalculateStatus(); }

  // syncRolloutStatus
  void SyncRolloutStatus() {
    json status = CalculateStatus();
    if (!deadline_seconds_) RemoveCondition(status, kProgressing);
    const json* current = FindCondition(status_, kProgressing);
    const bool complete_already = IntAt(status, {"replicas"}) == IntAt(status, {"updatedReplicas"}) && current &&
                                  current->value("reason", "") == kNewRsAvailableReason;
    if (deadline_seconds_ && !complete_already) {
      if (Complete(status)) {
        SetCondition(status, NewCondition(kProgressing, "True", kNewRsAvailableReason, About("has successfully progressed."), now_));
      } else if (Progressed(status)) {
        json condition = NewCondition(kProgressing, "True", "ReplicaSetUpdated", About("is progressing."), now_);
        if (current) {
          if (current->value("status", "") == "True") condition["lastTransitionTime"] = (*current)["lastTransitionTime"];
          RemoveCondition(status, kProgressing);
        }
        SetCondition(status, condition);
      } else if (TimedOut(status)) {
        SetCondition(status, NewCondition(kProgressing, "False", kTimedOutReason, About("has timed out progressing."), now_));
      }
    }
    // getReplicaFailures: the new ReplicaSet's failure first, else an old one's.
    std::vector<Rs*> order;
    if (New()) order.push_back(New());
    for (Rs* rs : Olds()) order.push_back(rs);
    const json* failure = nullptr;
    for (Rs* rs : order) {
      const json* c = FindCondition(At(rs->object, {"status"}), kReplicaFailure);
      if (c && !failure) failure = c;
    }
    if (failure) {
      const std::string at = failure->value("lastTransitionTime", FormatRfc3339(now_));
      SetCondition(status, {{"type", kReplicaFailure},
                            {"status", failure->value("status", "True")},
                            {"lastUpdateTime", at},
                            {"lastTransitionTime", at},
                            {"reason", failure->value("reason", "")},
                            {"message", failure->value("message", "")}});
    } else {
      RemoveCondition(status, kReplicaFailure);
    }
    if (status.contains("conditions") && status["conditions"].empty()) status.erase("conditions");
    // requeueStuckDeployment: look again when the progress deadline runs out.
    const json* progressing = FindCondition(status, kProgressing);
    if (deadline_seconds_ && progressing && progressing->value("reason", "") != kNewRsAvailableReason &&
        progressing->value("reason", "") != kTimedOutReason && !Complete(status)) {
      if (auto from = TimeAt(*progressing, {"lastUpdateTime"})) {
        const auto after = std::chrono::duration_cast<milliseconds>(*from + std::chrono::seconds(*deadline_seconds_) - now_);
        // Timed out strictly after the deadline (timestamps have seconds): one second past it.
        requeue_ = std::max(after + milliseconds(1000), milliseconds(1000));
      }
    }
    status_out_ = status;
  }

  // deploymentutil.DeploymentProgressing: compared with the status the pass started from.
  bool Progressed(const json& status) {
    const json& before = At(d_, {"status"});
    const int64_t old_old = IntAt(before, {"replicas"}) - IntAt(before, {"updatedReplicas"});
    const int64_t new_old = IntAt(status, {"replicas"}) - IntAt(status, {"updatedReplicas"});
    return IntAt(status, {"updatedReplicas"}) > IntAt(before, {"updatedReplicas"}) || new_old < old_old ||
           IntAt(status, {"readyReplicas"}) > IntAt(before, {"readyReplicas"}) ||
           IntAt(status, {"availableReplicas"}) > IntAt(before, {"availableReplicas"});
  }

  // deploymentutil.DeploymentTimedOut
  bool TimedOut(const json& status) {
    const json* c = FindCondition(status, kProgressing);
    if (!c) return false;
    const std::string reason = c->value("reason", "");
    if (reason == kNewRsAvailableReason) return false;
    if (reason == kTimedOutReason) return true;
    auto from = TimeAt(*c, {"lastUpdateTime"});
    return from && *from + std::chrono::seconds(*deadline_seconds_) < now_;
  }

  DeploymentPlan Finish() {
    DeploymentPlan plan;
    for (size_t i = 0; i < rss_.size(); ++i) {
      Rs& rs = rss_[i];
      const bool is_created = created_ && static_cast<int>(i) == new_;
      const int64_t before = is_created ? 0 : SpecReplicas(rs.original);
      const int64_t after = SpecReplicas(rs.object);
      std::string message;
      if (before != after) {
        message = std::string("Scaled ") + (after > before ? "up" : "down") + " replica set " + NameOf(rs.object) +
                  " from " + std::to_string(before) + " to " + std::to_string(after);
      }
      if (is_created) {
        plan.create = ReplicaSetWrite{rs.object, message};
      } else if (rs.object != rs.original && !deleted_.count(NameOf(rs.object))) {
        plan.updates.push_back({rs.object, message});
      }
    }
    plan.deletes.assign(deleted_.begin(), deleted_.end());
    const json& current_annotations = At(d_, {"metadata", "annotations"});
    if (!annotations_.empty() && annotations_ != current_annotations) plan.annotations = annotations_;
    if (status_out_ && *status_out_ != At(d_, {"status"})) {
      const bool empty_both = status_out_->empty() && !At(d_, {"status"}).is_object();
      if (!empty_both) plan.status = *status_out_;
    }
    plan.requeue_after = requeue_;
    return plan;
  }

  const json& d_;
  const WallTime now_;
  int64_t replicas_ = 1;
  bool rolling_ = true;
  int64_t max_surge_ = 0;
  int64_t max_unavailable_ = 0;
  std::optional<int64_t> deadline_seconds_;
  std::optional<int64_t> history_limit_;
  int64_t min_ready_seconds_ = 0;
  bool paused_ = false;
  json status_;       // the Deployment's status as the pass changes it before computing a new one
  json annotations_;  // the Deployment's annotations as the pass changes them
  std::vector<Rs> rss_;
  int new_ = -1;
  bool created_ = false;
  int64_t new_revision_ = 1;
  std::map<std::string, std::vector<const json*>> pods_by_owner_;
  std::set<std::string> deleted_;
  std::optional<json> status_out_;
  std::optional<milliseconds> requeue_;
};

}  // namespace

DeploymentPlan DecideDeployment(const json& deployment, const std::vector<json>& replica_sets,
                                const std::vector<json>& pods, WallTime now) {
  return DeploymentPass(deployment, replica_sets, pods, now).Run();
}

json StatusAfterCollision(const json& deployment) {
  json status = At(deployment, {"status"}).is_object() ? deployment["status"] : json::object();
  status["collisionCount"] = IntAt(status, {"collisionCount"}) + 1;
  return status;
}

}  // namespace lifeboat::devcluster
