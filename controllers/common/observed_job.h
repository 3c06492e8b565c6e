// ObservedJob and PlannedEvent: what every controller's Decide reads about one of its Jobs (its
// state and, once finished, the agent's result read from its Pod) and the Events it plans. Plain
// values shared by all controllers; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "controllers/common/agent_run_result.h"
#include "controllers/common/job_state.h"

namespace lifeboat::controllers {

struct ObservedJob {
  JobState state;
  std::optional<AgentRunResult> result;  // From the Pod's termination message, when finished.
  std::string result_error;              // Why there is no result (no Pod, not a result, ...).
};

struct PlannedEvent {
  PlannedEvent() = default;
  PlannedEvent(std::string type_, std::string reason_, std::string message_, std::string announces_job_ = "")
      : type(std::move(type_)), reason(std::move(reason_)), message(std::move(message_)), announces_job(std::move(announces_job_)) {}

  std::string type;  // Normal | Warning
  std::string reason;
  std::string message;
  // The Job whose creation this Event announces: the shell records it right after creating that
  // Job and never for one it adopted (a retry after a failed status write must not announce twice).
  std::string announces_job;
  friend bool operator==(const PlannedEvent&, const PlannedEvent&) = default;
};

}  // namespace lifeboat::controllers
