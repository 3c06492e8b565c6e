#include "operator/agent/agent_log.h"

#include "operator/logging/log.h"

namespace lifeboat::agent {
namespace {

log::Level LevelOf(const std::string& level) {
  auto parsed = log::ParseLevel(level);
  return parsed.ok() ? *parsed : log::Level::kInfo;
}

}  // namespace

LogSink AgentLogSink(const std::string& command) {
  return [command](const std::string& level, const std::string& message) {
    log::Write(LevelOf(level), log::MaskCredentials(message), {{"component", "agent"}, {"command", command}});
  };
}

}  // namespace lifeboat::agent
