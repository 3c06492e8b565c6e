// RuntimeMetrics: the operator's Prometheus metrics (prometheus-cpp core; served as text by the
// manager's own HTTP listener):
//   lifeboat_reconcile_total{controller,result}       result: success, error, requeue, requeue_after
//   lifeboat_reconcile_errors_total{controller}
//   lifeboat_reconcile_duration_seconds{controller}   histogram
//   lifeboat_workqueue_depth{name}                    gauge
//   lifeboat_workqueue_adds_total{name}
//   lifeboat_workqueue_retries_total{name}
//   lifeboat_workqueue_queue_duration_seconds{name}   histogram, ready → taken by a worker
//   lifeboat_workqueue_work_duration_seconds{name}    histogram, taken → done
//   lifeboat_leader_is_leader                         gauge, 1 while this process leads
//   lifeboat_api_requests_total{verb,code}
//   lifeboat_api_request_duration_seconds{verb}       histogram
//   lifeboat_cache_objects{resource}                  gauge, objects in the informer caches
// Thread-safe. Other areas register their domain metrics on registry().
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "operator/kube/api_observer.h"
#include "operator/kube/work_queue.h"

namespace prometheus {
class Registry;
}

namespace lifeboat::runtime {

class RuntimeMetrics final : public kube::ApiObserver {
 public:
  RuntimeMetrics();
  ~RuntimeMetrics() override;

  std::shared_ptr<prometheus::Registry> registry() const;
  // Every metric in the Prometheus text exposition format.
  std::string Serialize() const;

  void ObserveRequest(std::string_view verb, std::string_view code, std::chrono::duration<double> latency) override;
  // An observer for the work queue named `name` (the controller name). Lives as long as this object.
  kube::WorkQueueObserver* QueueObserver(const std::string& name);
  void ObserveReconcile(const std::string& controller, std::string_view result, std::chrono::duration<double> took);
  void SetLeader(bool leading);
  void SetCacheObjects(const std::string& resource, size_t objects);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lifeboat::runtime
