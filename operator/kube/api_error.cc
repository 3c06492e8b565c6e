#include "operator/kube/api_error.h"

#include <nlohmann/json.hpp>

#include <cctype>

namespace lifeboat::kube {
namespace {

std::string DefaultReason(int code) {
  switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 408: return "Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 412: return "PreconditionFailed";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "";
  }
}

constexpr std::string_view kExpiredMarker = "(reason Expired, HTTP 410)";
constexpr std::string_view kGoneMarker = "(reason Gone, HTTP 410)";

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view header) {
  while (!header.empty() && std::isspace(static_cast<unsigned char>(header.front()))) header.remove_prefix(1);
  while (!header.empty() && std::isspace(static_cast<unsigned char>(header.back()))) header.remove_suffix(1);
  if (header.empty() || header.size() > 9) return std::nullopt;
  long seconds = 0;
  for (char c : header) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

ApiFailure ParseApiFailure(int http_code, std::string_view body, std::string_view retry_after_header) {
  ApiFailure failure;
  failure.http_code = http_code;
  failure.retry_after = ParseRetryAfter(retry_after_header);
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.value("kind", "") == "Status") {
    if (parsed.contains("reason") && parsed["reason"].is_string()) failure.reason = parsed["reason"].get<std::string>();
    if (parsed.contains("message") && parsed["message"].is_string()) {
      failure.message = parsed["message"].get<std::string>();
    }
    if (!failure.retry_after && parsed.contains("details") && parsed["details"].is_object()) {
      const auto& details = parsed["details"];
      if (details.contains("retryAfterSeconds") && details["retryAfterSeconds"].is_number_integer()) {
        failure.retry_after = std::chrono::seconds(details["retryAfterSeconds"].get<long>());
      }
    }
  } else if (!body.empty()) {
    // Not a Status (a proxy or a plain-text error): keep a bounded piece of it.
    failure.message = std::string(body.substr(0, 512));
    while (!failure.message.empty() && std::isspace(static_cast<unsigned char>(failure.message.back()))) {
      failure.message.pop_back();
    }
  }
  if (failure.reason.empty()) failure.reason = DefaultReason(http_code);
  if (failure.message.empty()) failure.message = "the server answered HTTP " + std::to_string(http_code);
  return failure;
}

StatusCode StatusCodeForHttp(int http_code, std::string_view reason) {
  switch (http_code) {
    case 400:
    case 405:
    case 406:
    case 415:
    case 422: return StatusCode::kInvalidArgument;
    case 401:
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 409: return reason == "AlreadyExists" ? StatusCode::kAlreadyExists : StatusCode::kAborted;
    case 410: return StatusCode::kAborted;
    case 412: return StatusCode::kFailedPrecondition;
    case 408:
    case 429: return StatusCode::kUnavailable;
    default: break;
  }
  if (http_code >= 500 && http_code <= 599) return StatusCode::kUnavailable;
  return StatusCode::kInternal;
}

Status ApiFailureToStatus(const ApiFailure& failure) {
  std::string message = failure.message + " (";
  if (!failure.reason.empty()) message += "reason " + failure.reason + ", ";
  message += "HTTP " + std::to_string(failure.http_code) + ")";
  if (failure.retry_after) message += " retry after " + std::to_string(failure.retry_after->count()) + "s";
  return Status(StatusCodeForHttp(failure.http_code, failure.reason), message);
}

Status StatusFromHttp(int http_code, std::string_view body, std::string_view retry_after_header) {
  return ApiFailureToStatus(ParseApiFailure(http_code, body, retry_after_header));
}

bool IsExpired(const Status& status) {
  if (status.code() != StatusCode::kAborted) return false;
  const std::string& m = status.message();
  return m.find(kExpiredMarker) != std::string::npos || m.find(kGoneMarker) != std::string::npos ||
         m.find("HTTP 410)") != std::string::npos;
}

}  // namespace lifeboat::kube
