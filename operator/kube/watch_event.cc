#include "operator/kube/watch_event.h"

#include "operator/kube/api_error.h"

namespace lifeboat::kube {

const char* WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded: return "ADDED";
    case WatchEventType::kModified: return "MODIFIED";
    case WatchEventType::kDeleted: return "DELETED";
    case WatchEventType::kBookmark: return "BOOKMARK";
    case WatchEventType::kError: return "ERROR";
  }
  return "UNKNOWN";
}

StatusOr<WatchEvent> ParseWatchEvent(std::string_view line) {
  nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) {
    return InvalidArgumentError("watch line is not a JSON object: " + std::string(line.substr(0, 200)));
  }
  auto type = parsed.find("type");
  auto object = parsed.find("object");
  if (type == parsed.end() || !type->is_string() || object == parsed.end() || !object->is_object()) {
    return InvalidArgumentError("watch line lacks \"type\" or \"object\": " + std::string(line.substr(0, 200)));
  }
  WatchEvent event;
  const std::string& name = type->get_ref<const std::string&>();
  if (name == "ADDED") event.type = WatchEventType::kAdded;
  else if (name == "MODIFIED") event.type = WatchEventType::kModified;
  else if (name == "DELETED") event.type = WatchEventType::kDeleted;
  else if (name == "BOOKMARK") event.type = WatchEventType::kBookmark;
  else if (name == "ERROR") event.type = WatchEventType::kError;
  else return InvalidArgumentError("unknown watch event type \"" + name + "\"");
  event.object = std::move(*object);
  return event;
}

Status WatchErrorToStatus(const WatchEvent& event) {
  int code = 500;
  if (event.object.contains("code") && event.object["code"].is_number_integer()) code = event.object["code"].get<int>();
  return StatusFromHttp(code, event.object.dump());
}

}  // namespace lifeboat::kube
