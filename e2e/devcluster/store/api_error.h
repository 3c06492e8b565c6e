// ApiError and ApiResult<T>: how the devcluster store answers a failed request, carrying exactly
// what a real kube-apiserver puts in its `Status` body (code, reason, message, details), so the
// http layer only serializes it (ToStatus()) and never invents texts. The factory functions produce
// the real wording (see /work/shared/k8s-wire 11, 12, 13, 14, 15, 21, 44).
// Values are immutable after construction and cheap enough to copy; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

// One entry of details.causes in a 422 Invalid answer.
struct ApiCause {
  std::string reason;   // "FieldValueInvalid", "FieldValueRequired", ...
  std::string message;  // "Invalid value: 0: spec.size in body should be greater than or equal to 1"
  std::string field;    // "spec.size"
};

struct ApiError {
  int code = 500;
  std::string reason;   // "NotFound", "AlreadyExists", "Conflict", "Invalid", "Expired", ...
  std::string message;  // the complete human text, as the real server writes it
  // {"name":..,"group":..,"kind":..,"causes":[..],"uid":..,"retryAfterSeconds":..}; an empty
  // object means "no details" (ToStatus() then leaves details out, as the real server does).
  nlohmann::json details = nlohmann::json::object();

  // {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":..,
  //  "reason":..,"details":..,"code":..}
  nlohmann::json ToStatus() const;

  // ---- Factories with the real texts. `group` is "" for the core group; `resource` is the
  // plural ("pods", "gizmos"); `group_kind` texts use the Kind ("Gizmo.example.com", "Pod").

  // 404 `gizmos.example.com "g9" not found` / `pods "x" not found`.
  static ApiError NotFound(std::string_view group, std::string_view resource, std::string_view name);
  // 409 `gizmos.example.com "g1" already exists`.
  static ApiError AlreadyExists(std::string_view group, std::string_view resource, std::string_view name);
  // 409 `Operation cannot be fulfilled on gizmos.example.com "g1": <detail>`; the default detail is
  // the stale-resourceVersion text "the object has been modified; please apply your changes to
  // the latest version and try again".
  static ApiError Conflict(std::string_view group, std::string_view resource, std::string_view name,
                           std::string_view detail = {});
  // 422 `Gizmo.example.com "g2" is invalid: [c1, c2]` (no brackets for a single cause); each cause
  // prints as "<field>: <message>".
  static ApiError Invalid(std::string_view group, std::string_view kind, std::string_view name,
                          std::vector<ApiCause> causes);
  // 400 BadRequest with the given message and no details.
  static ApiError BadRequest(std::string message);
  // 403 `<resource>.<group> "name" is forbidden: <detail>` (e.g. a create in a terminating namespace).
  static ApiError Forbidden(std::string_view group, std::string_view resource, std::string_view name,
                            std::string_view detail);
  // 405 MethodNotAllowed: `the server does not allow this method on the requested resource`.
  static ApiError MethodNotSupported(std::string_view group, std::string_view resource);
  // 410 Expired: `too old resource version: <requested> (<oldest available>)` (watch) or any other
  // Expired text (e.g. a continue token that is too old).
  static ApiError Expired(std::string message);
  static ApiError TooOldResourceVersion(uint64_t requested, uint64_t oldest_available);
  // 415 UnsupportedMediaType: `the body of the request was in an unknown format - accepted media
  // types include: <accepted, joined with ", ">`.
  static ApiError UnsupportedMediaType(const std::vector<std::string>& accepted);
  // 504 Timeout for a list/get at a resourceVersion newer than the store has:
  // `Too large resource version: <requested>, current: <current>` with causes
  // [{reason: ResourceVersionTooLarge, message: "Too large resource version"}] and retryAfterSeconds 1.
  static ApiError TooLargeResourceVersion(uint64_t requested, uint64_t current);
  // 500 InternalError: `Internal error occurred: <message>`.
  static ApiError Internal(std::string_view message);
};

// Either a value of T or an ApiError.
template <typename T>
class ApiResult {
 public:
  ApiResult(T value) : value_(std::move(value)) {}        // NOLINT: implicit by design.
  ApiResult(ApiError error) : value_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(value_); }
  const ApiError& error() const { return std::get<ApiError>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T& value() & { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, ApiError> value_;
};

}  // namespace lifeboat::devcluster
