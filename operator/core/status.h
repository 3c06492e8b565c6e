// Status and StatusOr<T>: how Lifeboat modules report failure without letting exceptions cross a
// module boundary. The code says what the caller should do next (see docs/architecture.md, "Errors"):
//   kUnavailable      retry with backoff (timeouts, 429, 5xx)
//   kAborted          observe again and redo the read-modify-write (409 Conflict)
//   kNotFound         usually expected; the caller decides
//   kAlreadyExists    usually expected ("adopt it")
//   kInvalidArgument  bad input (400/422): condition + Event, no retry until the input changes
//   kPermissionDenied 401/403: condition + Event naming what is missing
//   kFailedPrecondition the world is not in the state the operation needs (e.g. a database exists)
//   kDeadlineExceeded the operation ran out of time
//   kCancelled        the caller asked to stop
//   kInternal         a bug or an unexpected answer
// Values are immutable and cheap to copy; thread-compatible.
#pragma once

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <variant>

namespace lifeboat {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kAborted,
  kUnavailable,
  kPermissionDenied,
  kFailedPrecondition,
  kDeadlineExceeded,
  kCancelled,
  kInternal,
};

// "Ok", "InvalidArgument", ... as used in logs and condition reasons.
const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;  // Ok.
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // True for the codes where the same call may succeed later without any change of input.
  bool IsRetryable() const { return code_ == StatusCode::kUnavailable || code_ == StatusCode::kAborted; }

  // "NotFound: secret \"db\" not found"; "Ok" for success.
  std::string ToString() const;

  // Returns a copy whose message is "context: original message".
  Status WithContext(const std::string& context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& out, const Status& status);

inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status AbortedError(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status PermissionDeniedError(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status DeadlineExceededError(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status CancelledError(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Either a value or a non-Ok Status. Accessing the value of an error is a bug and asserts.
template <typename T>
class StatusOr {
 public:
  StatusOr(const T& value) : value_(value) {}  // NOLINT: implicit by design, like absl::StatusOr.
  StatusOr(T&& value) : value_(std::move(value)) {}  // NOLINT
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "StatusOr constructed from an Ok status without a value");
    if (status_.ok()) status_ = InternalError("StatusOr constructed from Ok status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  const T& value() const& { assert(ok()); return *value_; }
  T& value() & { assert(ok()); return *value_; }
  T&& value() && { assert(ok()); return std::move(*value_); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  Status status_;  // Ok when value_ is set.
  std::optional<T> value_;
};

}  // namespace lifeboat

// Returns early from the enclosing function with the status of `expr` when it is not Ok.
#define LIFEBOAT_RETURN_IF_ERROR(expr)                 \
  do {                                                 \
    ::lifeboat::Status lifeboat_status_ = (expr);      \
    if (!lifeboat_status_.ok()) return lifeboat_status_; \
  } while (0)
