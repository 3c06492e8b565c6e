#include "e2e/devcluster/semantics/builtin_decoding.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

// How encoding/json names a JSON value in an UnmarshalTypeError.
std::string JsonValueName(const json& v) {
  switch (v.type()) {
    case json::value_t::string: return "string";
    case json::value_t::boolean: return "bool";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    default: return "number";
  }
}

std::string GoType(const json& schema) {
  auto it = schema.find("x-lifeboat-go-type");
  return it != schema.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string TypeOf(const json& schema) {
  auto it = schema.find("type");
  return it != schema.end() && it->is_string() ? it->get<std::string>() : "";
}

class Checker {
 public:
  std::optional<std::string> error;

  // Fields of a Go struct (an object schema with properties) named `go_struct`.
  void Struct(const json& schema, const json& object, const std::string& go_struct, const std::string& path) {
    auto props = schema.find("properties");
    if (props == schema.end() || !props->is_object() || !object.is_object()) return;
    for (auto it = object.begin(); it != object.end() && !error; ++it) {
      auto prop = props->find(it.key());
      if (prop == props->end()) continue;  // unknown fields are fieldValidation's business
      Field(*prop, *it, go_struct, path.empty() ? it.key() : path + "." + it.key());
    }
  }

 private:
  void Fail(const json& value, const std::string& value_name, const std::string& go_struct, const std::string& path,
            const std::string& go_type) {
    (void)value;
    error = "json: cannot unmarshal " + value_name + " into Go struct field " + go_struct + "." + path +
            " of type " + go_type;
  }

  // A value decoded into the Go type of `schema`, inside struct `go_struct` at `path` (encoding/json
  // names list items and map values by the field that holds them).
  void Field(const json& schema, const json& value, const std::string& go_struct, const std::string& path) {
    if (value.is_null() || !schema.is_object()) return;
    std::string go = GoType(schema);
    if (go.empty()) return;
    std::string type = TypeOf(schema);
    if (type == "string") {
      if (!value.is_string()) Fail(value, JsonValueName(value), go_struct, path, go);
    } else if (type == "boolean") {
      if (!value.is_boolean()) Fail(value, JsonValueName(value), go_struct, path, go);
    } else if (type == "number") {
      if (!value.is_number()) Fail(value, JsonValueName(value), go_struct, path, go);
    } else if (type == "integer") {
      if (!value.is_number()) {
        Fail(value, JsonValueName(value), go_struct, path, go);
      } else if (!FitsInteger(value, go)) {
        Fail(value, "number " + value.dump(), go_struct, path, go);
      }
    } else if (type == "array") {
      if (!value.is_array()) {
        // A JSON string into []byte is base64 (Secret data), decoded elsewhere.
        if (!(go == "[]uint8" && value.is_string())) Fail(value, JsonValueName(value), go_struct, path, go);
        return;
      }
      auto items = schema.find("items");
      if (items == schema.end()) return;
      for (const json& item : value) {
        if (error) return;
        Field(*items, item, go_struct, path);
      }
    } else if (type == "object") {
      if (!value.is_object()) {
        Fail(value, JsonValueName(value), go_struct, path, go);
        return;
      }
      if (auto additional = schema.find("additionalProperties");
          additional != schema.end() && additional->is_object()) {
        for (auto it = value.begin(); it != value.end() && !error; ++it) Field(*additional, *it, go_struct, path);
        return;
      }
      auto name = schema.find("x-lifeboat-go-struct");
      if (name != schema.end() && name->is_string()) Struct(schema, value, name->get<std::string>(), path);
    }
  }

  static bool FitsInteger(const json& value, const std::string& go) {
    if (value.is_number_float()) return false;  // "1.5" and "1.0" do not parse as Go integers
    if (go != "int32") return true;
    if (value.is_number_unsigned()) return value.get<unsigned long long>() <= std::numeric_limits<int32_t>::max();
    long long v = value.get<long long>();
    return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
  }
};

}  // namespace

std::optional<std::string> BuiltinDecodeError(const json& schema, const json& object) {
  Checker checker;
  auto name = schema.find("x-lifeboat-go-struct");
  if (name == schema.end() || !name->is_string()) return std::nullopt;
  checker.Struct(schema, object, name->get<std::string>(), "");
  return checker.error;
}

}  // namespace lifeboat::devcluster
