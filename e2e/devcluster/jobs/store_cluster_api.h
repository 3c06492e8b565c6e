// StoreClusterApi: ClusterApi over the devcluster's in-process ObjectStore (no HTTP), used by
// JobRunner. Thread-safe (the store is).
#pragma once

#include "e2e/devcluster/jobs/cluster_api.h"
#include "e2e/devcluster/store/object_store.h"

namespace lifeboat::devcluster {

class StoreClusterApi final : public ClusterApi {
 public:
  // `field_manager` names the writer (e.g. "job-controller", "kubelet").
  StoreClusterApi(ObjectStore& store, std::string field_manager)
      : store_(store), field_manager_(std::move(field_manager)) {}

  StatusOr<nlohmann::json> Get(const ResourceRef& resource, const std::string& ns, const std::string& name) override;
  StatusOr<std::vector<nlohmann::json>> List(const ResourceRef& resource, const std::string& ns,
                                             const std::string& label_selector) override;
  StatusOr<nlohmann::json> Create(const ResourceRef& resource, const std::string& ns,
                                  const nlohmann::json& object) override;
  StatusOr<nlohmann::json> Update(const ResourceRef& resource, const nlohmann::json& object) override;
  StatusOr<nlohmann::json> UpdateStatus(const ResourceRef& resource, const nlohmann::json& object) override;
  Status Delete(const ResourceRef& resource, const std::string& ns, const std::string& name,
                const std::string& uid) override;
  StatusOr<std::unique_ptr<ChangeStream>> Watch(const ResourceRef& resource) override;

  // The Status for an ApiError (code per docs/architecture.md, the server's message).
  static Status ToStatus(const ApiError& error);

 private:
  ObjectStore& store_;
  const std::string field_manager_;
};

}  // namespace lifeboat::devcluster
