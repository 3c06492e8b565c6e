// Discovery documents (legacy, unaggregated form, which kubectl 1.32 and client-go accept): /api
// (APIVersions), /apis (APIGroupList), /apis/{group} (APIGroup), /api/v1 and /apis/{group}/{version}
// (APIResourceList with subresources), built on every request from the ResourceRegistry so an
// installed or deleted CRD shows at once. Also /version. Pure functions of the registry; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/store/resource_registry.h"

namespace lifeboat::devcluster {

// The Kubernetes version the devcluster claims to be (kubectl warns on a skew of more than one minor).
inline constexpr const char* kServedKubernetesMajor = "1";
inline constexpr const char* kServedKubernetesMinor = "32";
inline constexpr const char* kServedKubernetesGitVersion = "v1.32.0+lifeboat-devcluster";

nlohmann::json VersionDocument();
nlohmann::json ApiVersionsDocument(std::string_view server_address);
nlohmann::json ApiGroupListDocument(const ResourceRegistry& registry);
// std::nullopt when no such group is served.
std::optional<nlohmann::json> ApiGroupDocument(const ResourceRegistry& registry, std::string_view group);
// std::nullopt when the group/version is not served.
std::optional<nlohmann::json> ApiResourceListDocument(const ResourceRegistry& registry, std::string_view group,
                                                      std::string_view version);

}  // namespace lifeboat::devcluster
