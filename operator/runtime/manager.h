// Manager: runs controllers the way controller-runtime does. Start() serves /healthz, /readyz and
// /metrics, starts one informer per resource that any controller declares (its primary resource and
// the children it owns) and campaigns for the leader Lease. Workers (N per controller) run only
// while this process leads and only after every cache synced; a lost lease ends Wait() with Aborted
// and the caller must exit at once. /readyz answers 200 once every cache synced. Shutdown() stops
// the workers (letting in-flight reconciles finish), releases the lease, stops the informers and
// the listener. Thread-safe; one Manager per process.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "operator/core/clock.h"
#include "operator/kube/api_client.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/informer.h"
#include "operator/kube/lease_decision.h"
#include "operator/kube/leader_elector.h"
#include "operator/kube/work_queue.h"
#include "operator/runtime/controller.h"
#include "operator/runtime/http_server.h"
#include "operator/runtime/runtime_metrics.h"

namespace lifeboat::runtime {

struct ManagerOptions {
  std::string watch_namespace;                     // "" = every namespace.
  int workers = 2;                                 // Per controller.
  std::chrono::seconds resync_period{600};         // Replay every cached primary object; 0 = never.
  std::string health_address = ":8080";            // /healthz, /readyz, /metrics.
  bool leader_election = true;
  kube::LeaderElectionConfig election;             // identity, 15 s / 10 s / 2 s by default.
  std::string lease_namespace = "default";
  std::string lease_name = "lifeboat-operator";
  std::string component = "lifeboat-operator";     // Events' source.component.
  kube::InformerOptions informer;                  // Backoff and watch settings for every informer.
};

class Manager final : private ControllerContext {
 public:
  Manager(kube::ApiClient& client, const Clock& clock, RuntimeMetrics& metrics, ManagerOptions options);
  ~Manager() override;

  // Before Start().
  void Add(std::unique_ptr<Controller> controller);

  Status Start();
  // Blocks until RequestStop() (Ok) or the leader lease was lost (Aborted).
  Status Wait();
  void RequestStop();
  void Shutdown();

  int health_port() const { return server_.port(); }
  bool Ready() const;
  bool Leading() const { return leading_.load(); }
  size_t controller_count() const { return controllers_.size(); }

 private:
  struct Running {
    std::unique_ptr<Controller> controller;
    std::string name;
    kube::ResourceRef primary;
    std::unique_ptr<kube::WorkQueue> queue;
    std::vector<std::thread> workers;
  };

  // ControllerContext.
  kube::ApiClient& client() override { return client_; }
  kube::EventRecorder& recorder() override { return recorder_; }
  const Clock& clock() override { return clock_; }
  const kube::ObjectCache* Cache(const kube::ResourceRef& resource) override;
  prometheus::Registry* metrics_registry() override;

  kube::Informer& InformerFor(const kube::ResourceRef& resource, kube::Projection projection);
  void Control();
  void StartWorkers();
  void Work(Running& running);
  void Process(Running& running, const std::string& key);
  bool AllSynced() const;

  kube::ApiClient& client_;
  const Clock& clock_;
  RuntimeMetrics& metrics_;
  ManagerOptions options_;
  kube::ApiEventRecorder recorder_;
  HttpServer server_;

  std::vector<std::unique_ptr<Running>> controllers_;
  std::map<kube::ResourceRef, std::unique_ptr<kube::Informer>> informers_;
  std::unique_ptr<kube::LeaderElector> elector_;
  std::thread elector_thread_;
  std::thread control_thread_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_requested_ = false;
  bool workers_started_ = false;
  Status lost_;
  std::atomic<bool> leading_{false};
  std::atomic<bool> shut_down_{false};
};

// "lifeboat.dev/v1alpha1" → "lifeboat.dev"; "v1" → "".
std::string GroupOfApiVersion(std::string_view api_version);

}  // namespace lifeboat::runtime
