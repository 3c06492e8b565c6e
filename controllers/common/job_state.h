// JobState: what a controller reads from one of its batch/v1 Jobs: whether it is still running,
// succeeded or failed (the Complete/Failed conditions, as the Job controller sets them), its times,
// why it failed, and the run metadata Lifeboat put in its annotations. Pure functions on the Job's
// JSON; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

#include "operator/core/clock.h"

namespace lifeboat::controllers {

enum class JobPhase { kRunning, kSucceeded, kFailed };

struct JobState {
  std::string name;
  std::string uid;
  JobPhase phase = JobPhase::kRunning;
  bool deleting = false;  // metadata.deletionTimestamp is set.
  std::optional<WallTime> creation_time;
  std::optional<WallTime> start_time;       // status.startTime
  std::optional<WallTime> completion_time;  // status.completionTime, else the finishing condition's time
  std::string failure_reason;   // The Failed condition's reason ("BackoffLimitExceeded", "DeadlineExceeded").
  std::string failure_message;  // And its message.
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;

  bool finished() const { return phase != JobPhase::kRunning; }
};

JobState ReadJobState(const nlohmann::json& job);

}  // namespace lifeboat::controllers
