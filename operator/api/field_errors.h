// FieldErrors: the validation errors of one resource, each tied to a field path such as
// "spec.database.confirm", worded like the Kubernetes API server's own messages
// ("spec.x: Required value: ...", "spec.x: Invalid value: \"v\": ...",
// "spec.x: Unsupported value: \"v\": supported values: \"a\", \"b\""), so a message reads the same
// whether the schema or the operator rejected the resource. Plain values; thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "operator/core/status.h"

namespace lifeboat::api {

enum class FieldErrorType { kRequired, kInvalid, kNotSupported, kDuplicate, kForbidden, kTypeInvalid };

struct FieldError {
  FieldErrorType type = FieldErrorType::kInvalid;
  std::string field;   // "spec.media[1].claimName"
  std::string value;   // The offending value as text (already quoted for strings), may be empty.
  std::string detail;  // What is wrong / what is expected.

  // "spec.x: Invalid value: \"v\": detail", as Kubernetes prints a field.Error.
  std::string ToString() const;
  // The Kubernetes cause reason: FieldValueRequired, FieldValueInvalid, ...
  const char* Reason() const;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

class FieldErrors {
 public:
  void Required(const std::string& field, const std::string& detail = "");
  void Invalid(const std::string& field, const std::string& value, const std::string& detail);
  void NotSupported(const std::string& field, const std::string& value, const std::vector<std::string>& supported);
  void Duplicate(const std::string& field, const std::string& value);
  void Forbidden(const std::string& field, const std::string& detail);
  // `actual_type` is the JSON type found ("string", "number", ...).
  void TypeInvalid(const std::string& field, const std::string& actual_type, const std::string& expected_type);

  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  const std::vector<FieldError>& errors() const { return errors_; }

  // True if an error names exactly `field`.
  bool Has(const std::string& field) const;

  // All errors joined with "; " (for a condition message), or "" if none.
  std::string ToString() const;

  // Ok if empty, otherwise InvalidArgument with ToString() prefixed by `what` (e.g.
  // "BackupPolicy shop/shop-backups is invalid: spec.schedule: ...").
  Status ToStatus(const std::string& what) const;

 private:
  std::vector<FieldError> errors_;
};

// Quotes a string value the way Kubernetes error messages do ("\"text\"").
std::string Quote(const std::string& text);

}  // namespace lifeboat::api
