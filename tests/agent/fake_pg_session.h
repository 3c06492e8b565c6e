// FakePgConnector / FakePgSession: an in-memory PostgreSQL for orchestration tests: databases with
// tables and their stats, comments and ALLOW_CONNECTIONS, roles, a scripted exported snapshot, and a
// log of what changed ("create x", "drop x", "rename x y", "role x", ...). It understands the
// statements and catalog queries the agent itself runs (database_swap.h, role_plan.h). Thread-safe.
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
  // Answers Query when set (called with the mutex held); unset: fake_sql::Answer.
  std::function<StatusOr<QueryRows>(const std::string& database, const std::string& sql,
                                    const std::vector<std::string>& params)> catalog;
  SnapshotInfo snapshot{"00000003-0000001B-1", "15.18", 150018, "0/3000148"};
  std::map<std::string, std::string> comments;   // database -> COMMENT ON DATABASE
  std::set<std::string> refusing_connections;    // databases with ALLOW_CONNECTIONS false
  std::set<std::string> roles = {"postgres"};
  int open_sessions = 0;                         // Other sessions of the swapped databases.
  std::string fail_statement_containing;         // Execute fails on the first statement containing this.
};

namespace fake_sql {

// The first identifier (quoted or bare) at or after `pos`; moves `pos` past it.
inline std::string Identifier(const std::string& sql, std::size_t& pos) {
  while (pos < sql.size() && sql[pos] == ' ') ++pos;
  std::string out;
  if (pos < sql.size() && sql[pos] == '"') {
    for (++pos; pos < sql.size(); ++pos) {
      if (sql[pos] == '"' && (pos + 1 >= sql.size() || sql[pos + 1] != '"')) { ++pos; break; }
      if (sql[pos] == '"') ++pos;
      out += sql[pos];
    }
    return out;
  }
  while (pos < sql.size() && sql[pos] != ' ' && sql[pos] != ';') out += sql[pos++];
  return out;
}

inline bool Eat(const std::string& sql, std::size_t& pos, const std::string& word) {
  while (pos < sql.size() && sql[pos] == ' ') ++pos;
  if (sql.compare(pos, word.size(), word) != 0) return false;
  pos += word.size();
  return true;
}

// Applies one of the agent's statements to `server` (mutex held).
inline Status Apply(FakeServer& server, const std::string& sql) {
  if (!server.fail_statement_containing.empty() && sql.find(server.fail_statement_containing) != std::string::npos) {
    return InternalError("ERROR: injected failure of: " + sql.substr(0, 30));
  }
  std::size_t pos = 0;
  if (Eat(sql, pos, "CREATE DATABASE ")) {
    std::string name = Identifier(sql, pos);
    if (server.databases.count(name) != 0) return AlreadyExistsError("database \"" + name + "\" already exists");
    server.databases[name];
    server.log.push_back("create " + name);
  } else if (Eat(sql, pos, "DROP DATABASE ")) {
    Eat(sql, pos, "IF EXISTS ");
    std::string name = Identifier(sql, pos);
    server.databases.erase(name);
    server.comments.erase(name);
    server.log.push_back("drop " + name);
  } else if (Eat(sql, pos, "ALTER DATABASE ")) {
    std::string name = Identifier(sql, pos);
    if (server.databases.count(name) == 0) return NotFoundError("database \"" + name + "\" does not exist");
    if (Eat(sql, pos, "RENAME TO ")) {
      std::string to = Identifier(sql, pos);
      if (server.databases.count(to) != 0) return AlreadyExistsError("database \"" + to + "\" already exists");
      server.databases[to] = server.databases[name];
      server.databases.erase(name);
      if (server.comments.count(name) != 0) server.comments[to] = server.comments[name];
      server.comments.erase(name);
      if (server.refusing_connections.erase(name) != 0) server.refusing_connections.insert(to);
      server.log.push_back("rename " + name + " " + to);
    } else if (Eat(sql, pos, "WITH ALLOW_CONNECTIONS ")) {
      bool allow = sql.compare(pos, 4, "true") == 0;
      if (allow) server.refusing_connections.erase(name); else server.refusing_connections.insert(name);
      server.log.push_back(std::string(allow ? "allow " : "refuse ") + name);
    }
  } else if (Eat(sql, pos, "COMMENT ON DATABASE ")) {
    std::string name = Identifier(sql, pos);
    std::size_t quote = sql.find('\'', pos);
    std::string text = sql.substr(quote + 1, sql.rfind('\'') - quote - 1);
    server.comments[name] = text;
  } else if (Eat(sql, pos, "CREATE ROLE ")) {
    std::string name = Identifier(sql, pos);
    if (!server.roles.insert(name).second) return AlreadyExistsError("role \"" + name + "\" already exists");
    server.log.push_back("role " + name);
  } else {
    server.log.push_back("exec " + sql);
  }
  return Status::Ok();
}

// Answers the agent's own catalog queries (mutex held).
inline StatusOr<QueryRows> Answer(FakeServer& server, const std::string& sql, const std::vector<std::string>& params) {
  QueryRows rows;
  if (sql.rfind("SELECT rolname FROM pg_roles", 0) == 0) {
    for (const auto& r : server.roles) rows.push_back({r});
  } else if (sql.rfind("SELECT datname, coalesce(shobj_description", 0) == 0) {
    for (const auto& p : params) {
      if (server.databases.count(p) == 0) continue;
      rows.push_back({p, server.comments.count(p) ? server.comments[p] : std::string(),
                      std::string(server.refusing_connections.count(p) ? "false" : "true")});
    }
  } else if (sql.find("pg_terminate_backend") != std::string::npos) {
    rows.push_back({std::to_string(server.open_sessions)});
    server.open_sessions = 0;
  } else if (sql.find("FROM pg_stat_activity") != std::string::npos) {
    rows.push_back({std::to_string(server.open_sessions)});
  }
  return rows;
}

}  // namespace fake_sql

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
    if (server_.catalog) return server_.catalog(database_, sql, params);
    return fake_sql::Answer(server_, sql, params);
  }
  // One transaction: applied to a copy of the server's state that replaces it only when every
  // statement succeeded.
  Status Execute(const std::vector<std::string>& statements, bool one_transaction) override {
    std::lock_guard lock(server_.mutex);
    if (!one_transaction) {
      for (const std::string& sql : statements) LIFEBOAT_RETURN_IF_ERROR(fake_sql::Apply(server_, sql));
      return Status::Ok();
    }
    auto databases = server_.databases;
    auto comments = server_.comments;
    auto refusing = server_.refusing_connections;
    auto roles = server_.roles;
    std::size_t log_size = server_.log.size();
    for (const std::string& sql : statements) {
      Status s = fake_sql::Apply(server_, sql);
      if (!s.ok()) {
        server_.databases = databases;
        server_.comments = comments;
        server_.refusing_connections = refusing;
        server_.roles = roles;
        server_.log.resize(log_size);
        server_.log.push_back("rolled back");
        return s;
      }
    }
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
