// Controller: what a Lifeboat controller declares and does, for the Manager to run it.
//   - Primary(): the resource it reconciles; every change to one of its objects enqueues that
//     object's key ("namespace/name").
//   - Owns(): child resources it creates (Jobs, Pods, ...); a change to a child enqueues the key of
//     its owner (ownerReferences whose kind and group match Primary()). The children of an owner are
//     read from the cache's owner index: context.Cache(child).ListByOwner(owner_uid).
//   - Watches(): other resources it reads (neither reconciled nor owned); a change to one of their
//     objects, before or after, enqueues the keys its map function returns (controller-runtime's
//     Watches with EnqueueRequestsFromMapFunc). Their objects are in context.Cache(resource).
//   - Reconcile(request, context): level-based; reads the world (caches first), acts through
//     context.client, reports with context.recorder, reads time only from context.clock. It returns
//     when to look again (RequeueAfter), Requeue (with per-key backoff), or Done; an error is
//     retried with per-key exponential backoff.
//   - CacheProjection(resource): optionally drops fields this controller never reads from the cached
//     objects of `resource` (applied when only this controller watches that resource).
// Reconcile is called by several workers at once, but never for the same key concurrently, so it
// must be thread-safe across keys.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operator/core/clock.h"
#include "operator/core/status.h"
#include "operator/kube/api_client.h"
#include "operator/kube/event_recorder.h"
#include "operator/kube/object_cache.h"
#include "operator/kube/resource.h"
#include "operator/logging/log.h"

namespace prometheus {
class Registry;
}

namespace lifeboat::runtime {

struct ReconcileRequest {
  kube::ObjectKey key;
  std::string reconcile_id;  // Unique per Reconcile call; in every log line about it.
  std::string controller;
};

struct ReconcileResult {
  bool requeue = false;                                   // Again soon, with per-key backoff.
  std::optional<std::chrono::milliseconds> requeue_after;  // Again after this long (resets backoff).

  static ReconcileResult Done() { return {}; }
  static ReconcileResult Requeue() { return {true, std::nullopt}; }
  static ReconcileResult RequeueAfter(std::chrono::milliseconds after) { return {false, after}; }
};

// Log lines for one reconcile: controller, namespace, name and reconcileID are added to every line.
class ReconcileLog {
 public:
  explicit ReconcileLog(const ReconcileRequest& request) : request_(request) {}
  void Write(log::Level level, std::string_view message, std::initializer_list<log::Field> fields = {}) const;
  void Debug(std::string_view m, std::initializer_list<log::Field> f = {}) const { Write(log::Level::kDebug, m, f); }
  void Info(std::string_view m, std::initializer_list<log::Field> f = {}) const { Write(log::Level::kInfo, m, f); }
  void Warn(std::string_view m, std::initializer_list<log::Field> f = {}) const { Write(log::Level::kWarn, m, f); }
  void Error(std::string_view m, std::initializer_list<log::Field> f = {}) const { Write(log::Level::kError, m, f); }

 private:
  const ReconcileRequest& request_;
};

// A related resource and which of the controller's keys a change to one of its objects concerns.
struct Watch {
  kube::ResourceRef resource;
  std::function<std::vector<kube::ObjectKey>(const nlohmann::json& object)> keys;
};

// What a controller gets to do its work. The caches cover Primary(), Owns() and Watches() of every
// controller.
class ControllerContext {
 public:
  virtual ~ControllerContext() = default;
  virtual kube::ApiClient& client() = 0;
  virtual kube::EventRecorder& recorder() = 0;
  virtual const Clock& clock() = 0;
  // The informer cache of a resource declared by a controller; nullptr for any other resource.
  virtual const kube::ObjectCache* Cache(const kube::ResourceRef& resource) = 0;
  // The registry /metrics serves, for a controller's domain metrics (lifeboat_backup_*); nullptr
  // when there is none (tests). Families registered here must be thread-safe (prometheus-cpp's are).
  virtual prometheus::Registry* metrics_registry() { return nullptr; }
};

class Controller {
 public:
  virtual ~Controller() = default;
  // Lower-case name for logs, metrics and the queue ("backuppolicy").
  virtual std::string Name() const = 0;
  virtual kube::ResourceRef Primary() const = 0;
  virtual std::vector<kube::ResourceRef> Owns() const { return {}; }
  virtual std::vector<Watch> Watches() const { return {}; }
  virtual kube::Projection CacheProjection(const kube::ResourceRef&) const { return nullptr; }
  virtual StatusOr<ReconcileResult> Reconcile(const ReconcileRequest& request, ControllerContext& context) = 0;
};

// Builds a controller; `lifeboat operator` runs the list returned by OperatorControllers().
using ControllerFactory = std::function<std::unique_ptr<Controller>()>;

}  // namespace lifeboat::runtime
