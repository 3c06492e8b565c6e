#include "e2e/devcluster/server/api_route.h"

#include <vector>

namespace lifeboat::devcluster {
namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > pos) parts.emplace_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return parts;
}

// Parses the part after /api/v1 or /apis/{g}/{v}.
ApiRoute ParseResourceParts(std::vector<std::string> parts, ApiRoute route) {
  if (parts.empty()) {
    route.kind = RouteKind::kResourceList;
    return route;
  }
  size_t i = 0;
  if (parts[0] == "watch") {
    route.legacy_watch = true;
    ++i;
    if (i == parts.size()) return ApiRoute{};
  }
  // namespaces/{ns}/{resource}/... unless the third part is a namespace subresource.
  if (parts[i] == "namespaces" && parts.size() - i >= 3 && parts[i + 2] != "status" &&
      parts[i + 2] != "finalize") {
    route.namespace_name = parts[i + 1];
    i += 2;
  }
  std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
  if (rest.empty() || rest.size() > 3) return ApiRoute{};
  route.kind = RouteKind::kResource;
  route.resource = rest[0];
  if (rest.size() >= 2) route.name = rest[1];
  if (rest.size() == 3) route.subresource = rest[2];
  return route;
}

}  // namespace

ApiRoute ParseApiRoute(std::string_view path) {
  std::vector<std::string> parts = SplitPath(path);
  ApiRoute route;
  if (parts.empty()) return route;
  const std::string& head = parts[0];
  if (head == "version" && parts.size() == 1) {
    route.kind = RouteKind::kVersion;
    return route;
  }
  if (head == "healthz" || head == "readyz" || head == "livez") {
    route.kind = RouteKind::kHealth;
    route.health_check = head;
    return route;
  }
  if (head == "openapi") {
    if (parts.size() == 2 && parts[1] == "v2") {
      route.kind = RouteKind::kOpenApiV2;
    } else if (parts.size() == 2 && parts[1] == "v3") {
      route.kind = RouteKind::kOpenApiV3Index;
    } else if (parts.size() == 4 && parts[1] == "v3" && parts[2] == "api") {
      route.kind = RouteKind::kOpenApiV3Document;
      route.version = parts[3];
    } else if (parts.size() == 5 && parts[1] == "v3" && parts[2] == "apis") {
      route.kind = RouteKind::kOpenApiV3Document;
      route.group = parts[3];
      route.version = parts[4];
    }
    return route;
  }
  if (head == "api") {
    if (parts.size() == 1) {
      route.kind = RouteKind::kCoreVersions;
      return route;
    }
    route.version = parts[1];
    return ParseResourceParts(std::vector<std::string>(parts.begin() + 2, parts.end()), route);
  }
  if (head == "apis") {
    if (parts.size() == 1) {
      route.kind = RouteKind::kGroupList;
      return route;
    }
    route.group = parts[1];
    if (parts.size() == 2) {
      route.kind = RouteKind::kGroup;
      return route;
    }
    route.version = parts[2];
    return ParseResourceParts(std::vector<std::string>(parts.begin() + 3, parts.end()), route);
  }
  return route;
}

}  // namespace lifeboat::devcluster
