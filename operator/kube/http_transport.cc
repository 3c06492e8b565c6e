#include "operator/kube/http_transport.h"

#include <strings.h>

namespace lifeboat::kube {

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return "";
}

}  // namespace lifeboat::kube
