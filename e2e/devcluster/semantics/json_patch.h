// JSON Patch (RFC 6902, `application/json-patch+json`): add, remove, replace, move, copy, test,
// with JSON Pointer (RFC 6901) paths and `-` for the end of an array. Pure function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

// Applies the operations in order to a copy of `doc`; any failing operation fails the whole patch.
// Error codes tell the http layer what to answer:
//   InvalidArgument     the patch document cannot be decoded (not an array of operation objects,
//                       bad pointer syntax): 400 BadRequest;
//   FailedPrecondition  applying it failed (unknown `op`, missing `path`/`from`, a `test` failed, a
//                       path is missing, an index is out of range): 422 Unprocessable Entity, as the
//                       real server answers. A missing `value` is null, as in the real library.
// Messages follow the texts the real server passes through, e.g.
//   "add operation does not apply: doc is missing path: \"/spec/x/y\": missing value",
//   "testing value /spec/size failed: test failed".
StatusOr<nlohmann::json> ApplyJsonPatch(const nlohmann::json& doc, const nlohmann::json& ops);

}  // namespace lifeboat::devcluster
