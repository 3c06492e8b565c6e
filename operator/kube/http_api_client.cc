#include "operator/kube/http_api_client.h"

#include <deque>
#include <thread>

#include "operator/kube/api_error.h"
#include "operator/kube/line_splitter.h"
#include "operator/logging/log.h"

namespace lifeboat::kube {
namespace {

void AppendQuery(std::string& path, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  path += path.find('?') == std::string::npos ? '?' : '&';
  path += key;
  path += '=';
  path += UrlEncode(value);
}

// Validates names before they become path segments.
Status CheckName(std::string_view what, std::string_view value, bool required) {
  if (value.empty()) {
    return required ? InvalidArgumentError(std::string(what) + " must not be empty") : Status::Ok();
  }
  for (char c : value) {
    if (c == '/' || c == '?' || c == '#' || c == '%' || static_cast<unsigned char>(c) <= 0x20) {
      return InvalidArgumentError(std::string(what) + " \"" + std::string(value) + "\" contains a character not "
                                  "allowed in a Kubernetes name");
    }
  }
  return Status::Ok();
}

Status CheckScope(const ResourceRef& resource, std::string_view ns, bool need_namespace) {
  if (resource.resource.empty() || resource.version.empty()) {
    return InvalidArgumentError("resource and version must be set");
  }
  LIFEBOAT_RETURN_IF_ERROR(CheckName("namespace", ns, false));
  if (!resource.namespaced && !ns.empty()) {
    return InvalidArgumentError(resource.GroupResource() + " is cluster-scoped; no namespace allowed");
  }
  if (resource.namespaced && need_namespace && ns.empty()) {
    return InvalidArgumentError(resource.GroupResource() + " is namespaced; a namespace is required");
  }
  return Status::Ok();
}

}  // namespace

class HttpWatchStream::LineBuffer {
 public:
  LineSplitter splitter;
  std::deque<std::string> ready;
  bool ended = false;
};

HttpWatchStream::HttpWatchStream(std::unique_ptr<HttpStream> stream)
    : stream_(std::move(stream)), lines_(std::make_unique<LineBuffer>()) {}

StatusOr<std::optional<WatchEvent>> HttpWatchStream::Next() {
  while (lines_->ready.empty()) {
    if (lines_->ended) return std::optional<WatchEvent>();
    auto chunk = stream_->ReadChunk();
    if (!chunk.ok()) return chunk.status();
    if (chunk->empty()) {
      lines_->ended = true;
      std::string rest = lines_->splitter.TakeRemainder();
      if (!rest.empty()) lines_->ready.push_back(std::move(rest));
      continue;
    }
    for (auto& line : lines_->splitter.Feed(*chunk)) lines_->ready.push_back(std::move(line));
  }
  std::string line = std::move(lines_->ready.front());
  lines_->ready.pop_front();
  auto event = ParseWatchEvent(line);
  if (!event.ok()) return event.status();
  return std::optional<WatchEvent>(std::move(*event));
}

void HttpWatchStream::Cancel() { stream_->Cancel(); }

HttpApiClient::HttpApiClient(HttpTransport& transport, const Clock& clock, HttpApiClientOptions options,
                             ApiObserver* observer)
    : transport_(transport), clock_(clock), options_(std::move(options)), observer_(observer) {
  if (!options_.sleep) {
    options_.sleep = [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
  }
}

HttpRequest HttpApiClient::NewRequest(std::string method, std::string path) const {
  HttpRequest request;
  request.method = std::move(method);
  request.path_and_query = std::move(path);
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("User-Agent", options_.user_agent);
  return request;
}

StatusOr<HttpResponse> HttpApiClient::Send(std::string_view verb, HttpRequest request) {
  for (int attempt = 0;; ++attempt) {
    SteadyTime start = clock_.SteadyNow();
    auto response = transport_.Send(request);
    std::chrono::duration<double> latency = clock_.SteadyNow() - start;
    std::string code = response.ok() ? std::to_string(response->status) : "error";
    if (observer_ != nullptr) observer_->ObserveRequest(verb, code, latency);
    if (log::Enabled(log::Level::kDebug)) {
      log::Debug("API request", {{"verb", verb}, {"method", request.method}, {"path", request.path_and_query},
                                 {"code", code}, {"seconds", latency.count()}});
    }
    if (!response.ok()) return response.status();
    int status = response->status;
    std::string retry_after = response->Header("retry-after");
    bool throttled = status == 429 || (status == 503 && !retry_after.empty());
    if (!throttled || attempt >= options_.max_throttle_retries) return response;
    auto delay = ParseRetryAfter(retry_after).value_or(options_.default_retry_after);
    if (delay > options_.max_retry_after) delay = options_.max_retry_after;
    log::Info("API server asked to retry later", {{"verb", verb}, {"path", request.path_and_query},
                                                   {"code", status}, {"retryAfterSeconds", int64_t(delay.count())}});
    options_.sleep(std::chrono::duration_cast<std::chrono::milliseconds>(delay));
  }
}

StatusOr<Json> HttpApiClient::SendForObject(std::string_view verb, HttpRequest request) {
  auto response = Send(verb, std::move(request));
  if (!response.ok()) return response.status();
  if (response->status < 200 || response->status > 299) {
    return StatusFromHttp(response->status, response->body, response->Header("retry-after"));
  }
  Json body = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return InternalError("the API server answered HTTP " + std::to_string(response->status) +
                         " with a body that is not a JSON object");
  }
  return body;
}

StatusOr<Json> HttpApiClient::Get(const ResourceRef& resource, std::string_view ns, std::string_view name,
                                  std::string_view subresource) {
  LIFEBOAT_RETURN_IF_ERROR(CheckScope(resource, ns, true));
  LIFEBOAT_RETURN_IF_ERROR(CheckName("name", name, true));
  return SendForObject("get", NewRequest("GET", resource.ObjectPath(ns, name, subresource)));
}

StatusOr<ListPage> HttpApiClient::ListOnePage(const ResourceRef& resource, std::string_view ns,
                                              const ListOptions& options) {
  LIFEBOAT_RETURN_IF_ERROR(CheckScope(resource, ns, false));
  std::string path = resource.CollectionPath(ns);
  AppendQuery(path, "labelSelector", options.label_selector);
  AppendQuery(path, "fieldSelector", options.field_selector);
  if (options.limit > 0) AppendQuery(path, "limit", std::to_string(options.limit));
  AppendQuery(path, "continue", options.continue_token);
  AppendQuery(path, "resourceVersion", options.resource_version);
  auto body = SendForObject("list", NewRequest("GET", path));
  if (!body.ok()) return body.status();
  ListPage page;
  if (auto metadata = body->find("metadata"); metadata != body->end() && metadata->is_object()) {
    page.resource_version = metadata->value("resourceVersion", "");
    page.continue_token = metadata->value("continue", "");
  }
  auto items = body->find("items");
  if (items != body->end() && items->is_array()) {
    page.items.reserve(items->size());
    // Items of a list carry no kind/apiVersion: restore them so cached objects are self-describing.
    std::string list_kind = body->value("kind", "");
    std::string kind = list_kind.size() > 4 && list_kind.ends_with("List") ? list_kind.substr(0, list_kind.size() - 4)
                                                                           : resource.kind;
    for (auto& item : *items) {
      if (!item.contains("kind") && !kind.empty()) item["kind"] = kind;
      if (!item.contains("apiVersion")) item["apiVersion"] = resource.ApiVersion();
      page.items.push_back(std::move(item));
    }
  } else if (items != body->end() && !items->is_null()) {
    return InternalError("list answer for " + resource.GroupResource() + " has items that are not an array");
  }
  return page;
}

StatusOr<Json> HttpApiClient::Create(const ResourceRef& resource, std::string_view ns, const Json& object) {
  if (!object.is_object()) return InvalidArgumentError("object to create must be a JSON object");
  std::string target_ns = ns.empty() ? ObjectNamespace(object) : std::string(ns);
  LIFEBOAT_RETURN_IF_ERROR(CheckScope(resource, target_ns, true));
  HttpRequest request = NewRequest("POST", resource.CollectionPath(target_ns));
  Json body = object;
  if (resource.namespaced) body["metadata"]["namespace"] = target_ns;
  request.body = body.dump();
  request.content_type = "application/json";
  return SendForObject("create", std::move(request));
}

StatusOr<Json> HttpApiClient::Update(const ResourceRef& resource, std::string_view ns, const Json& object,
                                     std::string_view subresource) {
  if (!object.is_object()) return InvalidArgumentError("object to update must be a JSON object");
  std::string target_ns = ns.empty() ? ObjectNamespace(object) : std::string(ns);
  std::string name = ObjectName(object);
  LIFEBOAT_RETURN_IF_ERROR(CheckScope(resource, target_ns, true));
  LIFEBOAT_RETURN_IF_ERROR(CheckName("metadata.name", name, true));
  HttpRequest request = NewRequest("PUT", resource.ObjectPath(target_ns, name, subresource));
  request.body = object.dump();
  request.content_type = "application/json";
  return SendForObject("update", std::move(request));
}

StatusOr<Json> HttpApiClient::Patch(const ResourceRef& resource, std::string_view ns, std::string_view name,
                                    PatchType type, const Json& patch, std::string_view subresource) {
  LIFEBOAT_RETURN_IF_ERROR(CheckScope(resource, ns, true));
  LIFEBOAT_RETURN_IF_ERROR(CheckName("name", name, true));
  if (type == PatchType::kJson && !patch.is_array()) {
    return InvalidArgumentError("a JSON patch must be an array of operations");
  }
  if (type != PatchType::kJson && !patch.is_object()) return InvalidArgumentError("a merge patch must be an object");
  HttpRequest request = NewRequest("PATCH", resource.ObjectPath(ns, name, subresource));
  request.body = patch.dump();
  request.content_type = PatchContentType(type);
  return SendForObject("patch", std::move(request));
}

Status HttpApiClient::Delete(const ResourceRef& resource, std::string_view ns, std::string_view name,
                             const DeleteOptions& options) {
  LIFEBOAT_RETURN_IF_ERROR(CheckScope(resource, ns, true));
  LIFEBOAT_RETURN_IF_ERROR(CheckName("name", name, true));
  HttpRequest request = NewRequest("DELETE", resource.ObjectPath(ns, name));
  request.body = options.ToJson().dump();
  request.content_type = "application/json";
  auto response = Send("delete", std::move(request));
  if (!response.ok()) return response.status();
  if (response->status >= 200 && response->status <= 299) return Status::Ok();
  return StatusFromHttp(response->status, response->body, response->Header("retry-after"));
}

StatusOr<std::unique_ptr<WatchStream>> HttpApiClient::Watch(const ResourceRef& resource, std::string_view ns,
                                                            const WatchOptions& options) {
  LIFEBOAT_RETURN_IF_ERROR(CheckScope(resource, ns, false));
  std::string path = resource.CollectionPath(ns) + "?watch=1";
  AppendQuery(path, "resourceVersion", options.resource_version);
  if (options.allow_bookmarks) AppendQuery(path, "allowWatchBookmarks", "true");
  AppendQuery(path, "labelSelector", options.label_selector);
  AppendQuery(path, "fieldSelector", options.field_selector);
  if (options.timeout_seconds > 0) AppendQuery(path, "timeoutSeconds", std::to_string(options.timeout_seconds));
  HttpRequest request = NewRequest("GET", path);
  SteadyTime start = clock_.SteadyNow();
  auto stream = transport_.OpenStream(request);
  std::chrono::duration<double> latency = clock_.SteadyNow() - start;
  std::string code = stream.ok() ? std::to_string((*stream)->Head().status) : "error";
  if (observer_ != nullptr) observer_->ObserveRequest("watch", code, latency);
  log::Debug("API watch opened", {{"path", path}, {"code", code}});
  if (!stream.ok()) return stream.status();
  const HttpResponse& head = (*stream)->Head();
  if (head.status != 200) return StatusFromHttp(head.status, head.body, head.Header("retry-after"));
  return std::unique_ptr<WatchStream>(new HttpWatchStream(std::move(*stream)));
}

}  // namespace lifeboat::kube
