#include "operator/api/common_status.h"

#include "operator/core/time_format.h"

namespace lifeboat::api {

nlohmann::json ConditionsToJson(const std::vector<Condition>& conditions) {
  nlohmann::json out = nlohmann::json::array();
  for (const Condition& c : conditions) {
    nlohmann::json j;
    j["type"] = c.type;
    j["status"] = ConditionStatusName(c.status);
    j["observedGeneration"] = c.observed_generation;
    j["lastTransitionTime"] = FormatRfc3339(c.last_transition_time);
    j["reason"] = c.reason;
    j["message"] = c.message;
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<Condition> ParseConditions(const FieldReader& parent, const std::string& key) {
  std::vector<Condition> out;
  for (const FieldReader& r : parent.ObjectList(key)) {
    Condition c;
    c.type = r.String("type", true).value_or("");
    std::optional<std::string> status = r.Enum("status", {"True", "False", "Unknown"}, true);
    c.status = status ? *ParseConditionStatus(*status) : ConditionStatus::kUnknown;
    c.observed_generation = r.Int("observedGeneration").value_or(0);
    c.last_transition_time = r.Time("lastTransitionTime", true).value_or(WallTime{});
    c.reason = r.String("reason", true).value_or("");
    c.message = r.String("message").value_or("");
    out.push_back(std::move(c));
  }
  return out;
}

nlohmann::json BackupRefToJson(const BackupRef& ref) {
  nlohmann::json j = nlohmann::json::object();
  PutString(j, "id", ref.id);
  PutString(j, "source", ref.source);
  PutTime(j, "startTime", ref.start_time);
  PutTime(j, "completionTime", ref.completion_time);
  PutInt(j, "sizeBytes", ref.size_bytes);
  PutStringList(j, "snapshotIDs", ref.snapshot_ids);
  return j;
}

BackupRef ParseBackupRef(const FieldReader& r) {
  BackupRef ref;
  ref.id = r.String("id").value_or("");
  ref.source = r.String("source").value_or("");
  ref.start_time = r.Time("startTime");
  ref.completion_time = r.Time("completionTime");
  ref.size_bytes = r.Int("sizeBytes");
  ref.snapshot_ids = r.StringList("snapshotIDs");
  return ref;
}

nlohmann::json StepsToJson(const std::vector<Step>& steps, TimePrecision precision) {
  nlohmann::json out = nlohmann::json::array();
  for (const Step& s : steps) {
    nlohmann::json j;
    j["name"] = s.name;
    j["state"] = s.state;
    PutTime(j, "startTime", s.start_time, precision);
    PutTime(j, "completionTime", s.completion_time, precision);
    PutStringList(j, "jobs", s.jobs);
    PutString(j, "message", s.message);
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<Step> ParseSteps(const FieldReader& parent, const std::string& key) {
  std::vector<Step> out;
  for (const FieldReader& r : parent.ObjectList(key)) {
    Step s;
    s.name = r.String("name", true).value_or("");
    s.state = r.Enum("state", {kStepPending, kStepRunning, kStepSucceeded, kStepFailed, kStepSkipped}, true).value_or("");
    s.start_time = r.Time("startTime");
    s.completion_time = r.Time("completionTime");
    s.jobs = r.StringList("jobs");
    s.message = r.String("message").value_or("");
    out.push_back(std::move(s));
  }
  return out;
}

nlohmann::json CheckResultsToJson(const std::vector<CheckResult>& checks) {
  nlohmann::json out = nlohmann::json::array();
  for (const CheckResult& c : checks) {
    nlohmann::json j;
    j["name"] = c.name;
    j["type"] = c.type;
    PutString(j, "expected", c.expected);
    PutString(j, "actual", c.actual);
    j["passed"] = c.passed;
    PutString(j, "message", c.message);
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<CheckResult> ParseCheckResults(const FieldReader& parent, const std::string& key) {
  std::vector<CheckResult> out;
  for (const FieldReader& r : parent.ObjectList(key)) {
    CheckResult c;
    c.name = r.String("name", true).value_or("");
    c.type = r.Enum("type",
                    {"RowCount", "TableChecksum", "SQL", "Amcheck", "HeapCheck", "FileChecksum", "FileCount", "Restore",
                     "Recovery"},
                    true)
                 .value_or("");
    c.expected = r.String("expected").value_or("");
    c.actual = r.String("actual").value_or("");
    c.passed = r.Bool("passed").value_or(false);
    c.message = r.String("message").value_or("");
    out.push_back(std::move(c));
  }
  return out;
}

const Step* FindStep(const std::vector<Step>& steps, const std::string& name) {
  for (const Step& s : steps) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Step* FindStep(std::vector<Step>& steps, const std::string& name) {
  for (Step& s : steps) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace lifeboat::api
