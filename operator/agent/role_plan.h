// RolePlan: which roles a restore must create before pg_restore, and the SQL that creates them.
// A dump names roles (object owners, GRANT grantees) that exist only on the server it came from; on
// a fresh server pg_restore then fails with `role "x" does not exist`. The backup's globals
// (`pg_dumpall --globals-only`) hold those roles' definitions: this plans creating exactly the
// roles the restore needs that the target lacks, from those definitions, and never alters a role
// that exists. Pure functions; thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "operator/agent/manifest.h"
#include "operator/agent/pg_session.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

// One role's definition in the globals, as statements in the globals' order.
struct RoleDefinition {
  std::string name;
  std::vector<std::string> statements;  // CREATE ROLE, ALTER ROLE ... WITH, ALTER ROLE ... SET, COMMENT ON ROLE.
  bool login = false;                   // The ALTER ROLE ... WITH carries LOGIN.
  bool password = false;                // ... and a PASSWORD (absent with --no-role-passwords).
};

// A role membership (`GRANT role TO member`) in the globals.
struct RoleMembership {
  std::string role;
  std::string member;
  std::string statement;
};

struct ParsedGlobals {
  std::map<std::string, RoleDefinition> roles;
  std::vector<RoleMembership> memberships;
};

// Reads the role statements of `pg_dumpall --globals-only` output (one statement per line, as
// pg_dumpall writes them; identifiers quoted or not). Other lines (tablespaces, settings,
// \restrict) are ignored. `ALTER ROLE ... IN DATABASE` settings are left out: the database they name
// may not exist on the target.
ParsedGlobals ParseGlobals(const std::string& sql);

struct RolePlan {
  std::vector<std::string> create;            // Roles to create, sorted.
  std::vector<std::string> statements;        // What creates them, then their memberships.
  std::vector<std::string> without_password;  // Created LOGIN roles whose password the globals do not carry.
  std::vector<std::string> undefined;         // Needed, missing on the target, not in the globals.
};

// Plans the roles to create: each of `needed` that is not in `existing`, from its definition in
// `globals`. A membership is granted only to a role this plan creates (existing roles are never
// altered), and only in a role that exists or is created.
RolePlan PlanRoles(const std::set<std::string>& needed, const std::set<std::string>& existing,
                   const ParsedGlobals& globals);

// The roles a database's objects depend on (owners, privileges, policies; from pg_shdepend) and its
// owner: what the backup records in its manifest. Parameter $1: the database name. Rows: rolname.
extern const char* const kReferencedRolesSql;
// The database's owner. Parameter $1: the database name. Rows: rolname.
extern const char* const kDatabaseOwnerSql;
// Every role of the server. Rows: rolname.
extern const char* const kExistingRolesSql;

// Records `database`'s owner and the roles its objects need (kDatabaseOwnerSql, kReferencedRolesSql)
// into `out`, as a backup does in its snapshot transaction, so a restore onto a server without
// them creates them from the globals.
Status RecordDatabaseRoles(PgSession& session, const std::string& database, DatabaseBackup* out);

}  // namespace lifeboat::agent
