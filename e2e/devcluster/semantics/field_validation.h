// Field validation (`?fieldValidation=Strict|Warn|Ignore` on create, update and patch): detection of
// duplicate fields in a raw JSON request body, and the exact texts the real server uses to report
// unknown and duplicate fields. Unknown fields themselves come from PruneUnknownFields (schema.h).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

enum class FieldValidationMode { kIgnore, kWarn, kStrict };

// Parses the query parameter: "" (absent: Warn, the real server's default), "Ignore", "Warn", "Strict".
// Anything else is InvalidArgument (400) with the text
// `fieldValidation: Unsupported value: "x": supported values: "", "Ignore", "Strict", "Warn"`.
StatusOr<FieldValidationMode> ParseFieldValidationMode(std::string_view value);

// Paths of every key that appears more than once in the same JSON object of `raw_json`, each once,
// in the order the duplicates are met: `{"spec":{"size":1,"size":2}}` → {"spec.size"}. List items appear as
// "spec.containers[0].name". Malformed JSON gives an empty result (the decoder reports it).
std::vector<std::string> FindDuplicateFields(std::string_view raw_json);

// `unknown field "spec.foo"` and `duplicate field "spec.size"`: one text per problem, unknown fields
// first, as the real server lists them. Each is one Warning in Warn mode.
std::vector<std::string> FieldValidationProblems(const std::vector<std::string>& unknown_fields,
                                                 const std::vector<std::string>& duplicate_fields);

// Strict mode's message: `strict decoding error: unknown field "spec.foo", duplicate field "spec.size"`.
// The http layer answers 400 BadRequest with
// `<Kind> in version "<version>" cannot be handled as a <Kind>: <this message>`.
std::string StrictDecodingErrorMessage(const std::vector<std::string>& unknown_fields,
                                       const std::vector<std::string>& duplicate_fields);

// The value of one `Warning` response header for a problem text: `299 - "unknown field \"spec.foo\""`.
std::string WarningHeaderValue(std::string_view text);

}  // namespace lifeboat::devcluster
