#include "operator/agent/command_context.h"

#include "operator/core/time_format.h"

namespace lifeboat::agent {

void FinishResult(AgentResult& result, WallTime start, const CommandContext& context) {
  if (context.cancellation.Cancelled() && !result.status.ok()) {
    result.status = CancelledError("the agent was asked to stop (SIGTERM/SIGINT): " + result.status.message());
    result.reason = "Cancelled";
  }
  const WallTime end = context.clock.Now();
  result.start_time = FormatRfc3339(start);
  result.end_time = FormatRfc3339(end);
  result.duration_seconds = std::chrono::duration<double>(end - start).count();
}

StatusOr<ResticInvocation> RepositoryInvocation(const RepositoryConfig& repository, const CommandContext& context) {
  return BuildResticInvocation(repository, context.environment);
}

}  // namespace lifeboat::agent
