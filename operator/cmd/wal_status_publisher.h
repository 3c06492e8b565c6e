// WalStatusPublisher: how a running WAL streamer tells the operator about itself. The streamer's
// status (wal_streamer.h WalStreamStatus) goes into the data key `status.json` of the ConfigMap the
// policy owns for it (`<policy>-wal-streamer`, created by the operator; the streamer's service
// account may only get and patch that one object). The operator reads it into the policy's
// status.walArchive (docs/wal-archiving.md "Status").
//
// A status is written when it says something new, and at least every `heartbeat` otherwise: the
// operator takes a status older than a few heartbeats as a streamer that stopped reporting. A
// failed write is logged once per distinct error and tried again with the next status; the
// streamer never waits for the API server beyond one request. Not thread-safe (the streamer
// publishes from its own thread).
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "operator/agent/wal_streamer.h"
#include "operator/core/clock.h"
#include "operator/kube/api_client.h"

namespace lifeboat::cmd {

inline constexpr char kWalStatusKey[] = "status.json";

class WalStatusPublisher {
 public:
  using Log = std::function<void(const std::string& level, const std::string& message)>;
  WalStatusPublisher(kube::ApiClient& api, const Clock& clock, std::string ns, std::string config_map, Log log,
                     std::chrono::seconds heartbeat = std::chrono::seconds(30));

  void Publish(const agent::WalStreamStatus& status);

 private:
  kube::ApiClient& api_;
  const Clock& clock_;
  std::string ns_;
  std::string config_map_;
  Log log_;
  std::chrono::seconds heartbeat_;
  std::string last_written_;  // The last status written, without its `updated` time.
  SteadyTime last_write_{};
  std::string last_error_;
};

}  // namespace lifeboat::cmd
