// YamlToJson: decodes a YAML request body (Content-Type application/yaml, or the
// application/apply-patch+yaml of server-side apply) into JSON with YAML 1.2 core-schema scalar
// resolution (null, booleans, integers, floats; quoted scalars stay strings), as the real server's
// sigs.k8s.io/yaml decoding does. Pure; thread-safe.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

// InvalidArgument with the parser's message for malformed YAML or several documents.
StatusOr<nlohmann::json> YamlToJson(std::string_view yaml);

}  // namespace lifeboat::devcluster
