// The text of the built-in schema definitions (builtin_schemas_data.cc) and the compiler that turns
// that compact notation into structural OpenAPI v3 schemas (builtin_schemas.cc). Internal to the
// semantics library; exposed for tests.
//
// Notation, one definition per block:
//   Name:                      a definition (an object with the properties below)
//   Name: kind=apps/v1         a top-level kind served at that group/version ("v1" for core)
//   Name: preserve             an object whose unknown fields are kept (x-kubernetes-preserve-unknown-fields)
//     field: TYPE [attr ...]   a property
// TYPE: string, boolean, integer, int32, int64, number, double, time (RFC 3339 string), bytes (base64
// string), quantity and intstr (integer or string), object (any object), any (any value), another
// definition's Name, []TYPE (list), map[TYPE] (string-keyed map).
// attr: required; enum=A|B|C; merge=KEY (strategic merge list keyed by KEY); retainKeys (strategic
// merge patch with $retainKeys); mergeRetain=KEY (both); set (list of scalars merged as a set);
// atomic (list or map replaced whole, the default for lists without merge).
// Thread-safe (pure functions over constant data).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster::internal {

// The definitions text.
std::string_view BuiltinSchemaText();

// Parses definitions text into {"definitions": {Name: schema-with-$ref}, "kinds": [{group, version,
// kind}]}. Errors name the line.
StatusOr<nlohmann::json> ParseSchemaNotation(std::string_view text);

// Inlines every {"$ref": Name} of `schema` from `definitions` (recursion is an error).
StatusOr<nlohmann::json> InlineSchema(const nlohmann::json& schema, const nlohmann::json& definitions);

// Every definition, fully inlined (each one computed once).
StatusOr<std::map<std::string, nlohmann::json, std::less<>>> InlineAll(const nlohmann::json& definitions);

}  // namespace lifeboat::devcluster::internal
