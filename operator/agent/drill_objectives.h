// Drill objectives: whether a drill's measured RTO and RPO are within spec.objectives. One function
// for the agent (the report it stores in the repository) and the DRDrill controller (status and the
// ObjectivesMet condition), so both always judge alike. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

namespace lifeboat::agent {

struct ObjectivesVerdict {
  std::optional<bool> met;  // Unset when neither objective is set (or nothing was measured).
  std::string missed;       // "RTO 12m3.5s > objective 10m; RPO ..." when not met.
};

// Objectives are duration text ("15m", "24h"); an empty or unparsable one is not judged.
ObjectivesVerdict JudgeObjectives(const std::string& rto_objective, std::optional<double> rto_seconds,
                                  const std::string& rpo_objective, std::optional<double> rpo_seconds);

// A measured span for people, to the millisecond ("6.556s", "10m").
std::string FormatSeconds(double seconds);

}  // namespace lifeboat::agent
