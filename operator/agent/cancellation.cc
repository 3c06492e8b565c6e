#include "operator/agent/cancellation.h"

#include "operator/agent/posix_process_runner.h"

namespace lifeboat::agent {

void Cancellation::Cancel() {
  cancelled_ = true;
  TerminateRunningChildren(kStopSignal);
}

}  // namespace lifeboat::agent
