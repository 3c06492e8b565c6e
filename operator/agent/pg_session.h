// PgSession: the SQL the agent runs against PostgreSQL, one connection to one database, behind an
// interface so the orchestration is tested with fakes (PqxxPgSession is the libpqxx implementation).
// PgConnector opens sessions. A session is used by one thread at a time; connectors are thread-safe.
//
// Consistent snapshot contract: BeginExportedSnapshot() opens a REPEATABLE READ transaction, reads
// the server version and WAL position and exports its snapshot; until EndSnapshot(), ListTables()
// and MeasureTable() run inside that transaction, so they see exactly what
// `pg_dump --snapshot=<name>` dumps.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operator/core/status.h"

namespace lifeboat::agent {

struct PgConnectionConfig {
  std::string host;      // Host name or socket directory; empty: libpq default / PGHOST.
  std::string port;      // Empty: libpq default / PGPORT.
  std::string user;      // Empty: libpq default / PGUSER.
  std::string sslmode;   // Empty: libpq default / PGSSLMODE.
  // The password is never here: libpq reads PGPASSWORD / PGPASSFILE from the environment.
};

struct SnapshotInfo {
  std::string snapshot_name;    // What pg_export_snapshot() returned.
  std::string server_version;   // "15.18 (Debian 15.18-0+deb12u1)".
  int server_version_num = 0;   // 150018.
  std::string wal_lsn;          // pg_current_wal_lsn() (pg_last_wal_replay_lsn() on a standby).
};

struct TableRef {
  std::string schema;
  std::string name;
  friend bool operator==(const TableRef&, const TableRef&) = default;
};

struct TableStats {
  std::string schema;
  std::string name;
  std::int64_t rows = 0;
  std::string checksum;  // Empty when not computed. See docs/agent.md for the definition.
};

// Rows of a query result; NULL is nullopt.
using QueryRows = std::vector<std::vector<std::optional<std::string>>>;

class PgSession {
 public:
  virtual ~PgSession() = default;
  virtual StatusOr<SnapshotInfo> BeginExportedSnapshot() = 0;
  virtual Status EndSnapshot() = 0;
  // Ordinary tables and partitions with data pg_dump would dump (no catalogs, no extension members).
  virtual StatusOr<std::vector<TableRef>> ListTables() = 0;
  // Row count, and with `checksum` the order-independent checksum, of the table's own rows (ONLY).
  virtual StatusOr<TableStats> MeasureTable(const TableRef& table, bool checksum) = 0;
  virtual StatusOr<bool> DatabaseExists(const std::string& name) = 0;
  virtual Status CreateDatabase(const std::string& name) = 0;
  // Terminates other connections to it (DROP DATABASE ... WITH (FORCE)).
  virtual Status DropDatabase(const std::string& name) = 0;
  // Runs user SQL in a READ ONLY transaction and returns its rows as text.
  virtual StatusOr<QueryRows> QueryReadOnly(const std::string& sql) = 0;
  // Runs the agent's own catalog query with $1.. parameters (in the snapshot transaction when one
  // is open, else in a short read-only transaction) and returns its rows as text.
  virtual StatusOr<QueryRows> Query(const std::string& sql, const std::vector<std::string>& params) = 0;
  // Runs the agent's own statements (roles, database renames): each on its own when
  // `one_transaction` is false (CREATE/DROP DATABASE cannot run in a transaction), else all in one
  // transaction that commits only when every statement succeeded.
  virtual Status Execute(const std::vector<std::string>& statements, bool one_transaction) = 0;
  // Asks the server to cancel the statement running on this session; callable from another thread
  // (the one exception to single-threaded use). The running call then returns an error.
  virtual void CancelRunningQuery() = 0;
};

class PgConnector {
 public:
  virtual ~PgConnector() = default;
  virtual StatusOr<std::unique_ptr<PgSession>> Connect(const std::string& database) = 0;
};

// The agent's result reason for a failed connection: DatabaseAccessDenied (login refused: wrong
// user, password or pg_hba.conf) or DatabaseUnavailable (anything else).
std::string ConnectionFailureReason(const Status& status);

// The libpq connection string for `database` (values quoted as libpq wants); no password.
std::string BuildConnectionString(const PgConnectionConfig& config, const std::string& database);

// The SQL MeasureTable runs (exposed for the documentation test and for reuse).
std::string MeasureTableSql(const TableRef& table, bool checksum);

// "schema"."name" with identifiers quoted.
std::string QuoteQualifiedName(const TableRef& table);

// An identifier quoted for SQL ("name", inner quotes doubled).
std::string QuoteIdentifier(const std::string& name);
// A string literal for SQL ('text', inner quotes doubled; standard_conforming_strings).
std::string QuoteLiteral(const std::string& text);

}  // namespace lifeboat::agent
