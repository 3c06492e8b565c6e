// FakeClusterApi: an in-memory ClusterApi for shell tests: resourceVersions, uids, optimistic
// concurrency on updates, finalizers and deletionTimestamp, garbage collection of objects whose
// controller owner is deleted, and failure injection (the Nth write fails with Unavailable).
// Watches are not supported. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "e2e/devcluster/jobs/cluster_api.h"

namespace lifeboat::devcluster::testing {

class FakeClusterApi final : public ClusterApi {
 public:
  using json = nlohmann::json;

  StatusOr<json> Get(const ResourceRef& resource, const std::string& ns, const std::string& name) override {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(Key(resource, ns, name));
    if (it == objects_.end()) return NotFoundError(resource.resource + " \"" + name + "\" not found");
    return it->second;
  }

  StatusOr<std::vector<json>> List(const ResourceRef& resource, const std::string& ns,
                                   const std::string& label_selector) override {
    std::lock_guard lock(mutex_);
    std::vector<json> out;
    const std::string prefix = resource.resource + "/";
    for (const auto& [key, object] : objects_) {
      if (key.rfind(prefix, 0) != 0) continue;
      if (!ns.empty() && object["metadata"].value("namespace", "") != ns) continue;
      if (!label_selector.empty()) {
        const size_t eq = label_selector.find('=');
        const json labels = object["metadata"].value("labels", json::object());
        if (labels.value(label_selector.substr(0, eq), "") != label_selector.substr(eq + 1)) continue;
      }
      out.push_back(object);
    }
    return out;
  }

  StatusOr<json> Create(const ResourceRef& resource, const std::string& ns, const json& object) override {
    std::lock_guard lock(mutex_);
    LIFEBOAT_RETURN_IF_ERROR(MaybeFail());
    json stored = object;
    stored["metadata"]["namespace"] = ns;
    const std::string key = Key(resource, ns, stored["metadata"].value("name", ""));
    if (objects_.count(key)) return AlreadyExistsError(key + " already exists");
    stored["metadata"]["uid"] = "uid-" + std::to_string(++uid_counter_);
    stored["metadata"]["resourceVersion"] = std::to_string(++rv_);
    objects_[key] = stored;
    ++creates_[resource.resource];
    return stored;
  }

  StatusOr<json> Update(const ResourceRef& resource, const json& object) override {
    return Write(resource, object, false);
  }
  StatusOr<json> UpdateStatus(const ResourceRef& resource, const json& object) override {
    return Write(resource, object, true);
  }

  Status Delete(const ResourceRef& resource, const std::string& ns, const std::string& name,
                const std::string& uid) override {
    std::lock_guard lock(mutex_);
    LIFEBOAT_RETURN_IF_ERROR(MaybeFail());
    const std::string key = Key(resource, ns, name);
    auto it = objects_.find(key);
    if (it == objects_.end()) return NotFoundError(key + " not found");
    if (!uid.empty() && it->second["metadata"].value("uid", "") != uid) return AbortedError("uid precondition");
    DeleteLocked(key);
    return Status::Ok();
  }

  StatusOr<std::unique_ptr<ChangeStream>> Watch(const ResourceRef&) override {
    return UnavailableError("watch is not supported by FakeClusterApi");
  }

  // The `n`th write from now (1 = the next) fails once with Unavailable.
  void FailWrite(int n) {
    std::lock_guard lock(mutex_);
    fail_countdown_ = n;
  }
  int Creates(const std::string& resource) {
    std::lock_guard lock(mutex_);
    return creates_[resource];
  }
  // Test-side mutation of an object (e.g. a pod's status), bypassing failure injection.
  void Mutate(const ResourceRef& resource, const std::string& ns, const std::string& name,
              const std::function<void(json&)>& change) {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(Key(resource, ns, name));
    if (it == objects_.end()) return;
    change(it->second);
    it->second["metadata"]["resourceVersion"] = std::to_string(++rv_);
  }

 private:
  static std::string Key(const ResourceRef& resource, const std::string& ns, const std::string& name) {
    return resource.resource + "/" + ns + "/" + name;
  }

  Status MaybeFail() {
    if (fail_countdown_ > 0 && --fail_countdown_ == 0) return UnavailableError("injected failure");
    return Status::Ok();
  }

  StatusOr<json> Write(const ResourceRef& resource, const json& object, bool status_only) {
    std::lock_guard lock(mutex_);
    LIFEBOAT_RETURN_IF_ERROR(MaybeFail());
    const json& metadata = object["metadata"];
    const std::string key = Key(resource, metadata.value("namespace", ""), metadata.value("name", ""));
    auto it = objects_.find(key);
    if (it == objects_.end()) return NotFoundError(key + " not found");
    if (metadata.value("resourceVersion", "") != it->second["metadata"].value("resourceVersion", "")) {
      return AbortedError("the object has been modified; please apply your changes to the latest version and try again");
    }
    json stored = it->second;
    if (status_only) {
      stored["status"] = object.value("status", json::object());
    } else {
      json new_metadata = object["metadata"];
      for (const char* keep : {"uid", "deletionTimestamp", "creationTimestamp"}) {
        if (stored["metadata"].contains(keep)) new_metadata[keep] = stored["metadata"][keep];
      }
      json status = stored.value("status", json::object());
      stored = object;
      stored["metadata"] = new_metadata;
      stored["status"] = status;
    }
    stored["metadata"]["resourceVersion"] = std::to_string(++rv_);
    it->second = stored;
    const json finalizers = stored["metadata"].value("finalizers", json::array());
    if (stored["metadata"].contains("deletionTimestamp") && finalizers.empty()) {
      objects_.erase(it);
      return stored;
    }
    return stored;
  }

  void DeleteLocked(const std::string& key) {
    auto it = objects_.find(key);
    if (it == objects_.end()) return;
    const std::string uid = it->second["metadata"].value("uid", "");
    const json finalizers = it->second["metadata"].value("finalizers", json::array());
    if (!finalizers.empty()) {
      it->second["metadata"]["deletionTimestamp"] = "2026-11-22T00:00:00Z";
      it->second["metadata"]["resourceVersion"] = std::to_string(++rv_);
    } else {
      objects_.erase(it);
    }
    // Background garbage collection of dependents.
    std::vector<std::string> dependents;
    for (const auto& [k, object] : objects_) {
      for (const json& ref : object["metadata"].value("ownerReferences", json::array())) {
        if (ref.value("uid", "") == uid && !object["metadata"].contains("deletionTimestamp")) dependents.push_back(k);
      }
    }
    for (const std::string& k : dependents) DeleteLocked(k);
  }

  std::mutex mutex_;
  std::map<std::string, json> objects_;
  std::map<std::string, int> creates_;
  uint64_t rv_ = 0;
  uint64_t uid_counter_ = 0;
  int fail_countdown_ = 0;
};

}  // namespace lifeboat::devcluster::testing
