// Structural OpenAPI v3 schema operations, as the real API server applies a CRD's
// `openAPIV3Schema` (and as this devcluster applies the built-in schemas, builtin_schemas.h):
// pruning of unknown fields, defaulting, and validation with the real field-error reasons and texts.
// Supported keywords: type, properties, required, enum, pattern, minimum/maximum,
// exclusiveMinimum/exclusiveMaximum, multipleOf, minLength/maxLength, minItems/maxItems,
// uniqueItems, minProperties/maxProperties, items, additionalProperties (maps), nullable,
// format (int32, int64, date-time, date, byte, ...; best effort), default (any depth),
// x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields,
// x-kubernetes-embedded-resource, x-kubernetes-list-type (set/map uniqueness), allOf/anyOf/oneOf/not
// (value validation only), x-kubernetes-validations (CEL rules, the subset of cel.h; rules outside it
// and oldSelf transition rules are skipped). Paths are dotted, with [i] for list items (map entries are ".key", as the
// real pruning reports them): "spec.template.spec.containers[0].name". Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

// One validation failure: a `details.causes` entry of a 422 Invalid Status.
struct FieldError {
  std::string reason;   // FieldValueRequired, FieldValueInvalid, FieldValueNotSupported,
                        // FieldValueTypeInvalid, FieldValueTooLong, FieldValueTooMany,
                        // FieldValueDuplicate, FieldValueForbidden
  std::string field;    // "spec.size"
  std::string message;  // "Invalid value: 0: spec.size in body should be greater than or equal to 1"
  // "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1"
  std::string ToString() const;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// The Status message of a 422: `Kind.group "name" is invalid: <e>` for one error,
// `... is invalid: [<e1>, <e2>]` for several (group omitted for the core group: `Pod "x"`).
std::string InvalidObjectMessage(const std::string& kind, const std::string& group, const std::string& name,
                                 const std::vector<FieldError>& errors);

// Fills in `default`s: a missing property with a default gets it (deep copy), at any depth, inside
// objects that exist (or were just defaulted), list items and map values. A null property that is not
// `nullable` is replaced by its default, or removed if it has none (as the real server does).
void ApplyDefaults(const nlohmann::json& schema, nlohmann::json& object);

// Removes every field the schema does not declare (unless x-kubernetes-preserve-unknown-fields, or a
// map via additionalProperties). At the root and in x-kubernetes-embedded-resource objects,
// apiVersion, kind and metadata are kept, and metadata is pruned to the fields of ObjectMeta. Returns the removed paths, sorted ("spec.foo",
// "spec.containers[0].imagePullPolicyy"), for fieldValidation Strict/Warn.
std::vector<std::string> PruneUnknownFields(const nlohmann::json& schema, nlohmann::json& object);

// Validates `object` against `schema`, returning every failure (empty when valid), in a stable order
// (properties in name order; CEL rule failures after the schema's own), e.g. {FieldValueNotSupported, "spec.mode",
// "Unsupported value: \"turbo\": supported values: \"fast\", \"safe\""}.
std::vector<FieldError> Validate(const nlohmann::json& schema, const nlohmann::json& object);

}  // namespace lifeboat::devcluster
