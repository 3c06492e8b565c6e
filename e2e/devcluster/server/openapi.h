// OpenAPI documents of the devcluster: the v3 index (/openapi/v3) with one document per served
// group/version (/openapi/v3/api/v1, /openapi/v3/apis/{g}/{v}), and the v2 document (/openapi/v2,
// JSON only). Built from the ResourceRegistry: CRD kinds from their openAPIV3Schema, built-in kinds
// from semantics' BuiltinSchema. Every PATCH/POST/PUT operation advertises the `fieldValidation`
// query parameter, which tells kubectl (QueryParamVerifierV3) to leave validation to the server;
// schemas carry x-kubernetes-group-version-kind and the strategic-merge metadata kubectl's
// client-side apply reads. OpenApiCache memoises the documents per registry epoch; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/store/resource_registry.h"

namespace lifeboat::devcluster {

// The v3 document of one group/version; std::nullopt when it is not served.
std::optional<nlohmann::json> BuildOpenApiV3Document(const ResourceRegistry& registry, std::string_view group,
                                                     std::string_view version);
// Swagger 2.0 document covering every served group/version.
nlohmann::json BuildOpenApiV2Document(const ResourceRegistry& registry);
// Upper-case hex SHA-512 of the document's compact serialization (the `hash=` of the v3 index).
std::string OpenApiHash(const std::string& serialized);

class OpenApiCache {
 public:
  // Serialized documents, rebuilt when the registry's epoch changed.
  std::string V3Index(const ResourceRegistry& registry);
  std::optional<std::string> V3Document(const ResourceRegistry& registry, std::string_view group,
                                        std::string_view version);
  std::string V2Document(const ResourceRegistry& registry);

 private:
  void RefreshLocked(const ResourceRegistry& registry);

  std::mutex mutex_;
  uint64_t epoch_ = 0;
  std::map<std::string, std::string> v3_documents_;  // "api/v1", "apis/g/v" → JSON text
  std::string v3_index_;
  std::string v2_document_;
};

}  // namespace lifeboat::devcluster
