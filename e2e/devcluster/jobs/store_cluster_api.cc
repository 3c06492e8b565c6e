#include "e2e/devcluster/jobs/store_cluster_api.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

ResourcePath PathOf(const ResourceRef& resource, const std::string& ns, const std::string& name,
                    const std::string& subresource = "") {
  ResourcePath path;
  path.group = resource.group;
  path.version = resource.version;
  path.resource = resource.resource;
  path.namespace_name = ns;
  path.name = name;
  path.subresource = subresource;
  return path;
}

std::string NamespaceOf(const json& object) {
  return object.contains("metadata") ? object["metadata"].value("namespace", "") : "";
}
std::string NameOf(const json& object) {
  return object.contains("metadata") ? object["metadata"].value("name", "") : "";
}

class StoreChangeStream final : public ChangeStream {
 public:
  explicit StoreChangeStream(WatchSubscriptionPtr subscription) : subscription_(std::move(subscription)) {}
  ~StoreChangeStream() override { subscription_->Cancel(); }
  std::optional<json> Next(std::chrono::milliseconds timeout) override {
    std::optional<WatchEvent> event = subscription_->Next(timeout);
    if (!event || !event->object) return std::nullopt;
    return json{{"type", WatchEventTypeName(event->type)}, {"object", *event->object}};
  }
  bool Closed() const override { return subscription_->Closed(); }
  void Cancel() override { subscription_->Cancel(); }

 private:
  WatchSubscriptionPtr subscription_;
};

}  // namespace

Status StoreClusterApi::ToStatus(const ApiError& error) {
  switch (error.code) {
    case 404: return NotFoundError(error.message);
    case 409: return error.reason == "AlreadyExists" ? AlreadyExistsError(error.message) : AbortedError(error.message);
    case 400:
    case 422: return InvalidArgumentError(error.message);
    case 401:
    case 403: return PermissionDeniedError(error.message);
    case 410: return AbortedError(error.message);
    case 429:
    case 500:
    case 503:
    case 504: return UnavailableError(error.message);
    default: return InternalError(error.message);
  }
}

StatusOr<json> StoreClusterApi::Get(const ResourceRef& resource, const std::string& ns, const std::string& name) {
  GetRequest request;
  request.path = PathOf(resource, ns, name);
  auto result = store_.Get(request);
  if (!result.ok()) return ToStatus(result.error());
  return *result;
}

StatusOr<std::vector<json>> StoreClusterApi::List(const ResourceRef& resource, const std::string& ns,
                                                  const std::string& label_selector) {
  ListRequest request;
  request.path = PathOf(resource, ns, "");
  request.label_selector = label_selector;
  auto result = store_.List(request);
  if (!result.ok()) return ToStatus(result.error());
  std::vector<json> items;
  for (const json& item : result->list.value("items", json::array())) {
    json object = item;
    // List items carry no apiVersion/kind on a real server's JSON for typed lists; add them.
    object["apiVersion"] = resource.ApiVersion();
    object["kind"] = resource.kind;
    items.push_back(std::move(object));
  }
  return items;
}

StatusOr<json> StoreClusterApi::Create(const ResourceRef& resource, const std::string& ns, const json& object) {
  CreateRequest request;
  request.path = PathOf(resource, ns, "");
  request.body = object;
  request.options.field_manager = field_manager_;
  auto result = store_.Create(request);
  if (!result.ok()) return ToStatus(result.error());
  return result->object;
}

StatusOr<json> StoreClusterApi::Update(const ResourceRef& resource, const json& object) {
  UpdateRequest request;
  request.path = PathOf(resource, NamespaceOf(object), NameOf(object));
  request.body = object;
  request.options.field_manager = field_manager_;
  auto result = store_.Update(request);
  if (!result.ok()) return ToStatus(result.error());
  return result->object;
}

StatusOr<json> StoreClusterApi::UpdateStatus(const ResourceRef& resource, const json& object) {
  UpdateRequest request;
  request.path = PathOf(resource, NamespaceOf(object), NameOf(object), "status");
  request.body = object;
  request.options.field_manager = field_manager_;
  auto result = store_.Update(request);
  if (!result.ok()) return ToStatus(result.error());
  return result->object;
}

Status StoreClusterApi::Delete(const ResourceRef& resource, const std::string& ns, const std::string& name,
                               const std::string& uid) {
  DeleteRequest request;
  request.path = PathOf(resource, ns, name);
  request.options.propagation_policy = "Background";
  if (!uid.empty()) request.options.precondition_uid = uid;
  auto result = store_.Delete(request);
  if (!result.ok()) return ToStatus(result.error());
  return Status::Ok();
}

StatusOr<std::unique_ptr<ChangeStream>> StoreClusterApi::Watch(const ResourceRef& resource) {
  WatchRequest request;
  request.path = PathOf(resource, "", "");
  request.resource_version = std::to_string(store_.CurrentResourceVersion());
  auto result = store_.Watch(request);
  if (!result.ok()) return ToStatus(result.error());
  return std::unique_ptr<ChangeStream>(new StoreChangeStream(*result));
}

}  // namespace lifeboat::devcluster
