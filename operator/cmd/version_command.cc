#include <iostream>

#include "operator/cmd/commands.h"

namespace lifeboat::cmd {

void AddVersionCommand(CLI::App& app, CommandRegistry& registry) {
  CLI::App* version = app.add_subcommand("version", "Print the lifeboat version and exit");
  registry.commands.emplace_back(version, [] {
    std::cout << "lifeboat " << LIFEBOAT_VERSION << "\n";
    return 0;
  });
}

}  // namespace lifeboat::cmd
