// The agent's log lines: through operator/logging (one JSON object per line on standard error,
// secrets redacted), with component "agent" and the command's name, so an agent Pod's log reads
// like the operator's and never carries a password. The message keeps the agent's "Text key=value"
// shape.
#pragma once

#include <string>

#include "operator/agent/backup_runner.h"

namespace lifeboat::agent {

LogSink AgentLogSink(const std::string& command);

}  // namespace lifeboat::agent
