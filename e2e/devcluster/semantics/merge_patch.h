// JSON Merge Patch (RFC 7386, `application/merge-patch+json`): objects merge recursively, `null`
// deletes a key, anything else (arrays included) replaces. Pure function; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

// Applies `patch` to a copy of `doc`. A patch that is not a JSON object replaces the document only
// if it is not null; the API server requires objects, so a non-object patch is InvalidArgument
// ("patch must be a JSON object"), as is a patch whose result is not an object.
StatusOr<nlohmann::json> ApplyMergePatch(const nlohmann::json& doc, const nlohmann::json& patch);

// The RFC 7386 algorithm itself (no object requirement), for nested use.
nlohmann::json MergePatchValue(const nlohmann::json& target, const nlohmann::json& patch);

}  // namespace lifeboat::devcluster
