// Workload fields: tolerant readers of the Kubernetes JSON the workload controllers (ReplicaSet,
// Deployment) decide on, and the few rules of k8s.io/kubernetes/pkg/api/v1/pod and
// k8s.io/apimachinery/pkg/util/intstr they share: when a Pod is active, ready and available, who
// controls an object, how an int-or-percent scales. A missing or mistyped field reads as its zero
// value, so an odd object never throws. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/core/clock.h"

namespace lifeboat::devcluster::workload {

// The value at `path` (object keys), or null when any step is missing.
const nlohmann::json& At(const nlohmann::json& object, std::initializer_list<const char*> path);
int64_t IntAt(const nlohmann::json& object, std::initializer_list<const char*> path, int64_t fallback = 0);
std::string StringAt(const nlohmann::json& object, std::initializer_list<const char*> path);
std::optional<WallTime> TimeAt(const nlohmann::json& object, std::initializer_list<const char*> path);

std::string NameOf(const nlohmann::json& object);
std::string UidOf(const nlohmann::json& object);
bool IsDeleting(const nlohmann::json& object);

// The uid of the object's controller ownerReference of `kind`, or "".
std::string ControllerUidOf(const nlohmann::json& object, const std::string& kind);

// The condition of `type` in status.conditions, or nullptr.
const nlohmann::json* FindCondition(const nlohmann::json& status, const std::string& type);

// Not Succeeded/Failed and not being deleted (controller.FilterActivePods).
bool PodActive(const nlohmann::json& pod);
// Condition Ready is True.
bool PodReady(const nlohmann::json& pod);
// Ready for longer than minReadySeconds at `now` (podutil.IsPodAvailable).
bool PodAvailable(const nlohmann::json& pod, int64_t min_ready_seconds, WallTime now);
// When a ready pod becomes available (Ready's lastTransitionTime + minReadySeconds), if it is ready.
std::optional<WallTime> PodAvailableAt(const nlohmann::json& pod, int64_t min_ready_seconds);

// An int-or-string ("25%" or 1) scaled against `total`, rounding a percentage up or down
// (intstr.GetScaledValueFromIntOrPercent); a missing or malformed value is 0.
int64_t ScaledValue(const nlohmann::json& int_or_percent, int64_t total, bool round_up);

}  // namespace lifeboat::devcluster::workload
