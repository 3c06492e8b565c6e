// How a value goes into a libpq keyword/value connection string: in single quotes, with the quote
// and the backslash escaped by a backslash (libpq's rules). The agent's sessions, its replication
// connections and the operator's own connections all build their strings with it. Pure; thread-safe.
#pragma once

#include <string>

namespace lifeboat {

std::string QuoteConnInfoValue(const std::string& value);

}  // namespace lifeboat
