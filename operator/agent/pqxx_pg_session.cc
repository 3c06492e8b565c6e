#include "operator/agent/pqxx_pg_session.h"

#include <pqxx/pqxx>

namespace lifeboat::agent {
namespace {

bool Contains(const std::string& s, const char* needle) { return s.find(needle) != std::string::npos; }

}  // namespace

// The message never holds the connection password (libpq does not repeat it).
Status PqxxErrorToStatus(const std::string& action, const std::exception& e) {
  std::string what = e.what();
  while (!what.empty() && (what.back() == '\n' || what.back() == ' ')) what.pop_back();
  std::string message = action + ": " + what;
  if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string state = sql->sqlstate();
    if (state == "3D000") return NotFoundError(message);
    if (state == "42P04") return AlreadyExistsError(message);
    if (state == "28P01" || state == "28000" || state == "42501") return PermissionDeniedError(message);
    if (state.rfind("42", 0) == 0 || state.rfind("22", 0) == 0) return InvalidArgumentError(message);
    if (state.rfind("08", 0) == 0 || state.rfind("57", 0) == 0) return UnavailableError(message);
    return InternalError(message);
  }
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    // libpq reports refused logins as connection failures without a SQLSTATE.
    if (Contains(what, "password authentication failed") || Contains(what, "no password supplied") ||
        (Contains(what, "role \"") && Contains(what, "does not exist")) || Contains(what, "no pg_hba.conf entry")) {
      return PermissionDeniedError(message);
    }
    if (Contains(what, "does not exist") && Contains(what, "database")) return NotFoundError(message);
    return UnavailableError(message);
  }
  return InternalError(message);
}

namespace {

Status FromException(const std::string& action, const std::exception& e) { return PqxxErrorToStatus(action, e); }

class PqxxPgSession final : public PgSession {
 public:
  explicit PqxxPgSession(std::unique_ptr<pqxx::connection> conn) : conn_(std::move(conn)) {}
  ~PqxxPgSession() override {
    try {
      snapshot_txn_.reset();
    } catch (...) {
    }
  }

  StatusOr<SnapshotInfo> BeginExportedSnapshot() override {
    try {
      if (snapshot_txn_) return InternalError("a snapshot transaction is already open");
      snapshot_txn_ = std::make_unique<pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::read_only>>(*conn_);
      auto row = snapshot_txn_->exec1(
          "SELECT current_setting('server_version'), current_setting('server_version_num')::int, "
          "(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text, "
          "pg_export_snapshot()");
      SnapshotInfo info;
      info.server_version = row[0].as<std::string>();
      info.server_version_num = row[1].as<int>();
      info.wal_lsn = row[2].is_null() ? "" : row[2].as<std::string>();
      info.snapshot_name = row[3].as<std::string>();
      return info;
    } catch (const std::exception& e) {
      snapshot_txn_.reset();
      return FromException("exporting a snapshot", e);
    }
  }

  Status EndSnapshot() override {
    try {
      if (snapshot_txn_) snapshot_txn_->commit();
      snapshot_txn_.reset();
      return Status::Ok();
    } catch (const std::exception& e) {
      snapshot_txn_.reset();
      return FromException("ending the snapshot transaction", e);
    }
  }

  StatusOr<std::vector<TableRef>> ListTables() override {
    static const char* kSql =
        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
        "AND c.relpersistence <> 't' "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e') "
        "ORDER BY 1, 2";
    return WithReadTxn<std::vector<TableRef>>("listing tables", [&](pqxx::transaction_base& txn) {
      std::vector<TableRef> out;
      for (const auto& row : txn.exec(kSql)) out.push_back({row[0].as<std::string>(), row[1].as<std::string>()});
      return out;
    });
  }

  StatusOr<TableStats> MeasureTable(const TableRef& table, bool checksum) override {
    return WithReadTxn<TableStats>("measuring " + QuoteQualifiedName(table), [&](pqxx::transaction_base& txn) {
      auto row = txn.exec1(MeasureTableSql(table, checksum));
      TableStats stats;
      stats.schema = table.schema;
      stats.name = table.name;
      stats.rows = std::stoll(row[0].as<std::string>());
      if (checksum && !row[1].is_null()) stats.checksum = row[1].as<std::string>();
      return stats;
    });
  }

  StatusOr<bool> DatabaseExists(const std::string& name) override {
    return WithReadTxn<bool>("looking up database " + name, [&](pqxx::transaction_base& txn) {
      return !txn.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", name).empty();
    });
  }

  Status CreateDatabase(const std::string& name) override {
    try {
      pqxx::nontransaction txn(*conn_);
      txn.exec("CREATE DATABASE " + txn.quote_name(name));
      return Status::Ok();
    } catch (const std::exception& e) {
      return FromException("creating database " + name, e);
    }
  }

  Status DropDatabase(const std::string& name) override {
    try {
      pqxx::nontransaction txn(*conn_);
      txn.exec("DROP DATABASE IF EXISTS " + txn.quote_name(name) + " WITH (FORCE)");
      return Status::Ok();
    } catch (const std::exception& e) {
      return FromException("dropping database " + name, e);
    }
  }

  void CancelRunningQuery() override {
    try {
      conn_->cancel_query();  // PQcancel: safe from another thread.
    } catch (...) {
    }
  }

  StatusOr<QueryRows> QueryReadOnly(const std::string& sql) override {
    try {
      pqxx::transaction<pqxx::isolation_level::read_committed, pqxx::read_only> txn(*conn_);
      QueryRows rows;
      for (const auto& row : txn.exec(sql)) {
        std::vector<std::optional<std::string>> values;
        for (const auto& field : row) {
          values.push_back(field.is_null() ? std::nullopt : std::optional<std::string>(field.as<std::string>()));
        }
        rows.push_back(std::move(values));
      }
      txn.commit();
      return rows;
    } catch (const std::exception& e) {
      return FromException("running check SQL", e);
    }
  }

  StatusOr<QueryRows> Query(const std::string& sql, const std::vector<std::string>& params) override {
    return WithReadTxn<QueryRows>("querying the catalog", [&](pqxx::transaction_base& txn) {
      pqxx::result result;
      switch (params.size()) {  // libpqxx 6 takes parameters as a variadic list.
        case 0: result = txn.exec(sql); break;
        case 1: result = txn.exec_params(sql, params[0]); break;
        case 2: result = txn.exec_params(sql, params[0], params[1]); break;
        case 3: result = txn.exec_params(sql, params[0], params[1], params[2]); break;
        default: throw std::invalid_argument("Query takes at most 3 parameters");
      }
      QueryRows rows;
      for (const auto& row : result) {
        std::vector<std::optional<std::string>> values;
        for (const auto& field : row) {
          values.push_back(field.is_null() ? std::nullopt : std::optional<std::string>(field.as<std::string>()));
        }
        rows.push_back(std::move(values));
      }
      return rows;
    });
  }

  Status Execute(const std::vector<std::string>& statements, bool one_transaction) override {
    std::string current;
    try {
      if (one_transaction) {
        pqxx::work txn(*conn_);
        for (const std::string& sql : statements) {
          current = sql;
          txn.exec(sql);
        }
        txn.commit();
      } else {
        pqxx::nontransaction txn(*conn_);
        for (const std::string& sql : statements) {
          current = sql;
          txn.exec(sql);
        }
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return FromException(current.substr(0, current.find(' ', current.find(' ') + 1)), e);
    }
  }

 private:
  // Runs `body` in the open snapshot transaction, or in a short read-only transaction.
  template <typename T, typename F>
  StatusOr<T> WithReadTxn(const std::string& action, F body) {
    try {
      if (snapshot_txn_) return T(body(*snapshot_txn_));
      pqxx::read_transaction txn(*conn_);
      T value = body(txn);
      txn.commit();
      return value;
    } catch (const std::exception& e) {
      return FromException(action, e);
    }
  }

  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::transaction_base> snapshot_txn_;
};

}  // namespace

StatusOr<std::unique_ptr<PgSession>> PqxxPgConnector::Connect(const std::string& database) {
  try {
    auto conn = std::make_unique<pqxx::connection>(BuildConnectionString(config_, database));
    return std::unique_ptr<PgSession>(std::make_unique<PqxxPgSession>(std::move(conn)));
  } catch (const std::exception& e) {
    return FromException("connecting to database " + database, e);
  }
}

}  // namespace lifeboat::agent
