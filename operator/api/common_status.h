// The status building blocks the four resources share: conditions (metav1.Condition), runbook
// steps, check results and references to backups, with their JSON forms. ToJson writes what
// the operator sends to the /status subresource; Parse reads it back (round trip), recording
// malformed fields as FieldErrors. Plain values; thread-compatible.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/api/json_fields.h"
#include "operator/core/conditions.h"

namespace lifeboat::api {

// Condition types shared by several kinds: long-lived resources summarise with Ready,
// run-to-completion ones with Succeeded.
inline constexpr char kConditionReady[] = "Ready";
inline constexpr char kConditionSucceeded[] = "Succeeded";

// Step and check vocabulary.
inline constexpr char kStepPending[] = "Pending";
inline constexpr char kStepRunning[] = "Running";
inline constexpr char kStepSucceeded[] = "Succeeded";
inline constexpr char kStepFailed[] = "Failed";
inline constexpr char kStepSkipped[] = "Skipped";

struct BackupRef {
  std::string id;
  std::string source;
  std::optional<WallTime> start_time;
  std::optional<WallTime> completion_time;
  std::optional<std::int64_t> size_bytes;
  std::vector<std::string> snapshot_ids;
  friend bool operator==(const BackupRef&, const BackupRef&) = default;
};

struct Step {
  std::string name;   // e.g. "Quiesce"
  std::string state;  // Pending, Running, Succeeded, Failed, Skipped
  std::optional<WallTime> start_time;
  std::optional<WallTime> completion_time;
  std::vector<std::string> jobs;
  std::string message;
  friend bool operator==(const Step&, const Step&) = default;
};

struct CheckResult {
  std::string name;
  std::string type;  // RowCount, TableChecksum, SQL, Amcheck, FileChecksum, FileCount
  std::string expected;
  std::string actual;
  bool passed = false;
  std::string message;
  friend bool operator==(const CheckResult&, const CheckResult&) = default;
};

nlohmann::json ConditionsToJson(const std::vector<Condition>& conditions);
std::vector<Condition> ParseConditions(const FieldReader& parent, const std::string& key);

nlohmann::json BackupRefToJson(const BackupRef& ref);
BackupRef ParseBackupRef(const FieldReader& r);

nlohmann::json StepsToJson(const std::vector<Step>& steps, TimePrecision precision = TimePrecision::kSeconds);
std::vector<Step> ParseSteps(const FieldReader& parent, const std::string& key);

nlohmann::json CheckResultsToJson(const std::vector<CheckResult>& checks);
std::vector<CheckResult> ParseCheckResults(const FieldReader& parent, const std::string& key);

// The step named `name`, or nullptr.
Step* FindStep(std::vector<Step>& steps, const std::string& name);
const Step* FindStep(const std::vector<Step>& steps, const std::string& name);

}  // namespace lifeboat::api
