// URL codec: percent-decoding of request paths and query strings, and encoding of query values.
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace lifeboat::devcluster {

// Decodes %XX escapes; with `plus_is_space` (query strings, as Go's url.Values encodes) '+' becomes
// ' '. Malformed escapes are kept verbatim.
std::string PercentDecode(std::string_view text, bool plus_is_space);

// Encodes everything but unreserved characters (RFC 3986) as %XX.
std::string PercentEncode(std::string_view text);

// Splits "a=1&b=x+y&c" into {a:1, b:"x y", c:""}; a repeated key keeps its first value.
std::map<std::string, std::string> ParseQuery(std::string_view query);

}  // namespace lifeboat::devcluster
