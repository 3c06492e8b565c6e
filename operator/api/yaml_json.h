// YamlToJson: reads Kubernetes manifests (YAML, possibly several documents separated by ---)
// into JSON values, with YAML's scalars typed as kubectl does (YAML 1.1, as go-yaml v2): true/false
// and yes/no/on/off become booleans, integers and floats numbers, null/~ null, quoted scalars and
// `!!str` always strings.
// Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "operator/core/status.h"

namespace lifeboat::api {

// Every non-empty document of `text`, in order.
StatusOr<std::vector<nlohmann::json>> YamlDocumentsToJson(const std::string& text);

}  // namespace lifeboat::api
