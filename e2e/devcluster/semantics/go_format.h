// Go-style value formatting: how the real API server prints values inside field errors
// (`Invalid value: 0`, `Unsupported value: "turbo"`), so our messages match byte for byte.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {

// Go's strconv.Quote: "a\"b" with \\, \", \n, \t, \r and \x.. / \u.... escapes for control characters.
std::string GoQuote(std::string_view s);

// A JSON number as Go's %v prints a float64 or int64: 1, 1.5, 1e+21, -0.0001.
std::string GoNumber(const nlohmann::json& number);

// A value as field.Error prints it: numbers and booleans bare, strings quoted, null as "null",
// objects and lists in Go's %#v form (map[string]interface {}{"a":1}).
std::string GoFieldValue(const nlohmann::json& value);

// A value as Go's %v prints decoded JSON: map[a:1 b:[x y]] (keys sorted), strings bare, null as <nil>.
std::string GoV(const nlohmann::json& value);

}  // namespace lifeboat::devcluster
