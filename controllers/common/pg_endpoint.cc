#include "controllers/common/pg_endpoint.h"

#include <nlohmann/json.hpp>

#include "controllers/common/resources.h"
#include "operator/core/libpq_conninfo.h"
#include "operator/kube/kube_config.h"

namespace lifeboat::controllers {

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
  return "host=" + QuoteConnInfoValue(server.host) + " port=" + std::to_string(server.port) +
         (replication ? " replication=true" : " dbname=postgres") + " user=" + QuoteConnInfoValue(server.user) +
         " password=" + QuoteConnInfoValue(server.password) + " sslmode=" + QuoteConnInfoValue(server.sslmode) +
         " connect_timeout=3 application_name=" + QuoteConnInfoValue(application_name);
}

}  // namespace lifeboat::controllers
