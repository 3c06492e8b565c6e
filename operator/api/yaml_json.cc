#include "operator/api/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <regex>

namespace lifeboat::api {
namespace {

nlohmann::json ScalarToJson(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  // Quoted scalars carry the "!" tag in yaml-cpp; plain ones "?"; `!!str 1` is a string too.
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return text;
  // kubectl reads YAML 1.1 (go-yaml v2 via sigs.k8s.io/yaml): yes/no/on/off are booleans as well.
  static const std::regex kTrue("^(true|True|TRUE|y|Y|yes|Yes|YES|on|On|ON)$");
  static const std::regex kFalse("^(false|False|FALSE|n|N|no|No|NO|off|Off|OFF)$");
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kFloat("^[-+]?([0-9]+\\.[0-9]*|\\.[0-9]+|[0-9]+)([eE][-+]?[0-9]+)?$");
  if (std::regex_match(text, kTrue)) return true;
  if (std::regex_match(text, kFalse)) return false;
  if (text == "null" || text == "Null" || text == "NULL" || text == "~" || text.empty()) return nullptr;
  if (std::regex_match(text, kInt)) {
    errno = 0;
    long long value = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == 0) return value;
  }
  if (std::regex_match(text, kFloat)) return std::strtod(text.c_str(), nullptr);
  return text;
}

nlohmann::json NodeToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return ScalarToJson(node);
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const YAML::Node& item : node) out.push_back(NodeToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& item : node) out[item.first.as<std::string>()] = NodeToJson(item.second);
      return out;
    }
  }
  return nullptr;
}

}  // namespace

StatusOr<std::vector<nlohmann::json>> YamlDocumentsToJson(const std::string& text) {
  try {
    std::vector<nlohmann::json> out;
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
      if (doc.IsNull()) continue;
      out.push_back(NodeToJson(doc));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string("malformed YAML: ") + e.what());
  }
}

}  // namespace lifeboat::api
