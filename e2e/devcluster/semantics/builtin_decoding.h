// Built-in decoding errors: the real API server decodes a built-in object into Go structs before
// anything else, so a value of the wrong JSON type (an env value written as a number, replicas as a
// string) is rejected with a 400 BadRequest whose text comes from Go's encoding/json, e.g.
//   json: cannot unmarshal number into Go struct field EnvVar.spec.template.spec.containers.env.value of type string
// This finds the first such mismatch against a built-in schema (builtin_schemas.h), reporting it in
// that form. Fields with their own decoders (timestamps, quantities, int-or-string, raw objects) are
// not checked here. Pure function; thread-safe.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

// The decoding error for `object` (a built-in kind's object) under `schema` (its BuiltinSchema), or
// nullopt when every field has a decodable type. The http layer answers 400 BadRequest with
// `<Kind> in version "<version>" cannot be handled as a <Kind>: <this text>`.
std::optional<std::string> BuiltinDecodeError(const nlohmann::json& schema, const nlohmann::json& object);

}  // namespace lifeboat::devcluster
