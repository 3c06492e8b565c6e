// lifeboat-e2e-operator: `lifeboat operator` with the AnnotatingController registered, for the
// runtime's end-to-end tests and benchmark. Same flags and environment variables as
// `lifeboat operator`; LIFEBOAT_E2E_EVENTS=0 turns the controller's Events off.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>

#include "e2e/runtime/annotating_controller.h"
#include "operator/cmd/operator_command.h"

int main(int argc, char** argv) {
  CLI::App app{"lifeboat-e2e-operator: the Lifeboat operator runtime with a test controller"};
  app.require_subcommand(1);
  const char* events = std::getenv("LIFEBOAT_E2E_EVENTS");
  bool emit_events = events == nullptr || std::string(events) != "0";
  lifeboat::cmd::CommandRegistry registry;
  lifeboat::cmd::AddOperatorCommand(app, registry, {[emit_events] {
                                      return std::make_unique<lifeboat::e2e::AnnotatingController>(emit_events);
                                    }});
  CLI11_PARSE(app, argc, argv);
  for (auto& [subcommand, body] : registry.commands) {
    if (subcommand->parsed()) return body();
  }
  return 2;
}
