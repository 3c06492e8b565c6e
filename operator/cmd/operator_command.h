// `lifeboat operator`: flags (each with an environment variable, for the chart) and the function
// that builds the Kubernetes client, the manager and the controllers, then runs until SIGTERM/SIGINT
// (clean shutdown, exit 0) or a lost leader lease (exit 1 at once).
#pragma once

#include <vector>

#include "operator/cmd/commands.h"
#include "operator/runtime/controller.h"

namespace lifeboat::cmd {

// Registers `operator` running the given controllers.
void AddOperatorCommand(CLI::App& app, CommandRegistry& registry, std::vector<runtime::ControllerFactory> controllers);

// The controllers `lifeboat operator` runs (operator/cmd/controllers.cc): one line per controller.
std::vector<runtime::ControllerFactory> OperatorControllers();

// "15s", "10m", "1h30m", "250ms" or plain seconds ("15") → milliseconds; InvalidArgument otherwise.
StatusOr<std::chrono::milliseconds> ParseDuration(const std::string& text);

}  // namespace lifeboat::cmd
