// SHA-256 in lowercase hex, of a file's content (media checksums) or of bytes in memory (drill
// reports, whose chain links each report to the hash of the one before). Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "operator/core/status.h"

namespace lifeboat::agent {

StatusOr<std::string> Sha256File(const std::string& path);
std::string Sha256Hex(std::string_view bytes);

}  // namespace lifeboat::agent
