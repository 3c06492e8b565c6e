#include "operator/agent/pg_session.h"

#include "operator/core/libpq_conninfo.h"

namespace lifeboat::agent {

std::string QuoteIdentifier(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string BuildConnectionString(const PgConnectionConfig& config, const std::string& database) {
  std::string out = "dbname=" + QuoteConnInfoValue(database) + " application_name='lifeboat-agent'";
  if (!config.host.empty()) out += " host=" + QuoteConnInfoValue(config.host);
  if (!config.port.empty()) out += " port=" + QuoteConnInfoValue(config.port);
  if (!config.user.empty()) out += " user=" + QuoteConnInfoValue(config.user);
  if (!config.sslmode.empty()) out += " sslmode=" + QuoteConnInfoValue(config.sslmode);
  return out;
}

std::string QuoteQualifiedName(const TableRef& table) {
  return QuoteIdentifier(table.schema) + "." + QuoteIdentifier(table.name);
}

std::string MeasureTableSql(const TableRef& table, bool checksum) {
  if (!checksum) return "SELECT count(*)::text, NULL FROM ONLY " + QuoteQualifiedName(table);
  return "SELECT count(*)::text, coalesce(sum(('x' || substr(md5(t::text), 1, 16))::bit(64)::bigint::numeric), 0)::text "
         "FROM ONLY " + QuoteQualifiedName(table) + " AS t";
}

std::string ConnectionFailureReason(const Status& status) {
  return status.code() == StatusCode::kPermissionDenied ? "DatabaseAccessDenied" : "DatabaseUnavailable";
}

}  // namespace lifeboat::agent
