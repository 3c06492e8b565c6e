#include "operator/agent/wal_stream_command.h"

#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include "operator/agent/restic_client.h"

namespace lifeboat::agent {

AgentResult RunWalStreamCommand(WalStreamCommand command, const CommandContext& context) {
  const WallTime start = context.clock.Now();
  AgentResult result;
  result.command = "wal-stream";
  if (Status valid = ValidateWalStreamOptions(command.options); !valid.ok()) {
    result.status = valid;
    result.reason = "InvalidRequest";
    FinishResult(result, start, context);
    return result;
  }
  auto invocation = RepositoryInvocation(command.repository, context);
  if (!invocation.ok()) {
    result.status = invocation.status();
    FinishResult(result, start, context);
    return result;
  }
  // The streamer runs beside a busy database: it yields the CPU (nice 10, inherited by pg_receivewal
  // and restic) and restic uses one core.
  if (::setpriority(PRIO_PROCESS, 0, 10) != 0) context.log("warn", "Could not lower the streamer's CPU priority");
  invocation->env["GOMAXPROCS"] = "1";
  // A repository held by another process's lock (a prune) makes the streamer wait: it says so.
  // (Upload progress is not logged: an upload every interval would flood the log.)
  ResticClient restic(
      context.runner, *invocation,
      [&context](const std::string& line) {
        if (line.rfind("The repository is locked", 0) == 0) context.log("warn", line);
      },
      context.sleep);
  WalStreamer streamer(restic, context.runner, context.clock, context.log, context.sleep, context.cancellation);
  if (command.on_status) streamer.OnPublish(command.on_status);
  context.log("info", "WAL streamer started policy=" + command.options.policy + " slot=" + command.options.slot +
                          " repository=" + restic.location());
  result.status = streamer.Run(command.options);
  if (!result.status.ok()) result.reason = "WalStreamFailed";
  result.fields = {{"walStream", WalStreamStatusToJson(streamer.CurrentStatus())}};
  FinishResult(result, start, context);
  // Stopped because asked to (the Pod was deleted or rolled): that is how a streamer ends.
  if (context.cancellation.Cancelled() && result.status.ok()) result.reason = "Stopped";
  return result;
}

}  // namespace lifeboat::agent
