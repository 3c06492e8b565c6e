#include "operator/agent/amcheck.h"

namespace lifeboat::agent {

const char* const kListBtreeIndexesSql =
    "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE a.amname = 'btree' AND i.indisvalid AND i.indisready "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1";
const char* const kCheckBtreeIndexSql = "SELECT bt_index_check(index => $1::regclass)";

StatusOr<std::vector<IndexCheck>> CheckBtreeIndexes(PgSession& session) {
  LIFEBOAT_RETURN_IF_ERROR(session.Execute({"CREATE EXTENSION IF NOT EXISTS amcheck"}, false));
  auto indexes = session.Query(kListBtreeIndexesSql, {});
  if (!indexes.ok()) return indexes.status().WithContext("listing the B-tree indexes");
  std::vector<IndexCheck> checks;
  for (const auto& row : *indexes) {
    if (row.empty() || !row[0]) continue;
    IndexCheck check{*row[0], true, ""};
    auto checked = session.Query(kCheckBtreeIndexSql, {check.index});
    if (!checked.ok()) {
      check.passed = false;
      check.message = checked.status().message();
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace lifeboat::agent
