// SqlCheckRunner: runs the user's SQL checks against PostgreSQL, each in its own database (the
// restored one unless the check names another), read-only, and reports every outcome. Used by
// `lifeboat agent restore --checks-json` and by `lifeboat agent verify` (the RestoreRequest's Verify
// step, which runs after the post-restore Jobs). Not thread-safe; one run at a time.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/agent/backup_runner.h"
#include "operator/agent/maintenance_results.h"
#include "operator/agent/pg_session.h"
#include "operator/agent/verification.h"

namespace lifeboat::agent {

struct SqlChecksOutcome {
  std::vector<SqlCheckReport> checks;  // In the order given.
  bool all_passed = true;
  std::string first_failure;  // "check \"x\" failed: expected ..., got ..."
};

// Runs every check (a failed one does not stop the others); a database that cannot be reached
// fails the checks that run in it, with the connection error as their message.
SqlChecksOutcome RunSqlChecks(PgConnector& pg, const std::string& default_database, const std::vector<SqlCheck>& checks,
                              const LogSink& log);

}  // namespace lifeboat::agent
