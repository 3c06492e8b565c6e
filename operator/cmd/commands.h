// The `lifeboat` subcommands. Each Add*Command registers its subcommand (flags and the function
// that runs it) on the application; the function's return value becomes the process exit code.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace lifeboat::cmd {

// What main() runs once flags are parsed: the chosen subcommand's body.
using CommandBody = std::function<int()>;

struct CommandRegistry {
  // Filled by Add*Command; main() runs the one whose subcommand was parsed.
  std::vector<std::pair<CLI::App*, CommandBody>> commands;
};

void AddVersionCommand(CLI::App& app, CommandRegistry& registry);
void AddAgentCommand(CLI::App& app, CommandRegistry& registry);

}  // namespace lifeboat::cmd
