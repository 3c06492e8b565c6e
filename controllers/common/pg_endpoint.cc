#include "controllers/common/pg_endpoint.h"

#include <nlohmann/json.hpp>

#include "controllers/common/resources.h"
#include "operator/kube/kube_config.h"

namespace lifeboat::controllers {
namespace {

// libpq: single quotes around the value, backslash before ' and \.
std::string Quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

StatusOr<PgEndpoint> ReadPgEndpoint(kube::ApiClient& client, const std::string& ns, const api::PostgresConnection& c) {
  PgEndpoint endpoint;
  endpoint.host = c.host;
  endpoint.port = c.port;
  endpoint.sslmode = c.ssl_mode;
  auto secret = client.Get(SecretResource(), ns, c.credentials_secret);
  if (!secret.ok()) {
    if (secret.status().code() != StatusCode::kNotFound) {
      return secret.status().WithContext("reading Secret " + ns + "/" + c.credentials_secret);
    }
    endpoint.credentials_found = false;
    return endpoint;
  }
  const nlohmann::json data = secret->value("data", nlohmann::json::object());
  auto value = [&](const std::string& key) -> std::string {
    if (!data.is_object() || !data.contains(key) || !data[key].is_string()) return "";
    auto decoded = kube::DecodeBase64(data[key].get<std::string>());
    return decoded.ok() ? *decoded : "";
  };
  endpoint.user = value(c.username_key);
  endpoint.password = value(c.password_key);
  return endpoint;
}

std::string PgConnectionString(const PgEndpoint& server, const std::string& application_name, bool replication) {
  return "host=" + Quoted(server.host) + " port=" + std::to_string(server.port) +
         (replication ? " replication=true" : " dbname=postgres") + " user=" + Quoted(server.user) +
         " password=" + Quoted(server.password) + " sslmode=" + Quoted(server.sslmode) +
         " connect_timeout=3 application_name=" + Quoted(application_name);
}

}  // namespace lifeboat::controllers
