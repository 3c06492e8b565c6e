#include "operator/runtime/manager.h"

#include <cstdio>
#include <random>
#include <set>

#include "operator/logging/log.h"

namespace lifeboat::runtime {
namespace {

std::string NewReconcileId() {
  static thread_local std::mt19937_64 random(std::random_device{}());
  uint64_t a = random(), b = random();
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buffer;
}

}  // namespace

std::string GroupOfApiVersion(std::string_view api_version) {
  auto slash = api_version.find('/');
  return slash == std::string_view::npos ? "" : std::string(api_version.substr(0, slash));
}

Manager::Manager(kube::ApiClient& client, const Clock& clock, RuntimeMetrics& metrics, ManagerOptions options)
    : client_(client),
      clock_(clock),
      metrics_(metrics),
      options_(std::move(options)),
      recorder_(client, clock, options_.component, options_.election.identity) {}

Manager::~Manager() { Shutdown(); }

void Manager::Add(std::unique_ptr<Controller> controller) {
  auto running = std::make_unique<Running>();
  running->name = controller->Name();
  running->primary = controller->Primary();
  running->controller = std::move(controller);
  running->queue = std::make_unique<kube::WorkQueue>(clock_, kube::DefaultControllerRateLimiter(clock_),
                                                     metrics_.QueueObserver(running->name));
  controllers_.push_back(std::move(running));
}

prometheus::Registry* Manager::metrics_registry() { return metrics_.registry().get(); }

const kube::ObjectCache* Manager::Cache(const kube::ResourceRef& resource) {
  auto it = informers_.find(resource);
  return it == informers_.end() ? nullptr : &it->second->cache();
}

kube::Informer& Manager::InformerFor(const kube::ResourceRef& resource, kube::Projection projection) {
  auto& informer = informers_[resource];
  if (!informer) {
    kube::InformerOptions options = options_.informer;
    options.clock = &clock_;
    options.ns = resource.namespaced ? options_.watch_namespace : "";
    options.projection = std::move(projection);
    informer = std::make_unique<kube::Informer>(client_, resource, options);
  }
  return *informer;
}

bool Manager::AllSynced() const {
  for (const auto& [resource, informer] : informers_) {
    if (!informer->HasSynced()) return false;
  }
  return true;
}

bool Manager::Ready() const { return !shut_down_.load() && AllSynced(); }

Status Manager::Start() {
  if (options_.workers < 1) return InvalidArgumentError("workers per controller must be at least 1");
  if (options_.leader_election) LIFEBOAT_RETURN_IF_ERROR(options_.election.Validate());

  // Which controllers watch each resource: a projection applies only when one controller does.
  std::map<kube::ResourceRef, std::vector<Controller*>> watchers;
  for (auto& running : controllers_) {
    watchers[running->primary].push_back(running->controller.get());
    for (const auto& owned : running->controller->Owns()) watchers[owned].push_back(running->controller.get());
    for (const auto& watch : running->controller->Watches()) watchers[watch.resource].push_back(running->controller.get());
  }
  for (auto& [resource, list] : watchers) {
    std::set<Controller*> unique(list.begin(), list.end());
    InformerFor(resource, unique.size() == 1 ? list.front()->CacheProjection(resource) : nullptr);
  }
  for (auto& running : controllers_) {
    kube::WorkQueue* queue = running->queue.get();
    InformerFor(running->primary, nullptr).AddHandler([queue](const kube::InformerEvent& event) {
      queue->Add(kube::KeyOf(event.object).ToString());
    });
    const kube::ResourceRef primary = running->primary;
    for (const auto& owned : running->controller->Owns()) {
      InformerFor(owned, nullptr).AddHandler([queue, primary, owned](const kube::InformerEvent& event) {
        auto enqueue_owners = [&](const nlohmann::json& object) {
          const auto& metadata = object.value("metadata", nlohmann::json::object());
          auto refs = metadata.find("ownerReferences");
          if (refs == metadata.end() || !refs->is_array()) return;
          for (const auto& ref : *refs) {
            if (!ref.is_object() || ref.value("kind", "") != primary.kind ||
                GroupOfApiVersion(ref.value("apiVersion", "")) != primary.group) {
              continue;
            }
            std::string ns = primary.namespaced ? metadata.value("namespace", "") : "";
            queue->Add(kube::ObjectKey{ns, ref.value("name", "")}.ToString());
          }
        };
        enqueue_owners(event.object);
        if (event.old != nullptr) enqueue_owners(*event.old);
      });
    }
    for (const auto& watch : running->controller->Watches()) {
      InformerFor(watch.resource, nullptr).AddHandler([queue, keys = watch.keys](const kube::InformerEvent& event) {
        for (const auto& key : keys(event.object)) queue->Add(key.ToString());
        if (event.old == nullptr) return;
        for (const auto& key : keys(*event.old)) queue->Add(key.ToString());
      });
    }
  }

  server_.Handle("/healthz", [] { return HttpReply{200, "text/plain; charset=utf-8", "ok\n"}; });
  server_.Handle("/readyz", [this] {
    if (Ready()) return HttpReply{200, "text/plain; charset=utf-8", "ok\n"};
    std::string body = shut_down_.load() ? "shutting down\n" : "";
    for (const auto& [resource, informer] : informers_) {
      if (!informer->HasSynced()) body += "cache not synced: " + resource.GroupResource() + "\n";
    }
    return HttpReply{503, "text/plain; charset=utf-8", body};
  });
  server_.Handle("/metrics", [this] {
    for (const auto& [resource, informer] : informers_) {
      metrics_.SetCacheObjects(resource.GroupResource(), informer->cache().Size());
    }
    return HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Serialize()};
  });
  LIFEBOAT_RETURN_IF_ERROR(server_.Start(options_.health_address));
  log::Info("Serving health and metrics", {{"address", options_.health_address}, {"port", server_.port()}});

  for (auto& [resource, informer] : informers_) informer->Start();
  log::Info("Manager started", {{"controllers", uint64_t(controllers_.size())},
                                {"informers", uint64_t(informers_.size())},
                                {"namespace", options_.watch_namespace.empty() ? "*" : options_.watch_namespace},
                                {"leaderElection", options_.leader_election}});

  if (options_.leader_election) {
    elector_ = std::make_unique<kube::LeaderElector>(client_, clock_, options_.election, options_.lease_namespace,
                                                     options_.lease_name);
    elector_thread_ = std::thread([this] {
      Status result = elector_->Run([this] {
        leading_ = true;
        metrics_.SetLeader(true);
        std::lock_guard lock(mutex_);
        changed_.notify_all();
      });
      leading_ = false;
      metrics_.SetLeader(false);
      std::lock_guard lock(mutex_);
      if (!result.ok() && !stop_requested_) {
        lost_ = result;
        log::Error("Leader election lost; stopping at once", {{"error", result}});
      } else if (!result.ok()) {
        log::Warn("Leader election ended", {{"error", result}});
      }
      changed_.notify_all();
    });
  } else {
    leading_ = true;
    metrics_.SetLeader(true);
  }
  control_thread_ = std::thread([this] { Control(); });
  return Status::Ok();
}

void Manager::Control() {
  SteadyTime next_resync = clock_.SteadyNow() + options_.resync_period;
  std::unique_lock lock(mutex_);
  while (!stop_requested_ && lost_.ok()) {
    if (!workers_started_ && leading_.load() && AllSynced()) {
      workers_started_ = true;
      lock.unlock();
      StartWorkers();
      lock.lock();
      continue;
    }
    changed_.wait_for(lock, std::chrono::milliseconds(workers_started_ ? 1000 : 20));
    if (options_.resync_period.count() > 0 && clock_.SteadyNow() >= next_resync) {
      next_resync = clock_.SteadyNow() + options_.resync_period;
      lock.unlock();
      for (auto& running : controllers_) informers_.at(running->primary)->Resync();
      lock.lock();
    }
  }
}

void Manager::StartWorkers() {
  for (auto& running : controllers_) {
    log::Info("Starting workers", {{"controller", running->name}, {"workers", options_.workers}});
    for (int i = 0; i < options_.workers; ++i) {
      Running* r = running.get();
      running->workers.emplace_back([this, r] { Work(*r); });
    }
  }
}

void Manager::Work(Running& running) {
  while (auto key = running.queue->Get()) {
    Process(running, *key);
    running.queue->Done(*key);
  }
}

void Manager::Process(Running& running, const std::string& key) {
  auto parsed = kube::ObjectKey::Parse(key);
  if (!parsed.ok()) {
    log::Error("Dropping malformed key", {{"controller", running.name}, {"key", key}});
    running.queue->Forget(key);
    return;
  }
  ReconcileRequest request{*parsed, NewReconcileId(), running.name};
  ReconcileLog reconcile_log(request);
  reconcile_log.Debug("Reconciling");
  SteadyTime start = clock_.SteadyNow();
  StatusOr<ReconcileResult> result = InternalError("reconcile did not run");
  try {
    result = running.controller->Reconcile(request, *this);
  } catch (const std::exception& e) {
    result = InternalError(std::string("reconcile threw: ") + e.what());
  }
  std::chrono::duration<double> took = clock_.SteadyNow() - start;
  if (!result.ok()) {
    metrics_.ObserveReconcile(running.name, "error", took);
    reconcile_log.Error("Reconcile failed", {{"error", result.status()}, {"seconds", took.count()},
                                             {"retries", running.queue->NumRequeues(key)}});
    running.queue->AddRateLimited(key);
    return;
  }
  if (result->requeue_after) {
    metrics_.ObserveReconcile(running.name, "requeue_after", took);
    running.queue->Forget(key);
    running.queue->AddAfter(key, *result->requeue_after);
    reconcile_log.Debug("Reconciled", {{"seconds", took.count()},
                                       {"requeueAfterMs", int64_t(result->requeue_after->count())}});
  } else if (result->requeue) {
    metrics_.ObserveReconcile(running.name, "requeue", took);
    running.queue->AddRateLimited(key);
    reconcile_log.Debug("Reconciled", {{"seconds", took.count()}, {"requeue", true}});
  } else {
    metrics_.ObserveReconcile(running.name, "success", took);
    running.queue->Forget(key);
    reconcile_log.Debug("Reconciled", {{"seconds", took.count()}});
  }
}

Status Manager::Wait() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return stop_requested_ || !lost_.ok(); });
  return lost_;
}

void Manager::RequestStop() {
  std::lock_guard lock(mutex_);
  stop_requested_ = true;
  changed_.notify_all();
}

void Manager::Shutdown() {
  if (shut_down_.exchange(true)) return;
  RequestStop();
  log::Info("Shutting down");
  // The control thread may be starting workers right now: let it finish before joining them.
  if (control_thread_.joinable()) control_thread_.join();
  for (auto& running : controllers_) running->queue->ShutDown();
  for (auto& running : controllers_) {
    for (auto& worker : running->workers) worker.join();
    running->workers.clear();
  }
  if (elector_) elector_->Stop();
  if (elector_thread_.joinable()) elector_thread_.join();
  for (auto& [resource, informer] : informers_) informer->Stop();
  server_.Stop();
  log::Info("Shut down");
}

}  // namespace lifeboat::runtime
