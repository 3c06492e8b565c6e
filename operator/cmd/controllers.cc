// The controllers `lifeboat operator` runs. Each controller issue adds one line here, e.g.
//   factories.push_back([] { return std::make_unique<controllers::BackupPolicyController>(); });
#include "controllers/backuppolicy/backup_policy_controller.h"
#include "controllers/common/agent_job.h"
#include "controllers/drdrill/drill_controller.h"
#include "controllers/failover/failover_controller.h"
#include "controllers/restorerequest/restore_request_controller.h"
#include "operator/cmd/operator_command.h"

namespace lifeboat::cmd {

std::vector<runtime::ControllerFactory> OperatorControllers() {
  std::vector<runtime::ControllerFactory> factories;
  factories.push_back([] {
    return std::make_unique<controllers::backuppolicy::BackupPolicyController>(controllers::DefaultAgentImage());
  });
  factories.push_back([] {
    return std::make_unique<controllers::restorerequest::RestoreRequestController>(controllers::DefaultAgentImage());
  });
  factories.push_back([] { return std::make_unique<controllers::drdrill::DrillController>(controllers::DefaultAgentImage()); });
  factories.push_back([] { return std::make_unique<controllers::failover::FailoverController>(controllers::DefaultAgentImage()); });
  return factories;
}

}  // namespace lifeboat::cmd
