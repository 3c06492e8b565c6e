// Pod template hash: the `pod-template-hash` label value a Deployment gives the ReplicaSet of one
// pod template (controller.ComputeHash: a 32-bit FNV-1a hash of the template, extended by
// status.collisionCount when set, printed in decimal and mapped onto the generated-name alphabet),
// and the template comparison that ignores that label (EqualIgnoreHash). The hashed bytes are the
// template's canonical JSON, not Go's object dump, so values differ from a real cluster's while
// keeping their properties: deterministic, short, changing with the template. Pure functions;
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";

std::string PodTemplateHash(const nlohmann::json& pod_template, std::optional<int64_t> collision_count);

// True when the two pod templates are equal once the pod-template-hash label is removed from both
// (an empty label map equals a missing one).
bool EqualIgnoreHash(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace lifeboat::devcluster
