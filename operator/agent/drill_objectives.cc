#include "operator/agent/drill_objectives.h"

#include <algorithm>
#include <chrono>

#include "operator/core/duration.h"

namespace lifeboat::agent {
namespace {

std::optional<bool> Within(const std::string& objective_text, std::optional<double> measured, const char* what,
                           std::string* missed) {
  if (objective_text.empty() || !measured) return std::nullopt;
  auto objective = ParseDuration(objective_text);
  if (!objective.ok()) return std::nullopt;
  const bool met = *measured <= std::chrono::duration<double>(*objective).count();
  if (!met) {
    *missed += (missed->empty() ? "" : "; ") + std::string(what) + " " + FormatSeconds(*measured) + " > objective " +
               objective_text;
  }
  return met;
}

}  // namespace

std::string FormatSeconds(double seconds) {
  const auto ms = std::chrono::milliseconds(static_cast<std::int64_t>(std::max(0.0, seconds) * 1000 + 0.5));
  return FormatDuration(std::chrono::duration_cast<Duration>(ms));
}

ObjectivesVerdict JudgeObjectives(const std::string& rto_objective, std::optional<double> rto_seconds,
                                  const std::string& rpo_objective, std::optional<double> rpo_seconds) {
  ObjectivesVerdict verdict;
  const std::optional<bool> rto = Within(rto_objective, rto_seconds, "RTO", &verdict.missed);
  const std::optional<bool> rpo = Within(rpo_objective, rpo_seconds, "RPO", &verdict.missed);
  if (rto || rpo) verdict.met = rto.value_or(true) && rpo.value_or(true);
  return verdict;
}

}  // namespace lifeboat::agent
