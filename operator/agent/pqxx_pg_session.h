// PqxxPgConnector: PgConnector over libpqxx. Thread-safe (each Connect makes a new connection);
// the sessions it returns are single-threaded. pqxx exceptions never leave it: they become Status
// (broken connection -> Unavailable, bad password -> PermissionDenied, missing database -> NotFound,
// existing database -> AlreadyExists, other SQL errors -> InvalidArgument/Internal).
#pragma once

#include <exception>
#include <string>

#include "operator/agent/pg_session.h"

namespace lifeboat::agent {

// A libpqxx exception as a Status (the classification above), its message prefixed by `action`.
Status PqxxErrorToStatus(const std::string& action, const std::exception& e);

class PqxxPgConnector final : public PgConnector {
 public:
  explicit PqxxPgConnector(PgConnectionConfig config) : config_(std::move(config)) {}
  StatusOr<std::unique_ptr<PgSession>> Connect(const std::string& database) override;

 private:
  PgConnectionConfig config_;
};

}  // namespace lifeboat::agent
