// The controllers `lifeboat operator` runs. Each controller issue adds one line here, e.g.
//   factories.push_back([] { return std::make_unique<controllers::BackupPolicyController>(); });
#include "operator/cmd/operator_command.h"

namespace lifeboat::cmd {

std::vector<runtime::ControllerFactory> OperatorControllers() {
  std::vector<runtime::ControllerFactory> factories;
  return factories;
}

}  // namespace lifeboat::cmd
