#include "operator/runtime/runtime_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>

namespace lifeboat::runtime {
namespace {

using prometheus::Histogram;

Histogram::BucketBoundaries LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

}  // namespace

struct RuntimeMetrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& reconcile_total =
      prometheus::BuildCounter().Name("lifeboat_reconcile_total").Help("Reconciles by controller and result").Register(*registry);
  prometheus::Family<prometheus::Counter>& reconcile_errors =
      prometheus::BuildCounter().Name("lifeboat_reconcile_errors_total").Help("Reconciles that returned an error").Register(*registry);
  prometheus::Family<Histogram>& reconcile_duration = prometheus::BuildHistogram()
                                                          .Name("lifeboat_reconcile_duration_seconds")
                                                          .Help("Time spent in Reconcile")
                                                          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& queue_depth =
      prometheus::BuildGauge().Name("lifeboat_workqueue_depth").Help("Keys ready in the work queue").Register(*registry);
  prometheus::Family<prometheus::Counter>& queue_adds =
      prometheus::BuildCounter().Name("lifeboat_workqueue_adds_total").Help("Keys added to the work queue").Register(*registry);
  prometheus::Family<prometheus::Counter>& queue_retries = prometheus::BuildCounter()
                                                               .Name("lifeboat_workqueue_retries_total")
                                                               .Help("Keys requeued with rate limiting")
                                                               .Register(*registry);
  prometheus::Family<Histogram>& queue_latency = prometheus::BuildHistogram()
                                                     .Name("lifeboat_workqueue_queue_duration_seconds")
                                                     .Help("Time a key waited in the queue before a worker took it")
                                                     .Register(*registry);
  prometheus::Family<Histogram>& work_duration = prometheus::BuildHistogram()
                                                     .Name("lifeboat_workqueue_work_duration_seconds")
                                                     .Help("Time from a worker taking a key to Done")
                                                     .Register(*registry);
  prometheus::Family<prometheus::Gauge>& leader =
      prometheus::BuildGauge().Name("lifeboat_leader_is_leader").Help("1 while this process holds the leader lease").Register(*registry);
  prometheus::Family<prometheus::Counter>& api_requests = prometheus::BuildCounter()
                                                              .Name("lifeboat_api_requests_total")
                                                              .Help("Kubernetes API requests by verb and HTTP code")
                                                              .Register(*registry);
  prometheus::Family<Histogram>& api_latency = prometheus::BuildHistogram()
                                                   .Name("lifeboat_api_request_duration_seconds")
                                                   .Help("Kubernetes API request latency by verb")
                                                   .Register(*registry);
  prometheus::Family<prometheus::Gauge>& cache_objects =
      prometheus::BuildGauge().Name("lifeboat_cache_objects").Help("Objects held in the informer caches").Register(*registry);
  prometheus::Gauge& leader_gauge = leader.Add({});

  std::mutex mutex;
  std::map<std::string, std::unique_ptr<kube::WorkQueueObserver>> queue_observers;
};

namespace {

class QueueMetrics final : public kube::WorkQueueObserver {
 public:
  QueueMetrics(RuntimeMetrics::Impl& impl, const std::string& name)
      : depth_(impl.queue_depth.Add({{"name", name}})),
        adds_(impl.queue_adds.Add({{"name", name}})),
        retries_(impl.queue_retries.Add({{"name", name}})),
        latency_(impl.queue_latency.Add({{"name", name}}, LatencyBuckets())),
        work_(impl.work_duration.Add({{"name", name}}, LatencyBuckets())) {}
  void OnAdd() override { adds_.Increment(); }
  void OnRetry() override { retries_.Increment(); }
  void OnDepth(size_t depth) override { depth_.Set(static_cast<double>(depth)); }
  void OnQueueLatency(std::chrono::duration<double> d) override { latency_.Observe(d.count()); }
  void OnWorkDuration(std::chrono::duration<double> d) override { work_.Observe(d.count()); }

 private:
  prometheus::Gauge& depth_;
  prometheus::Counter& adds_;
  prometheus::Counter& retries_;
  Histogram& latency_;
  Histogram& work_;
};

}  // namespace

RuntimeMetrics::RuntimeMetrics() : impl_(std::make_unique<Impl>()) {}
RuntimeMetrics::~RuntimeMetrics() = default;

std::shared_ptr<prometheus::Registry> RuntimeMetrics::registry() const { return impl_->registry; }

std::string RuntimeMetrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

void RuntimeMetrics::ObserveRequest(std::string_view verb, std::string_view code, std::chrono::duration<double> latency) {
  impl_->api_requests.Add({{"verb", std::string(verb)}, {"code", std::string(code)}}).Increment();
  impl_->api_latency.Add({{"verb", std::string(verb)}}, LatencyBuckets()).Observe(latency.count());
}

kube::WorkQueueObserver* RuntimeMetrics::QueueObserver(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  auto& observer = impl_->queue_observers[name];
  if (!observer) observer = std::make_unique<QueueMetrics>(*impl_, name);
  return observer.get();
}

void RuntimeMetrics::ObserveReconcile(const std::string& controller, std::string_view result,
                                      std::chrono::duration<double> took) {
  impl_->reconcile_total.Add({{"controller", controller}, {"result", std::string(result)}}).Increment();
  if (result == "error") impl_->reconcile_errors.Add({{"controller", controller}}).Increment();
  impl_->reconcile_duration.Add({{"controller", controller}}, LatencyBuckets()).Observe(took.count());
}

void RuntimeMetrics::SetLeader(bool leading) { impl_->leader_gauge.Set(leading ? 1 : 0); }

void RuntimeMetrics::SetCacheObjects(const std::string& resource, size_t objects) {
  impl_->cache_objects.Add({{"resource", resource}}).Set(static_cast<double>(objects));
}

}  // namespace lifeboat::runtime
