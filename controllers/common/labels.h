// Labels and annotations Lifeboat puts on the objects it creates (never on a user's objects):
// app.kubernetes.io/managed-by=lifeboat on everything, the owning resource's name, and the run
// metadata a controller needs to rebuild status from its Jobs. Constants only; thread-safe.
#pragma once

namespace lifeboat::controllers {

inline constexpr char kManagedByLabel[] = "app.kubernetes.io/managed-by";
inline constexpr char kManagedByValue[] = "lifeboat";
inline constexpr char kComponentLabel[] = "app.kubernetes.io/component";
inline constexpr char kPolicyLabel[] = "lifeboat.dev/policy";
inline constexpr char kTriggerLabel[] = "lifeboat.dev/trigger";  // scheduled | on-demand

// Annotations on a backup Job.
inline constexpr char kSourcesAnnotation[] = "lifeboat.dev/sources";              // "database,uploads"
inline constexpr char kScheduledTimeAnnotation[] = "lifeboat.dev/scheduled-time";  // RFC 3339
inline constexpr char kOnDemandTokenAnnotation[] = "lifeboat.dev/on-demand-token";

// The agent's container name in every Lifeboat Job.
inline constexpr char kAgentContainerName[] = "agent";

}  // namespace lifeboat::controllers
