// Amcheck: proves a restored database's B-tree indexes are consistent with `bt_index_check` (the
// amcheck extension, shipped with PostgreSQL), one index at a time so a failure names its index.
// Used by the drill on its scratch server only (it creates the extension there).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "operator/agent/pg_session.h"

namespace lifeboat::agent {

struct IndexCheck {
  std::string index;  // schema-qualified as regclass prints it
  bool passed = false;
  std::string message;  // The server's error when it failed.
};

// Every valid B-tree index outside the system schemas; the statement errors of the extension or the
// listing are returned, an index that fails its check is reported in the list.
StatusOr<std::vector<IndexCheck>> CheckBtreeIndexes(PgSession& session);

struct HeapCheck {
  std::string table;  // schema-qualified as regclass prints it
  bool passed = false;
  std::int64_t corruptions = 0;
  std::string message;  // The first corruption verify_heapam reported, or the server's error.
};

// Every table (and materialized view) outside the system schemas, with verify_heapam: an optional
// check (it reads every table once more).
StatusOr<std::vector<HeapCheck>> CheckHeaps(PgSession& session);

// The SQL the check runs (exposed for the tests' fake server).
extern const char* const kListBtreeIndexesSql;
extern const char* const kCheckBtreeIndexSql;
extern const char* const kListHeapsSql;
extern const char* const kCheckHeapSql;

}  // namespace lifeboat::agent
