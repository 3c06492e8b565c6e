// Conditions: the metav1.Condition list every Lifeboat status carries, and the helpers that keep
// it correct: one entry per type, lastTransitionTime changing only when status changes, and
// observedGeneration recording the spec generation the condition describes. Plain values; a
// Conditions object is thread-compatible (not thread-safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/core/clock.h"

namespace lifeboat {

enum class ConditionStatus { kTrue, kFalse, kUnknown };

// "True", "False", "Unknown" as they appear in the API.
const char* ConditionStatusName(ConditionStatus status);
std::optional<ConditionStatus> ParseConditionStatus(const std::string& text);

struct Condition {
  std::string type;        // CamelCase, e.g. "Ready", "Succeeded".
  ConditionStatus status = ConditionStatus::kUnknown;
  std::string reason;      // One CamelCase word, e.g. "BackupSucceeded".
  std::string message;     // A sentence a human can act on.
  WallTime last_transition_time{};
  std::int64_t observed_generation = 0;

  friend bool operator==(const Condition&, const Condition&) = default;
};

// Sets (or adds) the condition of `condition.type`. lastTransitionTime becomes `now` when the
// condition is new or its status changes; otherwise the previous time is kept whatever the
// caller passed. Reason, message and observedGeneration are always updated. Returns true if
// anything changed (so the caller knows whether a status write is needed).
bool SetCondition(std::vector<Condition>& conditions, Condition condition, WallTime now);

// The condition of `type`, or nullptr.
const Condition* FindCondition(const std::vector<Condition>& conditions, const std::string& type);

// True if a condition of `type` exists with status True.
bool IsConditionTrue(const std::vector<Condition>& conditions, const std::string& type);

// Removes the condition of `type`; returns true if one was removed.
bool RemoveCondition(std::vector<Condition>& conditions, const std::string& type);

// Checks the shape metav1.Condition requires: type is a qualified name (optional DNS prefix and
// '/', then [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 316 characters), reason matches
// ^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$ (at most 1024), message at most 32768 characters.
// Returns an empty string if valid, otherwise what is wrong.
std::string ValidateCondition(const Condition& condition);

}  // namespace lifeboat
