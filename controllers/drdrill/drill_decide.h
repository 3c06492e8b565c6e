// Decide for DRDrill: a pure function from what was observed (the drill, its policy, the key names
// of the repository's Secrets, the drill's Jobs with their agent results) and the time to the plan
// the shell applies. The rules:
// - Ready=False (and no run) for an invalid spec (InvalidSpec), a missing policy
//   (BackupPolicyNotFound) or a missing repository Secret or key (SecretNotFound, SecretKeyNotFound).
// - One run at a time. A run starts when `lifeboat.dev/drill-now` carries a value not yet acted on
//   (OnDemand), when the schedule (cron in spec.timeZone; suspend; startingDeadlineSeconds: a run
//   due longer ago is skipped and counted) is due (Scheduled), or once for a drill without a
//   schedule (Created). Its Job's name is deterministic, so a retry adopts it.
// - A finished Job's DrillResult fills status.lastRun (every check, bounded by the agent), a bounded
//   history entry, LastDrillSucceeded, ObjectivesMet (measured RTO and RPO against
//   spec.objectives) and Events; a Job gone before it finished fails the run.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/common/observed_job.h"
#include "operator/api/dr_drill.h"
#include "operator/core/clock.h"
#include "operator/core/duration.h"

namespace lifeboat::controllers::drdrill {

inline constexpr char kDrillNowAnnotation[] = "lifeboat.dev/drill-now";

struct DrillObserved {
  nlohmann::json drill;                                 // The DRDrill object as read.
  std::optional<nlohmann::json> policy;                 // Its BackupPolicy, when it exists.
  std::map<std::string, std::set<std::string>> secrets;  // Secret → keys present; missing: not found.
  std::vector<ObservedJob> jobs;                        // Jobs owned by the drill.
  std::set<std::string> lost_jobs;                      // Jobs status shows running, confirmed gone.
  std::string default_image;
};

// A run that finished in this plan: what metrics count.
struct FinishedDrill {
  bool succeeded = false;
  std::optional<bool> objectives_met;
  std::optional<double> rto_seconds;
  std::optional<double> rpo_seconds;
};

struct DrillPlan {
  api::DRDrillStatus status;
  bool status_changed = false;
  std::vector<nlohmann::json> create_jobs;
  std::vector<PlannedEvent> events;
  std::optional<FinishedDrill> finished;
  std::optional<Duration> requeue_after;
};

DrillPlan DecideDrill(const DrillObserved& observed, WallTime now);

// The Secret names the drill's Job reads (the policy's repository); empty if either does not parse.
std::set<std::string> ReferencedSecrets(const nlohmann::json& drill, const std::optional<nlohmann::json>& policy);

}  // namespace lifeboat::controllers::drdrill
