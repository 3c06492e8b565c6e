// ClusterApi: the few API operations the job controller and the local kubelet need (get, list,
// create, update, update status, delete, watch), as an interface so that the shells can run
// against the devcluster's in-process ObjectStore (StoreClusterApi) or a test double. Errors are
// Status codes per docs/architecture.md: NotFound, AlreadyExists, Aborted (409 Conflict: observe
// again), InvalidArgument (400/422), Unavailable/Internal otherwise; messages are the server's.
//
// Implementations must be thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

struct ResourceRef {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string resource;  // plural
  std::string kind;
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
};

inline const ResourceRef kJobsResource{"batch", "v1", "jobs", "Job"};
inline const ResourceRef kPodsResource{"", "v1", "pods", "Pod"};
inline const ResourceRef kDeploymentsResource{"apps", "v1", "deployments", "Deployment"};
inline const ResourceRef kReplicaSetsResource{"apps", "v1", "replicasets", "ReplicaSet"};
inline const ResourceRef kEventsResource{"", "v1", "events", "Event"};
inline const ResourceRef kSecretsResource{"", "v1", "secrets", "Secret"};
inline const ResourceRef kConfigMapsResource{"", "v1", "configmaps", "ConfigMap"};
inline const ResourceRef kClaimsResource{"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim"};

// A stream of changes of one resource (all namespaces).
class ChangeStream {
 public:
  virtual ~ChangeStream() = default;
  // Waits up to `timeout` for the next change; returns {"type":..,"object":..} or nullopt.
  // Closed() becomes true when the stream ended (the caller opens a new one).
  virtual std::optional<nlohmann::json> Next(std::chrono::milliseconds timeout) = 0;
  virtual bool Closed() const = 0;
  virtual void Cancel() = 0;
};

class ClusterApi {
 public:
  virtual ~ClusterApi() = default;
  virtual StatusOr<nlohmann::json> Get(const ResourceRef& resource, const std::string& ns, const std::string& name) = 0;
  // ns "" = all namespaces.
  virtual StatusOr<std::vector<nlohmann::json>> List(const ResourceRef& resource, const std::string& ns,
                                                     const std::string& label_selector = "") = 0;
  virtual StatusOr<nlohmann::json> Create(const ResourceRef& resource, const std::string& ns,
                                          const nlohmann::json& object) = 0;
  // PUT of the whole object (metadata.resourceVersion is a precondition).
  virtual StatusOr<nlohmann::json> Update(const ResourceRef& resource, const nlohmann::json& object) = 0;
  // PUT of the status subresource (metadata.resourceVersion is a precondition).
  virtual StatusOr<nlohmann::json> UpdateStatus(const ResourceRef& resource, const nlohmann::json& object) = 0;
  // DELETE with propagationPolicy Background; `uid` (if not empty) is a precondition.
  virtual Status Delete(const ResourceRef& resource, const std::string& ns, const std::string& name,
                        const std::string& uid = "") = 0;
  virtual StatusOr<std::unique_ptr<ChangeStream>> Watch(const ResourceRef& resource) = 0;
};

}  // namespace lifeboat::devcluster
