// ResultFields: tolerant reads of the fields of an agent result (backup_result.h, restore_result.h,
// catalog.h). A missing field, or one of another type, reads as absent (nullopt, "", false, empty):
// a result from a newer agent, or a truncated one, never stops a controller. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lifeboat::agent::fields {

std::string String(const nlohmann::json& j, const char* key);
bool Flag(const nlohmann::json& j, const char* key);                              // false unless true.
std::optional<std::int64_t> Integer(const nlohmann::json& j, const char* key);    // A float is truncated.
std::optional<double> Number(const nlohmann::json& j, const char* key);
std::vector<std::string> Strings(const nlohmann::json& j, const char* key);       // The string entries.
const nlohmann::json* Object(const nlohmann::json& j, const char* key);           // nullptr unless an object.
std::vector<nlohmann::json> Objects(const nlohmann::json& j, const char* key);    // The object entries.

}  // namespace lifeboat::agent::fields
