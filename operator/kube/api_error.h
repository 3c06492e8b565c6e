// Mapping of Kubernetes API answers to Status codes that say what the caller should do
// (docs/architecture.md, "Errors"). The server's Status reason and message are kept in the message:
//   "gizmos.example.com \"g1\" already exists (reason AlreadyExists, HTTP 409)".
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "operator/core/status.h"

namespace lifeboat::kube {

// What a failed API call said, parsed from its metav1.Status body when there is one.
struct ApiFailure {
  int http_code = 0;
  std::string reason;   // "Conflict", "AlreadyExists", "Expired", ... ("" when the body had none).
  std::string message;  // The server's message, or a description of the HTTP code.
  std::optional<std::chrono::seconds> retry_after;  // From the Retry-After header (429, 503).
};

// Parses a failure answer. `body` may be a metav1.Status JSON, any other text, or empty.
ApiFailure ParseApiFailure(int http_code, std::string_view body, std::string_view retry_after_header);

// The Status code for an API failure:
//   400, 405, 406, 415, 422 → InvalidArgument      401, 403 → PermissionDenied
//   404 → NotFound                                 409 AlreadyExists → AlreadyExists
//   409 otherwise (Conflict) → Aborted             410 (Gone/Expired) → Aborted (list again)
//   412 → FailedPrecondition                       408, 429, 5xx → Unavailable
//   anything else → Internal
StatusCode StatusCodeForHttp(int http_code, std::string_view reason);

// The Status for a failed API call: mapped code, message with the server's message and reason.
Status ApiFailureToStatus(const ApiFailure& failure);

// Convenience: ParseApiFailure + ApiFailureToStatus.
Status StatusFromHttp(int http_code, std::string_view body, std::string_view retry_after_header = "");

// Parses Retry-After: delta-seconds only (the API server never sends an HTTP date); nullopt otherwise.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view header);

// True when `status` says the resourceVersion or continue token expired (HTTP 410 / reason Expired
// or Gone) and the caller must list again from scratch.
bool IsExpired(const Status& status);

}  // namespace lifeboat::kube
