// Test helper: loads manifests from the source tree (samples, invalid resources) as JSON.
// Thread-compatible.
#pragma once

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "operator/api/yaml_json.h"

namespace lifeboat::api::testing {

inline std::string SourcePath(const std::string& relative) { return std::string(LIFEBOAT_SOURCE_DIR) + "/" + relative; }

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The single document of a YAML file under the source tree.
inline nlohmann::json LoadManifest(const std::string& relative) {
  StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson(ReadFile(SourcePath(relative)));
  EXPECT_TRUE(docs.ok()) << relative << ": " << docs.status();
  if (!docs.ok() || docs->size() != 1) {
    ADD_FAILURE() << relative << " must hold exactly one document";
    return nlohmann::json::object();
  }
  return (*docs)[0];
}

}  // namespace lifeboat::api::testing
