#include "operator/core/libpq_conninfo.h"

namespace lifeboat {

std::string QuoteConnInfoValue(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace lifeboat
