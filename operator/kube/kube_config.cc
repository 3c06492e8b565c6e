#include "operator/kube/kube_config.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace lifeboat::kube {
namespace {

namespace fs = std::filesystem;

StatusOr<std::string> ReadWholeFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgumentError("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return InvalidArgumentError("cannot read " + path.string());
  return out.str();
}

bool LooksLikePem(const std::string& text, std::string_view what) {
  return text.find("-----BEGIN " + std::string(what)) != std::string::npos;
}

// Accessors that turn yaml-cpp's type confusion into clear errors.
class KubeconfigReader {
 public:
  KubeconfigReader(std::string_view origin, fs::path base_dir) : origin_(origin), base_dir_(std::move(base_dir)) {}

  Status Error(const std::string& what) const { return InvalidArgumentError("kubeconfig " + origin_ + ": " + what); }

  // A string field of a map; "" when absent. Non-scalar values are errors.
  StatusOr<std::string> String(const YAML::Node& map, const std::string& field, const std::string& where) const {
    YAML::Node value = map[field];
    if (!value || value.IsNull()) return std::string();
    if (!value.IsScalar()) return Error(where + "." + field + " must be a string");
    return value.as<std::string>();
  }

  StatusOr<bool> Bool(const YAML::Node& map, const std::string& field, const std::string& where) const {
    YAML::Node value = map[field];
    if (!value || value.IsNull()) return false;
    if (value.IsScalar()) {
      std::string text = value.as<std::string>();
      if (text == "true" || text == "True" || text == "TRUE") return true;
      if (text == "false" || text == "False" || text == "FALSE") return false;
    }
    return Error(where + "." + field + " must be true or false");
  }

  // Finds `name` in a list of {name: ..., <item_field>: {...}} (clusters, users, contexts).
  StatusOr<YAML::Node> Named(const YAML::Node& root, const std::string& list, const std::string& item_field,
                             const std::string& name) const {
    YAML::Node items = root[list];
    if (!items || items.IsNull()) return Error("has no " + list + " (looking for \"" + name + "\")");
    if (!items.IsSequence()) return Error(list + " must be a list");
    for (size_t i = 0; i < items.size(); ++i) {
      YAML::Node item = items[i];
      if (!item.IsMap()) return Error(list + "[" + std::to_string(i) + "] must be a map");
      YAML::Node item_name = item["name"];
      if (item_name && item_name.IsScalar() && item_name.as<std::string>() == name) {
        YAML::Node body = item[item_field];
        if (!body || body.IsNull()) return YAML::Node(YAML::NodeType::Map);
        if (!body.IsMap()) return Error(list + " entry \"" + name + "\" has a " + item_field + " that is not a map");
        return body;
      }
    }
    std::string singular = list.substr(0, list.size() - 1);
    return Error(singular + " \"" + name + "\" not found in " + list);
  }

  // Reads `<field>` (a file path) or `<field>-data` (inline base64) into PEM text.
  StatusOr<std::string> FileOrData(const YAML::Node& map, const std::string& field, const std::string& where,
                                   std::string_view pem_kind) const {
    auto data = String(map, field + "-data", where);
    if (!data.ok()) return data.status();
    auto path = String(map, field, where);
    if (!path.ok()) return path.status();
    std::string pem;
    if (!data->empty()) {
      auto decoded = DecodeBase64(*data);
      if (!decoded.ok()) return Error(where + "." + field + "-data is not valid base64: " + decoded.status().message());
      pem = std::move(*decoded);
      if (!LooksLikePem(pem, pem_kind)) {
        return Error(where + "." + field + "-data does not decode to a PEM " + std::string(pem_kind));
      }
    } else if (!path->empty()) {
      fs::path file = *path;
      if (file.is_relative()) file = base_dir_ / file;
      auto contents = ReadWholeFile(file);
      if (!contents.ok()) return Error(where + "." + field + ": " + contents.status().message());
      pem = std::move(*contents);
      if (!LooksLikePem(pem, pem_kind)) {
        return Error(where + "." + field + " file " + file.string() + " does not contain a PEM " +
                     std::string(pem_kind));
      }
    }
    return pem;
  }

  fs::path Resolve(const std::string& path) const {
    fs::path file = path;
    return file.is_relative() ? base_dir_ / file : file;
  }

 private:
  std::string origin_;
  fs::path base_dir_;
};

}  // namespace

EnvLookup ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

StatusOr<std::string> DecodeBase64(std::string_view text) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string clean;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
  }
  if (clean.size() % 4 != 0) return InvalidArgumentError("length is not a multiple of 4");
  std::string out;
  for (size_t i = 0; i < clean.size(); i += 4) {
    int v[4];
    int padding = 0;
    for (int j = 0; j < 4; ++j) {
      char c = clean[i + j];
      if (c == '=') {
        if (i + 4 != clean.size() || j < 2) return InvalidArgumentError("misplaced padding");
        v[j] = 0;
        ++padding;
      } else {
        if (padding > 0) return InvalidArgumentError("misplaced padding");
        v[j] = value_of(c);
        if (v[j] < 0) return InvalidArgumentError(std::string("illegal character '") + c + "'");
      }
    }
    unsigned triple = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>((triple >> 16) & 0xff);
    if (padding < 2) out += static_cast<char>((triple >> 8) & 0xff);
    if (padding < 1) out += static_cast<char>(triple & 0xff);
  }
  return out;
}

StatusOr<KubeConfig> ParseKubeconfig(std::string_view yaml_text, const fs::path& base_dir, std::string_view context,
                                     std::string_view origin) {
  KubeconfigReader reader(origin, base_dir);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return reader.Error(std::string("is not valid YAML: ") + e.what());
  }
  if (!root || root.IsNull()) return reader.Error("is empty");
  if (!root.IsMap()) return reader.Error("is not a YAML map");
  YAML::Node kind = root["kind"];
  if (kind && kind.IsScalar() && kind.as<std::string>() != "Config") {
    return reader.Error("has kind \"" + kind.as<std::string>() + "\", expected Config");
  }

  std::string context_name(context);
  if (context_name.empty()) {
    auto current = reader.String(root, "current-context", "kubeconfig");
    if (!current.ok()) return current.status();
    context_name = *current;
    if (context_name.empty()) return reader.Error("has no current-context; set one or pass --context");
  }
  auto context_node = reader.Named(root, "contexts", "context", context_name);
  if (!context_node.ok()) return context_node.status();
  std::string where = "context \"" + context_name + "\"";
  auto cluster_name = reader.String(*context_node, "cluster", where);
  if (!cluster_name.ok()) return cluster_name.status();
  if (cluster_name->empty()) return reader.Error(where + " names no cluster");
  auto user_name = reader.String(*context_node, "user", where);
  if (!user_name.ok()) return user_name.status();
  KubeConfig config;
  auto ns = reader.String(*context_node, "namespace", where);
  if (!ns.ok()) return ns.status();
  config.ns = *ns;

  // Cluster: server, CA, TLS options.
  auto cluster = reader.Named(root, "clusters", "cluster", *cluster_name);
  if (!cluster.ok()) return cluster.status();
  where = "cluster \"" + *cluster_name + "\"";
  auto server = reader.String(*cluster, "server", where);
  if (!server.ok()) return server.status();
  if (server->empty()) return reader.Error(where + " has no server");
  if (server->rfind("https://", 0) != 0 && server->rfind("http://", 0) != 0) {
    return reader.Error(where + " server \"" + *server + "\" is not an http:// or https:// URL");
  }
  std::string host_part = server->substr(server->find("://") + 3);
  if (host_part.empty() || host_part[0] == '/' || host_part[0] == ':') {
    return reader.Error(where + " server \"" + *server + "\" has no host");
  }
  config.server = *server;
  while (!config.server.empty() && config.server.back() == '/') config.server.pop_back();
  auto insecure = reader.Bool(*cluster, "insecure-skip-tls-verify", where);
  if (!insecure.ok()) return insecure.status();
  config.insecure_skip_tls_verify = *insecure;
  auto ca = reader.FileOrData(*cluster, "certificate-authority", where, "CERTIFICATE");
  if (!ca.ok()) return ca.status();
  config.ca_pem = std::move(*ca);
  if (config.insecure_skip_tls_verify && !config.ca_pem.empty()) {
    return reader.Error(where + " sets both insecure-skip-tls-verify and a certificate authority; choose one");
  }
  auto server_name = reader.String(*cluster, "tls-server-name", where);
  if (!server_name.ok()) return server_name.status();
  config.tls_server_name = *server_name;

  // User: token, token file, client certificate, basic auth. Plugins are refused clearly.
  if (!user_name->empty()) {
    auto user = reader.Named(root, "users", "user", *user_name);
    if (!user.ok()) return user.status();
    where = "user \"" + *user_name + "\"";
    if ((*user)["exec"] && !(*user)["exec"].IsNull()) {
      return reader.Error(where + " uses an exec credential plugin, which lifeboat does not support; use a "
                                  "token, token file or client certificate");
    }
    if ((*user)["auth-provider"] && !(*user)["auth-provider"].IsNull()) {
      return reader.Error(where + " uses an auth-provider, which lifeboat does not support; use a token, "
                                  "token file or client certificate");
    }
    auto token = reader.String(*user, "token", where);
    if (!token.ok()) return token.status();
    config.token = *token;
    auto token_file = reader.String(*user, "tokenFile", where);
    if (!token_file.ok()) return token_file.status();
    if (!token_file->empty()) {
      config.token_file = reader.Resolve(*token_file).string();
      if (config.token.empty()) {
        auto contents = ReadWholeFile(config.token_file);
        if (!contents.ok()) return reader.Error(where + ".tokenFile: " + contents.status().message());
      }
    }
    auto cert = reader.FileOrData(*user, "client-certificate", where, "CERTIFICATE");
    if (!cert.ok()) return cert.status();
    auto key = reader.FileOrData(*user, "client-key", where, "");
    if (!key.ok()) return key.status();
    if (cert->empty() != key->empty()) {
      return reader.Error(where + (cert->empty() ? " has a client-key but no client-certificate"
                                                 : " has a client-certificate but no client-key"));
    }
    if (!key->empty() && key->find("PRIVATE KEY") == std::string::npos) {
      return reader.Error(where + " client-key is not a PEM private key");
    }
    config.client_cert_pem = std::move(*cert);
    config.client_key_pem = std::move(*key);
    auto username = reader.String(*user, "username", where);
    if (!username.ok()) return username.status();
    auto password = reader.String(*user, "password", where);
    if (!password.ok()) return password.status();
    if (username->empty() != password->empty()) {
      return reader.Error(where + " must set both username and password, or neither");
    }
    config.username = *username;
    config.password = *password;
  }
  if (config.server.rfind("http://", 0) == 0 && (!config.token.empty() || !config.token_file.empty() ||
                                                 !config.password.empty())) {
    return reader.Error("cluster \"" + *cluster_name + "\" server is plain http://; refusing to send credentials "
                        "unencrypted");
  }
  config.source = "kubeconfig " + std::string(origin) + " (context " + context_name + ")";
  return config;
}

StatusOr<KubeConfig> LoadKubeconfigFile(const fs::path& path, std::string_view context) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return InvalidArgumentError("kubeconfig " + path.string() + ": cannot be read");
  return ParseKubeconfig(*text, path.parent_path(), context, path.string());
}

StatusOr<KubeConfig> LoadInClusterConfig(const EnvLookup& env, const fs::path& account_dir) {
  auto host = env("KUBERNETES_SERVICE_HOST");
  auto port = env("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) {
    return InvalidArgumentError(
        "not running in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must both be set");
  }
  KubeConfig config;
  std::string host_text = *host;
  if (host_text.find(':') != std::string::npos) host_text = "[" + host_text + "]";  // IPv6.
  config.server = "https://" + host_text + ":" + *port;
  config.token_file = (account_dir / "token").string();
  auto token = ReadWholeFile(config.token_file);
  if (!token.ok()) return InvalidArgumentError("in-cluster config: cannot read service account token " + config.token_file);
  auto ca = ReadWholeFile(account_dir / "ca.crt");
  if (!ca.ok()) return InvalidArgumentError("in-cluster config: cannot read " + (account_dir / "ca.crt").string());
  if (!LooksLikePem(*ca, "CERTIFICATE")) {
    return InvalidArgumentError("in-cluster config: " + (account_dir / "ca.crt").string() +
                                " does not contain a PEM certificate");
  }
  config.ca_pem = std::move(*ca);
  auto ns = ReadWholeFile(account_dir / "namespace");
  if (ns.ok()) {
    config.ns = *ns;
    while (!config.ns.empty() && std::isspace(static_cast<unsigned char>(config.ns.back()))) config.ns.pop_back();
  }
  config.source = "in-cluster";
  return config;
}

StatusOr<KubeConfig> ResolveKubeConfig(std::string_view kubeconfig, std::string_view context, const EnvLookup& env,
                                       const fs::path& account_dir) {
  if (!kubeconfig.empty()) {
    std::string list(kubeconfig);
    std::string first_listed;
    size_t start = 0;
    while (start <= list.size()) {
      size_t colon = list.find(':', start);
      std::string entry = list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!entry.empty()) {
        if (first_listed.empty()) first_listed = entry;
        std::error_code ec;
        if (fs::exists(entry, ec)) return LoadKubeconfigFile(entry, context);
      }
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return InvalidArgumentError("kubeconfig " + (first_listed.empty() ? std::string(kubeconfig) : first_listed) +
                                ": no such file");
  }
  if (auto host = env("KUBERNETES_SERVICE_HOST"); host && !host->empty()) {
    if (!context.empty()) return InvalidArgumentError("--context needs a kubeconfig; none was given");
    return LoadInClusterConfig(env, account_dir);
  }
  if (auto home = env("HOME"); home && !home->empty()) {
    fs::path path = fs::path(*home) / ".kube" / "config";
    std::error_code ec;
    if (fs::exists(path, ec)) return LoadKubeconfigFile(path, context);
  }
  return InvalidArgumentError(
      "no Kubernetes configuration: pass --kubeconfig (or set KUBECONFIG), run in a cluster, or create "
      "$HOME/.kube/config");
}

}  // namespace lifeboat::kube
