#include "operator/api/field_errors.h"

#include <algorithm>

namespace lifeboat::api {

std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string FieldError::ToString() const {
  std::string out = field + ": ";
  switch (type) {
    case FieldErrorType::kRequired: out += "Required value"; break;
    case FieldErrorType::kInvalid: out += "Invalid value: " + value; break;
    case FieldErrorType::kNotSupported: out += "Unsupported value: " + value; break;
    case FieldErrorType::kDuplicate: out += "Duplicate value: " + value; break;
    case FieldErrorType::kForbidden: out += "Forbidden"; break;
    case FieldErrorType::kTypeInvalid: out += "Invalid value: " + value; break;
  }
  if (!detail.empty()) out += ": " + detail;
  return out;
}

const char* FieldError::Reason() const {
  switch (type) {
    case FieldErrorType::kRequired: return "FieldValueRequired";
    case FieldErrorType::kInvalid: return "FieldValueInvalid";
    case FieldErrorType::kNotSupported: return "FieldValueNotSupported";
    case FieldErrorType::kDuplicate: return "FieldValueDuplicate";
    case FieldErrorType::kForbidden: return "FieldValueForbidden";
    case FieldErrorType::kTypeInvalid: return "FieldValueTypeInvalid";
  }
  return "FieldValueInvalid";
}

void FieldErrors::Required(const std::string& field, const std::string& detail) {
  errors_.push_back({FieldErrorType::kRequired, field, "", detail});
}

void FieldErrors::Invalid(const std::string& field, const std::string& value, const std::string& detail) {
  errors_.push_back({FieldErrorType::kInvalid, field, value, detail});
}

void FieldErrors::NotSupported(const std::string& field, const std::string& value,
                               const std::vector<std::string>& supported) {
  std::string detail = "supported values: ";
  for (size_t i = 0; i < supported.size(); ++i) detail += (i ? ", " : "") + Quote(supported[i]);
  errors_.push_back({FieldErrorType::kNotSupported, field, value, detail});
}

void FieldErrors::Duplicate(const std::string& field, const std::string& value) {
  errors_.push_back({FieldErrorType::kDuplicate, field, value, ""});
}

void FieldErrors::Forbidden(const std::string& field, const std::string& detail) {
  errors_.push_back({FieldErrorType::kForbidden, field, "", detail});
}

void FieldErrors::TypeInvalid(const std::string& field, const std::string& actual_type, const std::string& expected_type) {
  errors_.push_back({FieldErrorType::kTypeInvalid, field, Quote(actual_type), "must be of type " + expected_type});
}

bool FieldErrors::Has(const std::string& field) const {
  return std::any_of(errors_.begin(), errors_.end(), [&](const FieldError& e) { return e.field == field; });
}

std::string FieldErrors::ToString() const {
  std::string out;
  for (const FieldError& e : errors_) out += (out.empty() ? "" : "; ") + e.ToString();
  return out;
}

Status FieldErrors::ToStatus(const std::string& what) const {
  if (errors_.empty()) return Status::Ok();
  return InvalidArgumentError(what + " is invalid: " + ToString());
}

}  // namespace lifeboat::api
