// HumanDuration: the short ages `kubectl get` shows ("5s", "3m20s", "4h", "2d3h", "1y20d"), with
// the same rounding rules as Kubernetes' apimachinery duration.HumanDuration. Pure; thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace lifeboat::devcluster {

std::string HumanDuration(std::chrono::seconds elapsed);

}  // namespace lifeboat::devcluster
