// Helpers shared by the devcluster store tests: an in-memory (or on-disk) ObjectStore on a
// FakeClock, the Gizmo CRD of /work/shared/k8s-wire/crd.yaml, and short request builders.
// Not thread-safe beyond what ObjectStore itself guarantees.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/store/object_store.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::devcluster::testing {

using nlohmann::json;

// The CRD recorded against the real server (group example.com, kind Gizmo, status subresource).
inline json GizmoCrd() {
  return json::parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "gizmos.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
      "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo", "shortNames": ["gz"], "categories": ["example"]},
      "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
        "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}],
        "schema": {"openAPIV3Schema": {"type": "object", "properties": {
          "spec": {"type": "object", "required": ["size"], "properties": {
            "size": {"type": "integer", "minimum": 1, "maximum": 10},
            "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"}}},
          "status": {"type": "object", "properties": {
            "conditions": {"type": "array", "items": {"type": "object", "required": ["type", "status"],
              "properties": {"type": {"type": "string"}, "status": {"type": "string"}}}}}}}}}}]}})");
}

inline ResourcePath Path(std::string group, std::string version, std::string resource, std::string ns = "",
                         std::string name = "", std::string subresource = "") {
  return ResourcePath{std::move(group), std::move(version), std::move(resource), std::move(ns), std::move(name),
                      std::move(subresource)};
}
inline ResourcePath Gizmos(std::string ns = "default", std::string name = "", std::string sub = "") {
  return Path("example.com", "v1", "gizmos", std::move(ns), std::move(name), std::move(sub));
}
inline ResourcePath ConfigMaps(std::string ns = "default", std::string name = "") {
  return Path("", "v1", "configmaps", std::move(ns), std::move(name));
}

inline json Gizmo(const std::string& name, int size) {
  return json{{"apiVersion", "example.com/v1"}, {"kind", "Gizmo"}, {"metadata", {{"name", name}}}, {"spec", {{"size", size}}}};
}
inline json ConfigMap(const std::string& name, json labels = json::object()) {
  json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"a", "b"}}}};
  if (!labels.empty()) cm["metadata"]["labels"] = labels;
  return cm;
}
inline json Deployment(const std::string& name, int replicas) {
  return json{{"apiVersion", "apps/v1"},
              {"kind", "Deployment"},
              {"metadata", {{"name", name}}},
              {"spec",
               {{"replicas", replicas},
                {"selector", {{"matchLabels", {{"app", name}}}}},
                {"template",
                 {{"metadata", {{"labels", {{"app", name}}}}},
                  {"spec", {{"containers", {{{"name", "web"}, {"image", "nginx:1.25"}}}}}}}}}}};
}

// A batch/v1 Job running one busybox container; restart_policy "" leaves it out.
inline json Job(const std::string& name, const std::string& restart_policy = "Never") {
  json job = json::parse(R"({"apiVersion":"batch/v1","kind":"Job","metadata":{},
    "spec":{"template":{"spec":{"containers":[{"name":"main","image":"busybox"}]}}}})");
  job["metadata"]["name"] = name;
  if (!restart_policy.empty()) job["spec"]["template"]["spec"]["restartPolicy"] = restart_policy;
  return job;
}

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  // (Re)opens the store with the current options_.
  void Reopen() {
    store_.reset();
    auto opened = ObjectStore::Open(options_, clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
  }

  void InstallGizmos() {
    auto created = Create(Path("apiextensions.k8s.io", "v1", "customresourcedefinitions"), GizmoCrd());
    ASSERT_TRUE(created.ok()) << created.error().message;
  }

  ApiResult<WriteResult> Create(const ResourcePath& path, const json& body, WriteOptions options = {}) {
    CreateRequest request;
    request.path = path;
    request.body = body;
    request.raw_body = body.dump();
    request.options = options;
    return store_->Create(request);
  }
  json MustCreate(const ResourcePath& path, const json& body) {
    auto created = Create(path, body);
    EXPECT_TRUE(created.ok()) << (created.ok() ? "" : created.error().message);
    return created.ok() ? created->object : json();
  }
  ApiResult<json> Get(const ResourcePath& path) { return store_->Get(GetRequest{path, ""}); }
  json MustGet(const ResourcePath& path) {
    auto got = Get(path);
    EXPECT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
    return got.ok() ? *got : json();
  }
  ApiResult<WriteResult> Update(const ResourcePath& path, const json& body, WriteOptions options = {}) {
    UpdateRequest request;
    request.path = path;
    request.body = body;
    request.raw_body = body.dump();
    request.options = options;
    return store_->Update(request);
  }
  ApiResult<WriteResult> Patch(const ResourcePath& path, PatchType type, const json& patch, WriteOptions options = {}) {
    PatchRequest request;
    request.path = path;
    request.type = type;
    request.patch = patch;
    request.raw_patch = patch.dump();
    request.options = options;
    return store_->Patch(request);
  }
  ApiResult<DeleteResult> Delete(const ResourcePath& path, DeleteOptions options = {}) {
    return store_->Delete(DeleteRequest{path, options});
  }
  ApiResult<ListResult> List(const ResourcePath& path, std::string label_selector = "", std::string field_selector = "",
                             int64_t limit = 0, std::string continue_token = "") {
    ListRequest request;
    request.path = path;
    request.label_selector = std::move(label_selector);
    request.field_selector = std::move(field_selector);
    request.limit = limit;
    request.continue_token = std::move(continue_token);
    return store_->List(request);
  }
  std::vector<std::string> Names(const ResourcePath& path) {
    std::vector<std::string> names;
    auto listed = List(path);
    EXPECT_TRUE(listed.ok());
    if (listed.ok())
      for (const auto& item : listed->list["items"]) names.push_back(item["metadata"]["name"]);
    return names;
  }
  bool Exists(const ResourcePath& path) { return Get(path).ok(); }

  lifeboat::testing::FakeClock clock_;
  ObjectStoreOptions options_;
  std::unique_ptr<ObjectStore> store_;
};

}  // namespace lifeboat::devcluster::testing
