#include "operator/kube/lease_decision.h"

#include "operator/core/time_format.h"

namespace lifeboat::kube {

Status LeaderElectionConfig::Validate() const {
  if (identity.empty()) return InvalidArgumentError("leader election identity must not be empty");
  if (retry_period <= std::chrono::seconds(0)) return InvalidArgumentError("retry period must be positive");
  if (renew_deadline <= retry_period) {
    return InvalidArgumentError("renew deadline (" + std::to_string(renew_deadline.count()) +
                                "s) must be greater than the retry period (" + std::to_string(retry_period.count()) + "s)");
  }
  if (lease_duration <= renew_deadline) {
    return InvalidArgumentError("lease duration (" + std::to_string(lease_duration.count()) +
                                "s) must be greater than the renew deadline (" + std::to_string(renew_deadline.count()) +
                                "s)");
  }
  return Status::Ok();
}

StatusOr<LeaseRecord> LeaseRecordFromJson(const nlohmann::json& lease) {
  LeaseRecord record;
  if (!lease.is_object()) return InvalidArgumentError("lease is not an object");
  auto spec_it = lease.find("spec");
  if (spec_it == lease.end() || spec_it->is_null()) return record;
  if (!spec_it->is_object()) return InvalidArgumentError("lease spec is not an object");
  const auto& spec = *spec_it;
  if (auto it = spec.find("holderIdentity"); it != spec.end() && it->is_string()) record.holder = it->get<std::string>();
  if (auto it = spec.find("leaseDurationSeconds"); it != spec.end() && it->is_number_integer()) {
    record.lease_duration_seconds = it->get<int>();
  }
  if (auto it = spec.find("leaseTransitions"); it != spec.end() && it->is_number_integer()) {
    record.transitions = it->get<int>();
  }
  for (auto [field, target] : {std::pair{"acquireTime", &record.acquire_time}, std::pair{"renewTime", &record.renew_time}}) {
    auto it = spec.find(field);
    if (it == spec.end() || it->is_null()) continue;
    if (!it->is_string()) return InvalidArgumentError(std::string("lease spec.") + field + " is not a string");
    auto parsed = ParseRfc3339(it->get<std::string>());
    if (!parsed.ok()) return parsed.status().WithContext(std::string("lease spec.") + field);
    *target = *parsed;
  }
  return record;
}

nlohmann::json LeaseToJson(const std::string& ns, const std::string& name, const std::string& resource_version,
                           const LeaseRecord& record) {
  nlohmann::json lease = {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata", {{"name", name}, {"namespace", ns}}},
      {"spec", {{"holderIdentity", record.holder},
                {"leaseDurationSeconds", record.lease_duration_seconds},
                {"leaseTransitions", record.transitions}}},
  };
  if (!resource_version.empty()) lease["metadata"]["resourceVersion"] = resource_version;
  if (record.acquire_time) lease["spec"]["acquireTime"] = FormatRfc3339Micro(*record.acquire_time);
  if (record.renew_time) lease["spec"]["renewTime"] = FormatRfc3339Micro(*record.renew_time);
  return lease;
}

LeaseDecision DecideLease(const LeaderElectionConfig& config, const ElectorMemory& memory,
                          const std::optional<LeaseRecord>& current, WallTime now, SteadyTime steady_now) {
  LeaseDecision decision;
  decision.memory = memory;
  const int duration = static_cast<int>(config.lease_duration.count());
  if (!current) {
    decision.action = LeaseAction::kCreate;
    decision.desired = LeaseRecord{config.identity, duration, now, now, 0};
    return decision;
  }
  decision.current_holder = current->holder;
  if (!memory.observed || !(*memory.observed == *current)) {
    decision.memory.observed = *current;
    decision.memory.observed_at = steady_now;
  }
  const bool held_by_me = current->holder == config.identity;
  if (!current->holder.empty() && !held_by_me) {
    // Honour the holder's own duration when it is set; ours otherwise.
    auto valid_for = std::chrono::seconds(current->lease_duration_seconds > 0 ? current->lease_duration_seconds : duration);
    if (decision.memory.observed_at + valid_for > steady_now) {
      decision.action = LeaseAction::kWait;
      return decision;
    }
  }
  decision.action = LeaseAction::kUpdate;
  decision.renewing = held_by_me;
  decision.desired.holder = config.identity;
  decision.desired.lease_duration_seconds = duration;
  decision.desired.renew_time = now;
  if (held_by_me) {
    decision.desired.acquire_time = current->acquire_time ? current->acquire_time : std::optional<WallTime>(now);
    decision.desired.transitions = current->transitions;
  } else {
    decision.desired.acquire_time = now;
    decision.desired.transitions = current->transitions + 1;
  }
  return decision;
}

LeaseRecord ReleasedRecord(const LeaseRecord& held, WallTime now) {
  return LeaseRecord{"", 1, now, now, held.transitions};
}

bool RenewDeadlineExceeded(const LeaderElectionConfig& config, SteadyTime last_renewed, SteadyTime steady_now) {
  return steady_now - last_renewed > config.renew_deadline;
}

}  // namespace lifeboat::kube
