// Pod Security admission, as the API server enforces it on Pod creation: a namespace labelled
// `pod-security.kubernetes.io/enforce: baseline|restricted` (optionally
// `pod-security.kubernetes.io/enforce-version`) rejects a Pod that breaks that level with 403
// Forbidden and the real server's message: `pods "x" is forbidden: violates PodSecurity
// "restricted:latest": allowPrivilegeEscalation != false (container "agent" must set
// securityContext.allowPrivilegeEscalation=false), ...`. The checks are those of the Pod Security
// Standards (baseline: host namespaces, privileged, capabilities beyond the default set, hostPath
// volumes, host ports, Unconfined seccomp; restricted adds volume types, allowPrivilegeEscalation,
// capabilities drop ALL, runAsNonRoot, runAsUser 0 and a RuntimeDefault or Localhost seccomp
// profile). Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

inline constexpr char kPodSecurityEnforceLabel[] = "pod-security.kubernetes.io/enforce";
inline constexpr char kPodSecurityEnforceVersionLabel[] = "pod-security.kubernetes.io/enforce-version";

// The violations of `level` ("privileged", "baseline", "restricted") by a Pod, each as the real
// server words it ("runAsNonRoot != true (pod or container \"agent\" must set ...)"), in its order.
std::vector<std::string> PodSecurityViolations(const std::string& level, const nlohmann::json& pod);

// The Forbidden detail for a Pod in a namespace with these labels, or "" when it is admitted.
std::string PodSecurityDenial(const nlohmann::json& namespace_labels, const nlohmann::json& pod);

}  // namespace lifeboat::devcluster
