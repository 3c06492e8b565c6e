#include "e2e/devcluster/server/pod_logs.h"

#include <chrono>
#include <fstream>
#include <thread>

namespace lifeboat::devcluster {
namespace {

void SendError(ResponseWriter& writer, const ApiError& error) {
  writer.Send(error.code, {{"Content-Type", "application/json"}}, error.ToStatus().dump());
}

bool ParseLong(const std::string& text, long& out) {
  if (text.empty()) return false;
  try {
    size_t used = 0;
    out = std::stol(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

const nlohmann::json* FindContainerStatus(const nlohmann::json& pod, const std::string& container) {
  for (const char* key : {"containerStatuses", "initContainerStatuses"}) {
    if (!pod.contains("status") || !pod["status"].contains(key) || !pod["status"][key].is_array()) continue;
    for (const auto& s : pod["status"][key]) {
      if (s.value("name", "") == container) return &s;
    }
  }
  return nullptr;
}

// True when the container will write no more (terminated, or the pod is finished).
bool ContainerDone(const nlohmann::json& pod, const std::string& container) {
  std::string phase = pod.contains("status") ? pod["status"].value("phase", "") : "";
  if (phase == "Succeeded" || phase == "Failed") return true;
  const nlohmann::json* status = FindContainerStatus(pod, container);
  return status != nullptr && status->contains("state") && (*status)["state"].contains("terminated");
}

std::string ReadFrom(const std::filesystem::path& path, std::streamoff offset) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(offset);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return out;
}

}  // namespace

std::string TailLines(const std::string& text, long lines) {
  if (lines < 0) return text;
  if (lines == 0) return "";
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;  // the final newline ends the last line
  size_t pos = end;
  long found = 0;
  while (pos > 0) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    ++found;
    if (found == lines) return text.substr(nl + 1);
    pos = nl;
  }
  return text;
}

std::filesystem::path PodLogs::LogFile(const std::string& namespace_name, const std::string& pod_name,
                                       const std::string& container) const {
  return data_dir_ / "logs" / namespace_name / pod_name / (container + ".log");
}

void PodLogs::Serve(const HttpRequest& request, const std::string& namespace_name, const std::string& pod_name,
                    ResponseWriter& writer) {
  GetRequest get;
  get.path.version = "v1";
  get.path.resource = "pods";
  get.path.namespace_name = namespace_name;
  get.path.name = pod_name;
  auto pod = store_.Get(get);
  if (!pod.ok()) return SendError(writer, pod.error());

  std::vector<std::string> containers;
  if (pod->contains("spec") && (*pod)["spec"].contains("containers") && (*pod)["spec"]["containers"].is_array()) {
    for (const auto& c : (*pod)["spec"]["containers"]) containers.push_back(c.value("name", ""));
  }
  std::vector<std::string> init_containers;
  if (pod->contains("spec") && (*pod)["spec"].contains("initContainers") && (*pod)["spec"]["initContainers"].is_array()) {
    for (const auto& c : (*pod)["spec"]["initContainers"]) init_containers.push_back(c.value("name", ""));
  }
  std::string container = request.Query("container");
  if (container.empty()) {
    if (containers.size() == 1) {
      container = containers[0];
    } else {
      std::string names;
      for (const auto& c : containers) names += (names.empty() ? "" : " ") + c;
      std::string message = "a container name must be specified for pod " + pod_name + ", choose one of: [" + names + "]";
      if (!init_containers.empty()) {
        std::string init_names;
        for (const auto& c : init_containers) init_names += (init_names.empty() ? "" : " ") + c;
        message += " or one of the init containers: [" + init_names + "]";
      }
      return SendError(writer, ApiError::BadRequest(message));
    }
  } else if (std::find(containers.begin(), containers.end(), container) == containers.end() &&
             std::find(init_containers.begin(), init_containers.end(), container) == init_containers.end()) {
    return SendError(writer, ApiError::BadRequest("container " + container + " is not valid for pod " + pod_name));
  }

  long tail = -1;
  if (request.HasQuery("tailLines") && !ParseLong(request.Query("tailLines"), tail)) {
    return SendError(writer, ApiError::BadRequest("tailLines: Invalid value: \"" + request.Query("tailLines") + "\""));
  }
  long limit_bytes = -1;
  if (request.HasQuery("limitBytes") && (!ParseLong(request.Query("limitBytes"), limit_bytes) || limit_bytes < 1)) {
    return SendError(writer, ApiError::BadRequest("limitBytes: Invalid value: \"" + request.Query("limitBytes") +
                                                  "\": must be greater than 0"));
  }
  std::string follow_text = request.Query("follow");
  bool follow = follow_text == "true" || follow_text == "1";

  std::filesystem::path file = LogFile(namespace_name, pod_name, container);
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    if (!ContainerDone(*pod, container)) {
      std::string reason = "ContainerCreating";
      const nlohmann::json* status = FindContainerStatus(*pod, container);
      if (status != nullptr && status->contains("state") && (*status)["state"].contains("waiting")) {
        reason = (*status)["state"]["waiting"].value("reason", reason);
      }
      return SendError(writer, ApiError::BadRequest("container \"" + container + "\" in pod \"" + pod_name +
                                                    "\" is waiting to start: " + reason));
    }
  }
  std::string content = ReadFrom(file, 0);
  std::streamoff offset = static_cast<std::streamoff>(content.size());
  content = TailLines(content, tail);
  long sent = 0;
  auto clip = [&](std::string text) {
    if (limit_bytes >= 0 && sent + static_cast<long>(text.size()) > limit_bytes) text.resize(static_cast<size_t>(limit_bytes - sent));
    sent += static_cast<long>(text.size());
    return text;
  };
  const HeaderList headers = {{"Content-Type", "text/plain"}};
  if (!follow) {
    writer.Send(200, headers, clip(content));
    return;
  }
  if (!writer.BeginStream(200, headers)) return;
  if (!writer.WriteChunk(clip(content))) return;
  auto last_pod_check = std::chrono::steady_clock::now();
  bool done = ContainerDone(*pod, container);
  while (!writer.Cancelled() && (limit_bytes < 0 || sent < limit_bytes)) {
    std::string more = ReadFrom(file, offset);
    offset += static_cast<std::streamoff>(more.size());
    if (!more.empty()) {
      if (!writer.WriteChunk(clip(more))) return;
      continue;
    }
    if (done) break;  // terminated and everything written has been sent
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::chrono::steady_clock::now() - last_pod_check > std::chrono::milliseconds(500)) {
      last_pod_check = std::chrono::steady_clock::now();
      auto current = store_.Get(get);
      // Read once more after seeing the end, so the last lines are not lost.
      done = !current.ok() || ContainerDone(*current, container);
    }
  }
  writer.EndStream();
}

}  // namespace lifeboat::devcluster
