// RFC 3339 timestamps as Kubernetes writes them ("2026-11-22T01:02:03Z"; metav1.Time has second
// precision, metav1.MicroTime has microseconds). Pure functions; thread-safe.
#pragma once

#include <string>

#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat {

// "2026-11-22T01:02:03Z" (truncated to whole seconds, UTC), as metav1.Time serializes.
std::string FormatRfc3339(WallTime time);

// "2026-11-22T01:02:03.123456Z", as metav1.MicroTime serializes (Events, Leases).
std::string FormatRfc3339Micro(WallTime time);

// Accepts "Z" or "+hh:mm"/"-hh:mm" offsets and optional fractional seconds.
StatusOr<WallTime> ParseRfc3339(const std::string& text);

}  // namespace lifeboat
