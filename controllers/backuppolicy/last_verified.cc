#include "controllers/backuppolicy/last_verified.h"

#include "operator/api/dr_drill.h"

namespace lifeboat::controllers::backuppolicy {
namespace {

constexpr char kSucceeded[] = "Succeeded";

// The backup a run proved: the oldest it restored, since the RPO is measured from it.
std::string ProvenBackup(const api::DrillRun& run) {
  const api::BackupRef* oldest = nullptr;
  for (const api::BackupRef& b : run.backups) {
    if (oldest == nullptr || (b.start_time && (!oldest->start_time || *b.start_time < *oldest->start_time))) oldest = &b;
  }
  return oldest == nullptr ? "" : oldest->id;
}

}  // namespace

std::optional<api::LastVerified> LastVerifiedFromDrills(const std::string& ns, const std::string& policy,
                                                        const std::vector<nlohmann::json>& drills) {
  std::optional<api::LastVerified> newest;
  for (const nlohmann::json& object : drills) {
    api::FieldErrors ignored;  // A drill with a malformed spec or status still counts what it proved.
    const api::DRDrill drill = api::ParseDRDrill(object, &ignored);
    if (drill.metadata.namespace_ != ns) continue;
    if (drill.spec.policy_name != policy) continue;
    std::vector<const api::DrillRun*> runs;
    if (drill.status.last_run) runs.push_back(&*drill.status.last_run);
    for (const api::DrillRun& run : drill.status.history) runs.push_back(&run);
    for (const api::DrillRun* run : runs) {
      if (run->result != kSucceeded || !run->completion_time) continue;
      if (newest && *newest->time >= *run->completion_time) continue;
      newest = api::LastVerified{run->completion_time, drill.metadata.name, run->id, ProvenBackup(*run), kSucceeded,
                                 run->objectives_met};
    }
  }
  return newest;
}

}  // namespace lifeboat::controllers::backuppolicy
