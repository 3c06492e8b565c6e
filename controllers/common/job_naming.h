// Job naming: the deterministic names of the Jobs a controller launches, so that a retried or
// repeated reconcile (e.g. after an operator crash) finds the Job of a run instead of creating a
// second one. A name is "<parent>-<run>" when that is a valid DNS label of at most 63 characters
// (Job names end up in the Pods' `job-name` label); otherwise the parent part is shortened and a
// hash of the full name is appended, so distinct runs keep distinct names. Pure functions;
// thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "operator/core/clock.h"

namespace lifeboat::controllers {

inline constexpr size_t kMaxJobNameLength = 63;

// "<parent>-<run>" (lower-cased, invalid characters replaced by '-'), at most 63 characters.
std::string DeterministicJobName(std::string_view parent, std::string_view run);

// The run part for a scheduled run: the UTC minute "202611220600".
std::string ScheduledRunPart(WallTime scheduled_time);

// The run part for an on-demand run: "now-" + 10 hex digits of a hash of the trigger value (the
// value itself may be any text).
std::string OnDemandRunPart(std::string_view token);

// A stable 64-bit FNV-1a hash of `text` as 16 lower-case hex digits.
std::string StableHash(std::string_view text);

}  // namespace lifeboat::controllers
