// FakePgConnector / FakePgSession: an in-memory PostgreSQL for orchestration tests: databases with
// tables and their stats, a scripted exported snapshot, and a log of CREATE/DROP. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "operator/agent/pg_session.h"

namespace lifeboat::agent::testing {

struct FakeServer {
  std::mutex mutex;
  std::map<std::string, std::vector<TableStats>> databases;  // name -> tables (stats as measured).
  std::map<std::string, QueryRows> query_results;            // sql -> rows
  std::vector<std::string> log;                               // "create x", "drop x", "snapshot x", ...
  // Answers Query (catalog queries); unset: no rows.
  std::function<StatusOr<QueryRows>(const std::string& database, const std::string& sql,
                                    const std::vector<std::string>& params)> catalog;
  // Applies Execute's statements (called with the mutex held); unset: each is logged as "exec <sql>".
  std::function<Status(const std::string& database, const std::string& sql)> execute;
  SnapshotInfo snapshot{"00000003-0000001B-1", "15.18", 150018, "0/3000148"};
};

class FakePgSession final : public PgSession {
 public:
  FakePgSession(FakeServer& server, std::string database) : server_(server), database_(std::move(database)) {}

  StatusOr<SnapshotInfo> BeginExportedSnapshot() override {
    std::lock_guard lock(server_.mutex);
    server_.log.push_back("snapshot " + database_);
    return server_.snapshot;
  }
  Status EndSnapshot() override { return Status::Ok(); }
  StatusOr<std::vector<TableRef>> ListTables() override {
    std::lock_guard lock(server_.mutex);
    std::vector<TableRef> out;
    for (const auto& t : server_.databases[database_]) out.push_back({t.schema, t.name});
    return out;
  }
  StatusOr<TableStats> MeasureTable(const TableRef& table, bool checksum) override {
    std::lock_guard lock(server_.mutex);
    for (auto t : server_.databases[database_]) {
      if (t.schema == table.schema && t.name == table.name) {
        if (!checksum) t.checksum.clear();
        return t;
      }
    }
    return InvalidArgumentError("relation does not exist");
  }
  StatusOr<bool> DatabaseExists(const std::string& name) override {
    std::lock_guard lock(server_.mutex);
    return server_.databases.count(name) != 0;
  }
  Status CreateDatabase(const std::string& name) override {
    std::lock_guard lock(server_.mutex);
    if (server_.databases.count(name) != 0) return AlreadyExistsError("database exists");
    server_.databases[name];
    server_.log.push_back("create " + name);
    return Status::Ok();
  }
  Status DropDatabase(const std::string& name) override {
    std::lock_guard lock(server_.mutex);
    server_.databases.erase(name);
    server_.log.push_back("drop " + name);
    return Status::Ok();
  }
  void CancelRunningQuery() override {
    std::lock_guard lock(server_.mutex);
    server_.log.push_back("cancel " + database_);
  }
  StatusOr<QueryRows> QueryReadOnly(const std::string& sql) override {
    std::lock_guard lock(server_.mutex);
    auto it = server_.query_results.find(sql);
    if (it == server_.query_results.end()) return InvalidArgumentError("syntax error");
    return it->second;
  }
  StatusOr<QueryRows> Query(const std::string& sql, const std::vector<std::string>& params) override {
    std::lock_guard lock(server_.mutex);
    if (!server_.catalog) return QueryRows{};
    return server_.catalog(database_, sql, params);
  }
  Status Execute(const std::vector<std::string>& statements, bool one_transaction) override {
    std::lock_guard lock(server_.mutex);
    if (one_transaction) server_.log.push_back("begin");
    for (const std::string& sql : statements) {
      Status s = server_.execute ? server_.execute(database_, sql) : Status::Ok();
      if (!s.ok()) {
        if (one_transaction) server_.log.push_back("rollback");
        return s;
      }
      server_.log.push_back("exec " + sql);
    }
    if (one_transaction) server_.log.push_back("commit");
    return Status::Ok();
  }

 private:
  FakeServer& server_;
  std::string database_;
};

class FakePgConnector final : public PgConnector {
 public:
  explicit FakePgConnector(FakeServer& server) : server_(server) {}
  StatusOr<std::unique_ptr<PgSession>> Connect(const std::string& database) override {
    {
      std::lock_guard lock(server_.mutex);
      if (server_.databases.count(database) == 0) return NotFoundError("database \"" + database + "\" does not exist");
    }
    return std::unique_ptr<PgSession>(std::make_unique<FakePgSession>(server_, database));
  }

 private:
  FakeServer& server_;
};

}  // namespace lifeboat::agent::testing
