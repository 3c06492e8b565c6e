#include "operator/agent/amcheck.h"

namespace lifeboat::agent {

const char* const kListBtreeIndexesSql =
    "SELECT c.oid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE a.amname = 'btree' AND i.indisvalid AND i.indisready "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1";
const char* const kCheckBtreeIndexSql = "SELECT bt_index_check(index => $1::regclass)";

const char* const kListHeapsSql =
    "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
    "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1";
const char* const kCheckHeapSql =
    "SELECT count(*)::text, min(coalesce('block ' || blkno || ', offset ' || offnum || ': ', '') || msg) "
    "FROM verify_heapam(relation => $1::regclass)";

StatusOr<std::vector<HeapCheck>> CheckHeaps(PgSession& session) {
  LIFEBOAT_RETURN_IF_ERROR(session.Execute({"CREATE EXTENSION IF NOT EXISTS amcheck"}, false));
  auto tables = session.Query(kListHeapsSql, {});
  if (!tables.ok()) return tables.status().WithContext("listing the tables");
  std::vector<HeapCheck> checks;
  for (const auto& row : *tables) {
    if (row.empty() || !row[0]) continue;
    HeapCheck check{*row[0], true, 0, ""};
    auto checked = session.Query(kCheckHeapSql, {check.table});
    if (!checked.ok()) {
      check.passed = false;
      check.message = checked.status().message();
    } else if (!checked->empty() && (*checked)[0].size() == 2 && (*checked)[0][0] && *(*checked)[0][0] != "0") {
      check.passed = false;
      check.corruptions = std::stoll(*(*checked)[0][0]);
      check.message = (*checked)[0][1].value_or("");
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

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
