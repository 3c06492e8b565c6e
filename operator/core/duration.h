// Duration: the human-written spans used in Lifeboat's resources ("6h30m", "30d", "90s").
// The syntax is Go's time.ParseDuration (as in metav1.Duration: sequences of a decimal number and a
// unit among ns, us, µs, ms, s, m, h) plus one extension, "d" = exactly 24 hours (a fixed span, not a
// calendar day: "30d" is 720h even across a daylight-saving change). Signs are rejected: every
// Lifeboat field wants a non-negative span; a bare "0" means zero, as in Go. FormatDuration writes a
// canonical form without zero components ("1d6h", "45m", "2h5s"). Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "operator/core/status.h"

namespace lifeboat {

using Duration = std::chrono::nanoseconds;

// Parses "6h30m", "1.5h", "30d", "250ms", "0". Rejects empty text, missing units, unknown units,
// signs, spaces and values beyond about 292 years, with a message quoting the input.
StatusOr<Duration> ParseDuration(std::string_view text);

// Canonical text for a non-negative duration: units d, h, m, s (and ms/us/ns when below one
// second, or as a fraction of seconds: "1.5s"). Zero is "0s". ParseDuration(FormatDuration(d)) == d.
std::string FormatDuration(Duration duration);

}  // namespace lifeboat
