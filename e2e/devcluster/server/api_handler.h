// ApiHandler: the Kubernetes REST API of the devcluster on top of the ObjectStore. It authenticates
// (bearer token; /healthz, /livez, /readyz and /version are public as on a real server), routes every
// path (discovery, OpenAPI, health, resources and their status/scale/log subresources) onto the
// store, negotiates the answer's form (JSON object, `Table`, `PartialObjectMetadata`), streams
// watches (newline-delimited events, bookmarks, timeoutSeconds, an expired resourceVersion as HTTP
// 200 with one ERROR event), turns store warnings into `Warning` headers and logs every request.
// Thread-safe: Handle() is called concurrently from connection threads.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "e2e/devcluster/server/api_route.h"
#include "e2e/devcluster/server/http_message.h"
#include "e2e/devcluster/server/openapi.h"
#include "e2e/devcluster/server/pod_logs.h"
#include "e2e/devcluster/server/request_log.h"
#include "e2e/devcluster/store/object_store.h"
#include "operator/core/clock.h"

namespace lifeboat::devcluster {

struct ApiHandlerOptions {
  std::filesystem::path data_dir;  // pod logs are read from <data_dir>/logs
  std::string token;               // the bearer token clients must present
  std::string server_address;      // "127.0.0.1:6443", for /api's serverAddressByClientCIDRs
  // A watch without ?timeoutSeconds ends after this long (the real server picks 30-60 minutes).
  std::chrono::seconds default_watch_timeout{1800};
  // Idle watches with allowWatchBookmarks get a BOOKMARK this often.
  std::chrono::seconds bookmark_interval{60};
};

class ApiHandler {
 public:
  // `request_log` may be null (no logging).
  ApiHandler(ObjectStore& store, ApiHandlerOptions options, const Clock& clock, RequestLog* request_log);

  void Handle(const HttpRequest& request, ResponseWriter& writer);

 private:
  void Dispatch(const HttpRequest& request, ResponseWriter& writer);
  void ServeResource(const HttpRequest& request, const ApiRoute& route, ResponseWriter& writer);
  void ServeWatch(const HttpRequest& request, const ResourceInfo& info, const ResourcePath& path, int form,
                  ResponseWriter& writer);

  ObjectStore& store_;
  ApiHandlerOptions options_;
  const Clock& clock_;
  RequestLog* request_log_;
  OpenApiCache openapi_;
  PodLogs pod_logs_;
};

}  // namespace lifeboat::devcluster
