#include "operator/api/json_fields.h"

#include <algorithm>

#include "operator/core/time_format.h"

namespace lifeboat::api {

FieldReader::FieldReader(const nlohmann::json& object, std::string path, FieldErrors* errors)
    : object_(object), path_(std::move(path)), errors_(errors) {
  if (!object_.is_object() && !object_.is_null()) errors_->TypeInvalid(path_, object_.type_name(), "object");
}

std::string FieldReader::PathOf(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

bool FieldReader::Has(const std::string& key) const {
  return object_.is_object() && object_.contains(key) && !object_.at(key).is_null();
}

const nlohmann::json* FieldReader::Get(const std::string& key, bool required) const {
  if (!Has(key)) {
    if (required) errors_->Required(PathOf(key));
    return nullptr;
  }
  return &object_.at(key);
}

std::optional<std::string> FieldReader::String(const std::string& key, bool required) const {
  const nlohmann::json* value = Get(key, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    errors_->TypeInvalid(PathOf(key), value->type_name(), "string");
    return std::nullopt;
  }
  std::string text = value->get<std::string>();
  if (required && text.empty()) {
    errors_->Required(PathOf(key));
    return std::nullopt;
  }
  return text;
}

std::optional<std::int64_t> FieldReader::Int(const std::string& key, bool required) const {
  const nlohmann::json* value = Get(key, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number_integer()) {
    errors_->TypeInvalid(PathOf(key), value->type_name(), "integer");
    return std::nullopt;
  }
  return value->get<std::int64_t>();
}

std::optional<bool> FieldReader::Bool(const std::string& key) const {
  const nlohmann::json* value = Get(key, false);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    errors_->TypeInvalid(PathOf(key), value->type_name(), "boolean");
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<WallTime> FieldReader::Time(const std::string& key, bool required) const {
  std::optional<std::string> text = String(key, required);
  if (!text) return std::nullopt;
  StatusOr<WallTime> parsed = ParseRfc3339(*text);
  if (!parsed.ok()) {
    errors_->Invalid(PathOf(key), Quote(*text), "must be an RFC 3339 time such as 2026-11-22T01:02:03Z");
    return std::nullopt;
  }
  return *parsed;
}

std::optional<std::string> FieldReader::Enum(const std::string& key, const std::vector<std::string>& allowed,
                                             bool required) const {
  std::optional<std::string> text = String(key, required);
  if (!text) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *text) == allowed.end()) {
    errors_->NotSupported(PathOf(key), Quote(*text), allowed);
    return std::nullopt;
  }
  return text;
}

std::vector<std::string> FieldReader::StringList(const std::string& key, bool required) const {
  std::vector<std::string> out;
  const nlohmann::json* value = Get(key, required);
  if (value == nullptr) return out;
  if (!value->is_array()) {
    errors_->TypeInvalid(PathOf(key), value->type_name(), "array");
    return out;
  }
  for (size_t i = 0; i < value->size(); ++i) {
    if (!(*value)[i].is_string()) {
      errors_->TypeInvalid(PathOf(key) + "[" + std::to_string(i) + "]", (*value)[i].type_name(), "string");
      continue;
    }
    out.push_back((*value)[i].get<std::string>());
  }
  if (required && out.empty() && value->empty()) errors_->Required(PathOf(key), "must have at least one item");
  return out;
}

std::map<std::string, std::string> FieldReader::StringMap(const std::string& key) const {
  std::map<std::string, std::string> out;
  const nlohmann::json* value = Get(key, false);
  if (value == nullptr) return out;
  if (!value->is_object()) {
    errors_->TypeInvalid(PathOf(key), value->type_name(), "object");
    return out;
  }
  for (const auto& [k, v] : value->items()) {
    if (!v.is_string()) {
      errors_->TypeInvalid(PathOf(key) + "." + k, v.type_name(), "string");
      continue;
    }
    out[k] = v.get<std::string>();
  }
  return out;
}

nlohmann::json FieldReader::Raw(const std::string& key) const {
  const nlohmann::json* value = Get(key, false);
  return value == nullptr ? nlohmann::json() : *value;
}

std::optional<FieldReader> FieldReader::Object(const std::string& key, bool required) const {
  const nlohmann::json* value = Get(key, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_object()) {
    errors_->TypeInvalid(PathOf(key), value->type_name(), "object");
    return std::nullopt;
  }
  return FieldReader(*value, PathOf(key), errors_);
}

std::vector<FieldReader> FieldReader::ObjectList(const std::string& key, bool required) const {
  std::vector<FieldReader> out;
  const nlohmann::json* value = Get(key, required);
  if (value == nullptr) return out;
  if (!value->is_array()) {
    errors_->TypeInvalid(PathOf(key), value->type_name(), "array");
    return out;
  }
  if (required && value->empty()) errors_->Required(PathOf(key), "must have at least one item");
  for (size_t i = 0; i < value->size(); ++i) {
    std::string item_path = PathOf(key) + "[" + std::to_string(i) + "]";
    if (!(*value)[i].is_object()) {
      errors_->TypeInvalid(item_path, (*value)[i].type_name(), "object");
      continue;
    }
    out.emplace_back((*value)[i], item_path, errors_);
  }
  return out;
}

void PutString(nlohmann::json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}
void PutString(nlohmann::json& j, const char* key, const std::optional<std::string>& value) {
  if (value) j[key] = *value;
}
void PutInt(nlohmann::json& j, const char* key, const std::optional<std::int64_t>& value) {
  if (value) j[key] = *value;
}
void PutBool(nlohmann::json& j, const char* key, const std::optional<bool>& value) {
  if (value) j[key] = *value;
}
void PutTime(nlohmann::json& j, const char* key, const std::optional<WallTime>& value, TimePrecision precision) {
  if (value) j[key] = precision == TimePrecision::kMicroseconds ? FormatRfc3339Micro(*value) : FormatRfc3339(*value);
}
void PutStringList(nlohmann::json& j, const char* key, const std::vector<std::string>& value) {
  if (!value.empty()) j[key] = value;
}
void PutStringMap(nlohmann::json& j, const char* key, const std::map<std::string, std::string>& value) {
  if (!value.empty()) j[key] = value;
}

}  // namespace lifeboat::api
