#include "operator/kube/api_client.h"

#include "operator/kube/api_error.h"

namespace lifeboat::kube {

const char* PatchContentType(PatchType type) {
  switch (type) {
    case PatchType::kMerge: return "application/merge-patch+json";
    case PatchType::kJson: return "application/json-patch+json";
    case PatchType::kStrategicMerge: return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

Json DeleteOptions::ToJson() const {
  Json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!propagation_policy.empty()) body["propagationPolicy"] = propagation_policy;
  if (grace_period_seconds) body["gracePeriodSeconds"] = *grace_period_seconds;
  if (precondition_uid || precondition_resource_version) {
    Json preconditions = Json::object();
    if (precondition_uid) preconditions["uid"] = *precondition_uid;
    if (precondition_resource_version) preconditions["resourceVersion"] = *precondition_resource_version;
    body["preconditions"] = preconditions;
  }
  return body;
}

StatusOr<ListResult> ApiClient::List(const ResourceRef& resource, std::string_view ns, ListOptions options) {
  ListResult result;
  bool restarted = false;
  options.continue_token.clear();
  while (true) {
    auto page = ListOnePage(resource, ns, options);
    if (!page.ok()) {
      if (IsExpired(page.status()) && !options.continue_token.empty() && !restarted) {
        // The continue token outlived the server's compaction window: start over once.
        restarted = true;
        result = ListResult{};
        options.continue_token.clear();
        continue;
      }
      return page.status();
    }
    for (auto& item : page->items) result.items.push_back(std::move(item));
    result.resource_version = page->resource_version;
    if (page->continue_token.empty()) return result;
    options.continue_token = page->continue_token;
  }
}

namespace {
std::string MetadataString(const Json& object, const char* field) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return "";
  auto value = metadata->find(field);
  if (value == metadata->end() || !value->is_string()) return "";
  return value->get<std::string>();
}
}  // namespace

std::string ObjectName(const Json& object) { return MetadataString(object, "name"); }
std::string ObjectNamespace(const Json& object) { return MetadataString(object, "namespace"); }
std::string ObjectUid(const Json& object) { return MetadataString(object, "uid"); }
std::string ObjectResourceVersion(const Json& object) { return MetadataString(object, "resourceVersion"); }
ObjectKey KeyOf(const Json& object) { return ObjectKey{ObjectNamespace(object), ObjectName(object)}; }

}  // namespace lifeboat::kube
