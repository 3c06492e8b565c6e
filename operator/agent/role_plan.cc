#include "operator/agent/role_plan.h"

#include <algorithm>
#include <optional>
#include <sstream>

namespace lifeboat::agent {
namespace {

bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// Reads one identifier at `pos` (quoted with doubled inner quotes, or bare) and moves `pos` past it.
std::optional<std::string> ReadIdentifier(const std::string& line, std::size_t& pos) {
  if (pos >= line.size()) return std::nullopt;
  std::string name;
  if (line[pos] == '"') {
    for (++pos; pos < line.size(); ++pos) {
      if (line[pos] == '"') {
        if (pos + 1 < line.size() && line[pos + 1] == '"') {
          name += '"';
          ++pos;
          continue;
        }
        ++pos;
        return name;
      }
      name += line[pos];
    }
    return std::nullopt;  // Unterminated.
  }
  while (pos < line.size() && line[pos] != ' ' && line[pos] != ';') name += line[pos++];
  if (name.empty()) return std::nullopt;
  return name;
}

// The role named right after `prefix` in `line`, when the line starts with it.
std::optional<std::string> RoleAfter(const std::string& line, const std::string& prefix) {
  if (!StartsWith(line, prefix)) return std::nullopt;
  std::size_t pos = prefix.size();
  return ReadIdentifier(line, pos);
}

// Whether the attribute list of `ALTER ROLE x WITH ...` holds `word` as a whole word outside the
// password literal.
bool HasAttribute(const std::string& line, const std::string& word) {
  std::string attributes = line.substr(0, line.find(" PASSWORD '"));
  std::istringstream words(attributes);
  std::string w;
  while (words >> w) {
    if (!w.empty() && w.back() == ';') w.pop_back();
    if (w == word) return true;
  }
  return false;
}

}  // namespace

const char* const kReferencedRolesSql =
    "SELECT r.rolname FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid "
    "WHERE d.refclassid = 'pg_authid'::regclass AND d.dbid = (SELECT oid FROM pg_database WHERE datname = $1) "
    "UNION SELECT r.rolname FROM pg_database db JOIN pg_roles r ON r.oid = db.datdba WHERE db.datname = $1 "
    "ORDER BY 1";

const char* const kDatabaseOwnerSql =
    "SELECT r.rolname FROM pg_database db JOIN pg_roles r ON r.oid = db.datdba WHERE db.datname = $1";

const char* const kExistingRolesSql = "SELECT rolname FROM pg_roles ORDER BY 1";

ParsedGlobals ParseGlobals(const std::string& sql) {
  ParsedGlobals out;
  std::istringstream lines(sql);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (auto name = RoleAfter(line, "CREATE ROLE ")) {
      RoleDefinition& role = out.roles[*name];
      role.name = *name;
      role.statements.push_back(line);
      continue;
    }
    if (auto name = RoleAfter(line, "ALTER ROLE ")) {
      auto it = out.roles.find(*name);
      if (it == out.roles.end()) continue;  // A role the globals never create (e.g. settings only).
      if (line.find(" IN DATABASE ") != std::string::npos) continue;
      if (line.find(" WITH ") != std::string::npos) {
        it->second.login = HasAttribute(line, "LOGIN");
        it->second.password = line.find(" PASSWORD '") != std::string::npos;
      }
      it->second.statements.push_back(line);
      continue;
    }
    if (auto name = RoleAfter(line, "COMMENT ON ROLE ")) {
      auto it = out.roles.find(*name);
      if (it != out.roles.end()) it->second.statements.push_back(line);
      continue;
    }
    if (StartsWith(line, "GRANT ")) {
      std::size_t pos = 6;
      auto role = ReadIdentifier(line, pos);
      if (!role || line.compare(pos, 4, " TO ") != 0) continue;  // Not a role membership.
      pos += 4;
      auto member = ReadIdentifier(line, pos);
      if (!member) continue;
      // The grantor may not exist on the target: the membership is granted by the restoring user.
      std::string statement = line;
      std::size_t granted_by = statement.find(" GRANTED BY ");
      if (granted_by != std::string::npos) statement = statement.substr(0, granted_by) + ";";
      out.memberships.push_back({*role, *member, statement});
    }
  }
  return out;
}

RolePlan PlanRoles(const std::set<std::string>& needed, const std::set<std::string>& existing,
                   const ParsedGlobals& globals) {
  RolePlan plan;
  for (const std::string& name : needed) {
    if (existing.count(name) != 0) continue;
    auto it = globals.roles.find(name);
    if (it == globals.roles.end()) {
      plan.undefined.push_back(name);
      continue;
    }
    plan.create.push_back(name);
    const RoleDefinition& role = it->second;
    plan.statements.insert(plan.statements.end(), role.statements.begin(), role.statements.end());
    if (role.login && !role.password) plan.without_password.push_back(name);
  }
  auto created = [&](const std::string& r) {
    return std::find(plan.create.begin(), plan.create.end(), r) != plan.create.end();
  };
  for (const RoleMembership& m : globals.memberships) {
    if (created(m.member) && (created(m.role) || existing.count(m.role) != 0)) plan.statements.push_back(m.statement);
  }
  return plan;
}

Status RecordDatabaseRoles(PgSession& session, const std::string& database, DatabaseBackup* out) {
  auto roles = session.Query(kReferencedRolesSql, {database});
  if (!roles.ok()) return roles.status();
  auto owner = session.Query(kDatabaseOwnerSql, {database});
  if (!owner.ok()) return owner.status();
  out->roles_recorded = true;
  out->roles.clear();
  for (const auto& row : *roles) {
    if (!row.empty() && row[0]) out->roles.push_back(*row[0]);
  }
  if (!owner->empty() && !(*owner)[0].empty() && (*owner)[0][0]) out->owner = *(*owner)[0][0];
  return Status::Ok();
}


}  // namespace lifeboat::agent
