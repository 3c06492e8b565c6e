#include "operator/core/conditions.h"

#include <algorithm>
#include <regex>

namespace lifeboat {

const char* ConditionStatusName(ConditionStatus status) {
  switch (status) {
    case ConditionStatus::kTrue: return "True";
    case ConditionStatus::kFalse: return "False";
    case ConditionStatus::kUnknown: return "Unknown";
  }
  return "Unknown";
}

std::optional<ConditionStatus> ParseConditionStatus(const std::string& text) {
  if (text == "True") return ConditionStatus::kTrue;
  if (text == "False") return ConditionStatus::kFalse;
  if (text == "Unknown") return ConditionStatus::kUnknown;
  return std::nullopt;
}

bool SetCondition(std::vector<Condition>& conditions, Condition condition, WallTime now) {
  auto it = std::find_if(conditions.begin(), conditions.end(),
                         [&](const Condition& c) { return c.type == condition.type; });
  if (it == conditions.end()) {
    condition.last_transition_time = now;
    conditions.push_back(std::move(condition));
    return true;
  }
  condition.last_transition_time = it->status == condition.status ? it->last_transition_time : now;
  if (*it == condition) return false;
  *it = std::move(condition);
  return true;
}

const Condition* FindCondition(const std::vector<Condition>& conditions, const std::string& type) {
  auto it = std::find_if(conditions.begin(), conditions.end(), [&](const Condition& c) { return c.type == type; });
  return it == conditions.end() ? nullptr : &*it;
}

bool IsConditionTrue(const std::vector<Condition>& conditions, const std::string& type) {
  const Condition* condition = FindCondition(conditions, type);
  return condition != nullptr && condition->status == ConditionStatus::kTrue;
}

bool RemoveCondition(std::vector<Condition>& conditions, const std::string& type) {
  auto it = std::remove_if(conditions.begin(), conditions.end(), [&](const Condition& c) { return c.type == type; });
  bool removed = it != conditions.end();
  conditions.erase(it, conditions.end());
  return removed;
}

std::string ValidateCondition(const Condition& condition) {
  static const std::regex kName("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                                "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
  static const std::regex kReason("^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$");
  if (condition.type.empty() || condition.type.size() > 316 || !std::regex_match(condition.type, kName)) {
    return "type \"" + condition.type + "\" is not a qualified name such as Ready";
  }
  if (condition.reason.empty() || condition.reason.size() > 1024 || !std::regex_match(condition.reason, kReason)) {
    return "reason \"" + condition.reason + "\" must be one CamelCase word such as BackupSucceeded";
  }
  if (condition.message.size() > 32768) return "message is longer than 32768 characters";
  if (condition.observed_generation < 0) return "observedGeneration must not be negative";
  return "";
}

}  // namespace lifeboat
