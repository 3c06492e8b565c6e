#include "operator/agent/sql_check_runner.h"

#include <map>
#include <memory>

namespace lifeboat::agent {

SqlChecksOutcome RunSqlChecks(PgConnector& pg, const std::string& default_database, const std::vector<SqlCheck>& checks,
                              const LogSink& log) {
  SqlChecksOutcome out;
  // One session per database, opened when its first check runs.
  std::map<std::string, StatusOr<std::unique_ptr<PgSession>>> sessions;
  for (const SqlCheck& check : checks) {
    const std::string database = check.database.empty() ? default_database : check.database;
    auto it = sessions.find(database);
    if (it == sessions.end()) it = sessions.emplace(database, pg.Connect(database)).first;
    CheckOutcome c;
    if (it->second.ok()) {
      c = EvaluateCheck(check, (*it->second)->QueryReadOnly(check.sql));
    } else {
      c = EvaluateCheck(check, StatusOr<QueryRows>(it->second.status()));
    }
    out.checks.push_back({c.name, database, c.passed, c.message});
    if (!c.passed && out.all_passed) {
      out.all_passed = false;
      out.first_failure = "check \"" + c.name + "\" failed: " + c.message;
    }
    if (log) {
      log(c.passed ? "info" : "error",
          "Check " + std::string(c.passed ? "passed" : "failed") + " name=" + c.name + " database=" + database + " " + c.message);
    }
  }
  return out;
}

}  // namespace lifeboat::agent
