// Continue tokens of paginated lists, in the real server's format: base64url (no padding) of
// {"v":"meta.k8s.io/v1","rv":<list resourceVersion>,"start":"<next key>"}, where the key is relative
// to the list's prefix (the namespace for a namespaced list) and ends with "\u0000" so that it sorts
// right after the last key returned. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

struct ContinueToken {
  uint64_t resource_version = 0;
  std::string start_key;  // the first key to return (already with the "\0" suffix)
};

std::string EncodeContinueToken(const ContinueToken& token);

// InvalidArgument "continue key is not valid: ..." for anything that is not such a token.
StatusOr<ContinueToken> DecodeContinueToken(std::string_view text);

}  // namespace lifeboat::devcluster
