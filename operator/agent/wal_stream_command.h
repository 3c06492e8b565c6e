// `lifeboat agent wal-stream` as a function: the WAL streamer (wal_streamer.h) of one policy,
// running until the Pod is stopped. Its result (written when it stops) carries the streamer's last
// status; while it runs, the status file is what reports on it.
#pragma once

#include <functional>
#include <string>

#include "operator/agent/agent_result.h"
#include "operator/agent/command_context.h"
#include "operator/agent/repository_config.h"
#include "operator/agent/wal_streamer.h"

namespace lifeboat::agent {

struct WalStreamCommand {
  RepositoryConfig repository;
  WalStreamOptions options;
  std::string agent_version;
  // Where each new status goes besides the status file (the status ConfigMap; may be empty).
  std::function<void(const WalStreamStatus&)> on_status;
};

AgentResult RunWalStreamCommand(WalStreamCommand command, const CommandContext& context);

}  // namespace lifeboat::agent
