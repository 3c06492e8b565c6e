// WatchEvent and WatchStream: one decoded line of a Kubernetes watch ({"type":..., "object":...})
// and the stream of them that ApiClient::Watch returns. ParseWatchEvent is pure and thread-safe;
// a WatchStream is used by one thread, except Cancel which any thread may call.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "operator/core/status.h"

namespace lifeboat::kube {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

const char* WatchEventTypeName(WatchEventType type);

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  nlohmann::json object;  // The object, or for kError the metav1.Status.
};

// Parses one watch line. Unknown types and malformed JSON are InvalidArgument.
StatusOr<WatchEvent> ParseWatchEvent(std::string_view line);

// For a kError event: the Status it carries (e.g. Aborted "... (reason Expired, HTTP 410)").
Status WatchErrorToStatus(const WatchEvent& event);

class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Blocks for the next event. nullopt: the server ended the watch normally (timeoutSeconds).
  // An error: the connection broke or the stream was cancelled. ERROR events are returned as events.
  virtual StatusOr<std::optional<WatchEvent>> Next() = 0;
  // Makes a blocked Next() return promptly (with Cancelled). Thread-safe; idempotent.
  virtual void Cancel() = 0;
};

}  // namespace lifeboat::kube
