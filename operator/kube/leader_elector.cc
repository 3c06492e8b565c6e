#include "operator/kube/leader_elector.h"

#include <random>

#include "operator/logging/log.h"

namespace lifeboat::kube {

LeaderElector::LeaderElector(ApiClient& client, const Clock& clock, LeaderElectionConfig config, std::string ns,
                             std::string name)
    : client_(client), clock_(clock), config_(std::move(config)), ns_(std::move(ns)), name_(std::move(name)) {}

std::string LeaderElector::ObservedHolder() const {
  std::lock_guard lock(mutex_);
  return observed_holder_;
}

void LeaderElector::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
}

bool LeaderElector::WaitRetryPeriod() {
  static thread_local std::mt19937 random(std::random_device{}());
  auto period = std::chrono::duration_cast<std::chrono::milliseconds>(config_.retry_period);
  // client-go adds up to 20% jitter while campaigning so candidates do not collide in lockstep.
  if (!leading_.load()) period += std::chrono::milliseconds(random() % (period.count() / 5 + 1));
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, period, [this] { return stopping_; });
  return !stopping_;
}

Status LeaderElector::TryAcquireOrRenew(bool& holding) {
  holding = false;
  const ResourceRef lease_resource = LeaseResource();
  std::optional<LeaseRecord> current;
  auto existing = client_.Get(lease_resource, ns_, name_);
  if (existing.ok()) {
    auto record = LeaseRecordFromJson(*existing);
    if (!record.ok()) return record.status();
    current = *record;
    resource_version_ = ObjectResourceVersion(*existing);
  } else if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  LeaseDecision decision = DecideLease(config_, memory_, current, clock_.Now(), clock_.SteadyNow());
  memory_ = decision.memory;
  {
    std::lock_guard lock(mutex_);
    observed_holder_ = decision.current_holder;
  }
  if (decision.action == LeaseAction::kWait) return Status::Ok();
  StatusOr<Json> written = decision.action == LeaseAction::kCreate
                               ? client_.Create(lease_resource, ns_, LeaseToJson(ns_, name_, "", decision.desired))
                               : client_.Update(lease_resource, ns_,
                                                LeaseToJson(ns_, name_, resource_version_, decision.desired));
  if (!written.ok()) return written.status();
  resource_version_ = ObjectResourceVersion(*written);
  held_ = decision.desired;
  memory_.observed = decision.desired;
  memory_.observed_at = clock_.SteadyNow();
  {
    std::lock_guard lock(mutex_);
    observed_holder_ = config_.identity;
  }
  holding = true;
  return Status::Ok();
}

void LeaderElector::Release() {
  LeaseRecord released = ReleasedRecord(held_, clock_.Now());
  auto written = client_.Update(LeaseResource(), ns_, LeaseToJson(ns_, name_, resource_version_, released));
  if (written.ok()) {
    log::Info("Released leader lease", {{"lease", ns_ + "/" + name_}, {"identity", config_.identity}});
  } else {
    log::Warn("Could not release leader lease", {{"lease", ns_ + "/" + name_}, {"error", written.status()}});
  }
}

Status LeaderElector::Run(const std::function<void()>& on_started_leading) {
  LIFEBOAT_RETURN_IF_ERROR(config_.Validate());
  const std::string lease = ns_ + "/" + name_;
  log::Info("Campaigning for leader lease", {{"lease", lease}, {"identity", config_.identity}});
  // Campaign.
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return Status::Ok();
    }
    bool holding = false;
    Status attempt = TryAcquireOrRenew(holding);
    if (!attempt.ok() && attempt.code() != StatusCode::kAborted && attempt.code() != StatusCode::kAlreadyExists) {
      log::Warn("Leader election attempt failed", {{"lease", lease}, {"error", attempt}});
    }
    if (holding) break;
    if (!WaitRetryPeriod()) return Status::Ok();
  }
  leading_ = true;
  SteadyTime last_renewed = clock_.SteadyNow();
  log::Info("Became leader", {{"lease", lease}, {"identity", config_.identity}});
  on_started_leading();
  // Lead: renew every retry period until stopped, or lost.
  while (true) {
    if (!WaitRetryPeriod()) {
      Release();
      leading_ = false;
      return Status::Ok();
    }
    bool holding = false;
    Status attempt = TryAcquireOrRenew(holding);
    if (holding) {
      last_renewed = clock_.SteadyNow();
      continue;
    }
    if (attempt.ok()) {
      // Read fine but someone else holds it: we lost it.
      leading_ = false;
      return AbortedError("leader lease " + lease + " is now held by \"" + ObservedHolder() + "\"");
    }
    log::Warn("Renewing leader lease failed", {{"lease", lease}, {"error", attempt}});
    if (RenewDeadlineExceeded(config_, last_renewed, clock_.SteadyNow())) {
      leading_ = false;
      return AbortedError("could not renew leader lease " + lease + " within the renew deadline of " +
                          std::to_string(config_.renew_deadline.count()) + "s: " + attempt.ToString());
    }
  }
}

}  // namespace lifeboat::kube
