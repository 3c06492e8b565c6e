#include "e2e/devcluster/jobs/container_env.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

class EnvBuilder {
 public:
  void Set(const std::string& name, const std::string& value) {
    auto it = index_.find(name);
    if (it == index_.end()) {
      index_[name] = list_.size();
      list_.emplace_back(name, value);
    } else {
      list_[it->second].second = value;
    }
  }
  std::map<std::string, std::string> AsMap() const {
    std::map<std::string, std::string> out;
    for (const auto& [k, v] : list_) out[k] = v;
    return out;
  }
  EnvList Take() { return std::move(list_); }

 private:
  EnvList list_;
  std::map<std::string, size_t> index_;
};

std::string LowerKind(std::string_view kind) { return kind == "Secret" ? "secret" : "configmap"; }

// metadata.labels['key'] -> key (quotes ' or ").
std::optional<std::string> SubscriptKey(std::string_view path, std::string_view prefix) {
  if (path.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view rest = path.substr(prefix.size());
  if (rest.size() < 4 || rest.front() != '[' || rest.back() != ']') return std::nullopt;
  rest = rest.substr(1, rest.size() - 2);
  if (rest.size() < 2 || (rest.front() != '\'' && rest.front() != '"') || rest.back() != rest.front()) {
    return std::nullopt;
  }
  return std::string(rest.substr(1, rest.size() - 2));
}

}  // namespace

StatusOr<std::string> DecodeBase64(std::string_view text) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    if (c == '\n' || c == '\r') continue;
    const int v = value_of(c);
    if (v < 0) return InvalidArgumentError("illegal base64 data");
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

StatusOr<std::map<std::string, std::string>> ObjectData(const nlohmann::json& object, std::string_view kind) {
  std::map<std::string, std::string> data;
  const bool secret = kind == "Secret";
  if (object.contains("data") && object["data"].is_object()) {
    for (const auto& [key, value] : object["data"].items()) {
      if (!value.is_string()) continue;
      if (secret) {
        auto decoded = DecodeBase64(value.get<std::string>());
        if (!decoded.ok()) return InvalidArgumentError("secret key " + key + ": " + decoded.status().message());
        data[key] = *decoded;
      } else {
        data[key] = value.get<std::string>();
      }
    }
  }
  const char* extra = secret ? "stringData" : "binaryData";
  if (object.contains(extra) && object[extra].is_object()) {
    for (const auto& [key, value] : object[extra].items()) {
      if (!value.is_string()) continue;
      if (secret) {
        data[key] = value.get<std::string>();
      } else {
        auto decoded = DecodeBase64(value.get<std::string>());
        if (!decoded.ok()) return InvalidArgumentError("configmap key " + key + ": " + decoded.status().message());
        data[key] = *decoded;
      }
    }
  }
  return data;
}

std::string ExpandVariables(std::string_view input, const std::map<std::string, std::string>& vars) {
  std::string out;
  for (size_t i = 0; i < input.size(); ++i) {
    if (input[i] != '$' || i + 1 >= input.size()) {
      out.push_back(input[i]);
      continue;
    }
    if (input[i + 1] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    if (input[i + 1] == '(') {
      const size_t close = input.find(')', i + 2);
      if (close != std::string_view::npos) {
        const std::string name(input.substr(i + 2, close - i - 2));
        auto it = vars.find(name);
        if (it != vars.end()) {
          out += it->second;
        } else {
          out.append(input.substr(i, close - i + 1));
        }
        i = close;
        continue;
      }
    }
    out.push_back('$');
  }
  return out;
}

StatusOr<std::string> PodFieldValue(const nlohmann::json& pod, std::string_view field_path) {
  const json metadata = pod.value("metadata", json::object());
  const json spec = pod.value("spec", json::object());
  if (field_path == "metadata.name") return metadata.value("name", "");
  if (field_path == "metadata.namespace") return metadata.value("namespace", "");
  if (field_path == "metadata.uid") return metadata.value("uid", "");
  if (field_path == "spec.nodeName") return spec.value("nodeName", "");
  if (field_path == "spec.serviceAccountName") return spec.value("serviceAccountName", "default");
  if (field_path == "status.hostIP" || field_path == "status.podIP" || field_path == "status.hostIPs" ||
      field_path == "status.podIPs") {
    return std::string("127.0.0.1");
  }
  for (const char* map_name : {"labels", "annotations"}) {
    const std::string prefix = std::string("metadata.") + map_name;
    const json values = metadata.value(map_name, json::object());
    if (auto key = SubscriptKey(field_path, prefix)) {
      return values.contains(*key) && values[*key].is_string() ? values[*key].get<std::string>() : "";
    }
    if (field_path == prefix) {  // all of them, key="value" lines, sorted (downward API volume form)
      std::string out;
      for (const auto& [k, v] : values.items()) out += k + "=\"" + (v.is_string() ? v.get<std::string>() : "") + "\"\n";
      if (!out.empty()) out.pop_back();
      return out;
    }
  }
  return InvalidArgumentError("unsupported fieldPath: " + std::string(field_path));
}

StatusOr<EnvList> ResolveContainerEnv(const nlohmann::json& pod, const nlohmann::json& container,
                                      const PodObjectLookup& lookup) {
  const std::string ns = pod.value("metadata", json::object()).value("namespace", "default");
  EnvBuilder env;
  std::map<std::string, std::map<std::string, std::string>> cache;  // "Secret/x" -> data
  auto data_of = [&](std::string_view kind, const std::string& name,
                     bool optional) -> StatusOr<std::optional<std::map<std::string, std::string>>> {
    const std::string cache_key = std::string(kind) + "/" + name;
    auto it = cache.find(cache_key);
    if (it != cache.end()) return std::optional<std::map<std::string, std::string>>(it->second);
    std::optional<json> object = lookup(kind, name);
    if (!object) {
      if (optional) return std::optional<std::map<std::string, std::string>>();
      return FailedPreconditionError(LowerKind(kind) + " \"" + name + "\" not found");
    }
    auto data = ObjectData(*object, kind);
    if (!data.ok()) return data.status();
    cache[cache_key] = *data;
    return std::optional<std::map<std::string, std::string>>(*data);
  };

  if (container.contains("envFrom") && container["envFrom"].is_array()) {
    for (const json& source : container["envFrom"]) {
      const std::string prefix = source.value("prefix", "");
      for (const auto& [key, kind] : {std::pair{"secretRef", "Secret"}, std::pair{"configMapRef", "ConfigMap"}}) {
        if (!source.contains(key) || !source[key].is_object()) continue;
        const json& ref = source[key];
        auto data = data_of(kind, ref.value("name", ""), ref.value("optional", false));
        if (!data.ok()) return data.status();
        if (!data->has_value()) continue;
        for (const auto& [k, v] : **data) env.Set(prefix + k, v);
      }
    }
  }
  if (container.contains("env") && container["env"].is_array()) {
    for (const json& var : container["env"]) {
      const std::string name = var.value("name", "");
      if (name.empty()) return InvalidArgumentError("env entry without a name");
      if (!var.contains("valueFrom") || var["valueFrom"].is_null()) {
        env.Set(name, ExpandVariables(var.value("value", ""), env.AsMap()));
        continue;
      }
      const json& from = var["valueFrom"];
      bool resolved = false;
      for (const auto& [key, kind] : {std::pair{"secretKeyRef", "Secret"}, std::pair{"configMapKeyRef", "ConfigMap"}}) {
        if (!from.contains(key) || !from[key].is_object()) continue;
        const json& ref = from[key];
        const std::string object_name = ref.value("name", "");
        const std::string data_key = ref.value("key", "");
        const bool optional = ref.value("optional", false);
        auto data = data_of(kind, object_name, optional);
        if (!data.ok()) return data.status();
        resolved = true;
        if (!data->has_value()) break;
        auto value = (*data)->find(data_key);
        if (value == (*data)->end()) {
          if (optional) break;
          return FailedPreconditionError("couldn't find key " + data_key + " in " + kind + " " + ns + "/" + object_name);
        }
        env.Set(name, value->second);
      }
      if (resolved) continue;
      if (from.contains("fieldRef") && from["fieldRef"].is_object()) {
        auto value = PodFieldValue(pod, from["fieldRef"].value("fieldPath", ""));
        if (!value.ok()) return value.status();
        env.Set(name, *value);
        continue;
      }
      return InvalidArgumentError("env " + name + ": valueFrom source not supported by the local kubelet");
    }
  }
  return env.Take();
}

}  // namespace lifeboat::devcluster
