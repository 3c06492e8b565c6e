// ApiObserver: what HttpApiClient reports about every API request (verb, HTTP code or "error",
// latency) so the runtime can count them without kube/ depending on a metrics library.
// Implementations must be thread-safe.
#pragma once

#include <chrono>
#include <string_view>

namespace lifeboat::kube {

class ApiObserver {
 public:
  virtual ~ApiObserver() = default;
  // verb: get, list, create, update, patch, delete, watch. code: "200", "404", ..., or "error" when no
  // HTTP answer arrived.
  virtual void ObserveRequest(std::string_view verb, std::string_view code, std::chrono::duration<double> latency) = 0;
};

}  // namespace lifeboat::kube
