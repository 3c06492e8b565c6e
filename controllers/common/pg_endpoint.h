// PgEndpoint: a PostgreSQL server the operator itself connects to (the Failover controller's pair,
// a BackupPolicy's server when its replication slot is dropped), with the credentials read from the
// connection's Secret. The password only ever goes into a libpq connection string, never a log.
#pragma once

#include <cstdint>
#include <string>

#include "operator/api/common_spec.h"
#include "operator/core/status.h"
#include "operator/kube/api_client.h"

namespace lifeboat::controllers {

struct PgEndpoint {
  std::string host;
  std::int64_t port = 5432;
  std::string user;
  std::string password;  // Never logged: only in the connection string handed to libpq.
  std::string sslmode = "prefer";
  bool credentials_found = true;  // False: the Secret does not exist (user and password are empty).
  std::string Display() const { return host + ":" + std::to_string(port); }
};

// The endpoint of `connection`, its user and password from the Secret's keys (a missing key reads as
// empty, a missing Secret as credentials_found = false). Other API errors are returned.
StatusOr<PgEndpoint> ReadPgEndpoint(kube::ApiClient& client, const std::string& ns, const api::PostgresConnection& connection);

// A libpq keyword/value connection string: values quoted as libpq wants, connect_timeout 3 s. With
// `replication`, a physical replication connection (replication=true: replication commands only).
std::string PgConnectionString(const PgEndpoint& server, const std::string& application_name, bool replication = false);

}  // namespace lifeboat::controllers
