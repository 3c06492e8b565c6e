// Strategic merge patch (`application/strategic-merge-patch+json`) for the built-in kinds, as the
// real API server applies it: lists with a patchMergeKey (containers by name, ports by
// containerPort, env by name, volumes by name, conditions by type, ...) merge item by item, other
// lists replace; maps merge like RFC 7386. The directives kubectl's client-side apply and
// `kubectl patch` send are honoured:
//   {"$patch": "replace"} / {"$patch": "delete"} in maps, and as list elements ({"$patch":
//   "replace"} replaces the whole list, {"name": "x", "$patch": "delete"} removes item x),
//   "$retainKeys": [...] (e.g. Deployment strategy, volumes),
//   "$setElementOrder/<list>": [...] (final order of a merged list),
//   "$deleteFromPrimitiveList/<list>": [...] (e.g. finalizers).
// A merged list is ordered as the real server orders it: the items the patch names in the patch's
// (or $setElementOrder's) order, interleaved with the live-only items in their live order; new
// items therefore come before later live items.
// The merge metadata comes from the built-in schemas (builtin_schemas.h,
// `x-kubernetes-patch-merge-key` / `x-kubernetes-patch-strategy`). Pure function; thread-safe.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

// Applies `patch` to a copy of `doc`, an object of built-in `kind` (e.g. "Deployment"; the group is
// found from the kind). Unknown kinds are InvalidArgument (custom resources do not support strategic
// merge patch: the http layer answers 415 before calling this). Malformed patches and directives
// are InvalidArgument (400 BadRequest) with the real texts, e.g.
// "map: map[image:x] does not contain declared merge key: name", "invalid patch format of retainKeys".
// Keys starting with "$" that are no directive are kept as plain fields (pruning reports them), and
// a map patched with {"$patch": "delete"} becomes {}, as in the real server.
StatusOr<nlohmann::json> ApplyStrategicMergePatch(const nlohmann::json& doc, const nlohmann::json& patch,
                                                   std::string_view kind);

// Same, with an explicit structural schema carrying the patch metadata.
StatusOr<nlohmann::json> ApplyStrategicMergePatchWithSchema(const nlohmann::json& doc,
                                                             const nlohmann::json& patch,
                                                             const nlohmann::json& schema);

}  // namespace lifeboat::devcluster
