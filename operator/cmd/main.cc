// lifeboat: the operator, the agent that runs inside Jobs, and small utilities, in one binary.
#include <CLI/CLI.hpp>

#include "operator/cmd/commands.h"
#include "operator/cmd/operator_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Lifeboat: disaster-recovery runbooks as Kubernetes resources"};
  app.require_subcommand(1);
  lifeboat::cmd::CommandRegistry registry;
  lifeboat::cmd::AddVersionCommand(app, registry);
  lifeboat::cmd::AddOperatorCommand(app, registry, lifeboat::cmd::OperatorControllers());
  lifeboat::cmd::AddAgentCommand(app, registry);

  CLI11_PARSE(app, argc, argv);
  for (auto& [subcommand, body] : registry.commands) {
    if (subcommand->parsed()) return body();
  }
  return 2;
}
