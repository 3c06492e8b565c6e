// PodLogs: serves `GET /api/v1/namespaces/{ns}/pods/{name}/log` from the container log files the
// job runner writes (`<data-dir>/logs/<namespace>/<pod>/<container>.log`), with `container`,
// `tailLines`, `limitBytes` and `follow` (streamed until the container terminates, the pod is
// deleted or the client goes away), and the real server's errors for an ambiguous or unknown
// container and for a container that has not started. Thread-safe (stateless besides the store).
#pragma once

#include <filesystem>

#include "e2e/devcluster/server/http_message.h"
#include "e2e/devcluster/store/object_store.h"

namespace lifeboat::devcluster {

class PodLogs {
 public:
  PodLogs(ObjectStore& store, std::filesystem::path data_dir) : store_(store), data_dir_(std::move(data_dir)) {}

  // Answers the request completely (including errors as Status bodies).
  void Serve(const HttpRequest& request, const std::string& namespace_name, const std::string& pod_name,
             ResponseWriter& writer);

  // The log file of one container.
  std::filesystem::path LogFile(const std::string& namespace_name, const std::string& pod_name,
                                const std::string& container) const;

 private:
  ObjectStore& store_;
  std::filesystem::path data_dir_;
};

// The last `lines` lines of `text` (a final line without newline counts as a line).
std::string TailLines(const std::string& text, long lines);

}  // namespace lifeboat::devcluster
