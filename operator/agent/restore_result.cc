#include "operator/agent/restore_result.h"

#include "operator/agent/result_fields.h"

namespace lifeboat::agent {
namespace {

using nlohmann::json;

using fields::Flag;
using fields::Number;
using fields::Object;
using fields::Strings;
std::string Str(const json& j, const char* key) { return fields::String(j, key); }
std::int64_t Int(const json& j, const char* key) { return fields::Integer(j, key).value_or(0); }
bool Bool(const json& j, const char* key) { return Flag(j, key); }

// Optional fields are written only when they say something.
void PutIf(json& j, const char* key, const std::string& value) {
  if (!value.empty()) j[key] = value;
}
void PutIf(json& j, const char* key, bool value) {
  if (value) j[key] = true;
}
void PutIf(json& j, const char* key, const std::vector<std::string>& value) {
  if (!value.empty()) j[key] = value;
}

json DatabaseToJson(const DatabaseRestoreReport& d) {
  json j{{"source", d.source},
         {"target", d.target},
         {"snapshotId", d.snapshot_id},
         {"streamed", d.streamed},
         {"fetchSeconds", d.fetch_seconds},
         {"dataSeconds", d.data_seconds},
         {"restoreSeconds", d.restore_seconds},
         {"verifySeconds", d.verify_seconds},
         {"tablesVerified", d.tables_verified},
         {"checksumsVerified", d.checksums_verified},
         {"mismatches", d.mismatches}};
  PutIf(j, "stagingDatabase", d.staging_database);
  PutIf(j, "stagingDropped", d.staging_dropped);
  PutIf(j, "keptAs", d.kept_as);
  PutIf(j, "cleanupError", d.cleanup_error);
  PutIf(j, "targetDropped", d.target_dropped);
  PutIf(j, "rolesCreated", d.roles_created);
  PutIf(j, "rolesWithoutPassword", d.roles_without_password);
  return j;
}

DatabaseRestoreReport DatabaseFromJson(const json& j) {
  DatabaseRestoreReport d;
  d.source = Str(j, "source");
  d.target = Str(j, "target");
  d.snapshot_id = Str(j, "snapshotId");
  d.streamed = Bool(j, "streamed");
  d.fetch_seconds = Number(j, "fetchSeconds").value_or(0);
  d.data_seconds = Number(j, "dataSeconds").value_or(0);
  d.restore_seconds = Number(j, "restoreSeconds").value_or(0);
  d.verify_seconds = Number(j, "verifySeconds").value_or(0);
  d.tables_verified = Int(j, "tablesVerified");
  d.checksums_verified = Bool(j, "checksumsVerified");
  d.mismatches = Int(j, "mismatches");
  d.staging_database = Str(j, "stagingDatabase");
  d.staging_dropped = Bool(j, "stagingDropped");
  d.kept_as = Str(j, "keptAs");
  d.cleanup_error = Str(j, "cleanupError");
  d.target_dropped = Bool(j, "targetDropped");
  d.roles_created = Strings(j, "rolesCreated");
  d.roles_without_password = Strings(j, "rolesWithoutPassword");
  return d;
}

json MediaToJson(const MediaRestoreReport& m) {
  json j{{"source", m.source},          {"target", m.target},
         {"mode", m.mode},              {"snapshotId", m.snapshot_id},
         {"filesVerified", m.files_verified}, {"mismatches", m.mismatches}};
  if (m.owners_not_restored > 0) j["ownersNotRestored"] = m.owners_not_restored;
  PutIf(j, "ownershipMessage", m.ownership_message);
  return j;
}

MediaRestoreReport MediaFromJson(const json& j) {
  return {Str(j, "source"), Str(j, "target"), Str(j, "mode"), Str(j, "snapshotId"), Int(j, "filesVerified"),
          Int(j, "mismatches"), Int(j, "ownersNotRestored"), Str(j, "ownershipMessage")};
}

json RecoveryToJson(const RecoveryReport& r) {
  json j{{"target", r.target},
         {"baseBackupId", r.base_backup_id},
         {"baseConsistentTime", r.base_consistent_time},
         {"reachedTime", r.reached_time},
         {"reachedLsn", r.reached_lsn},
         {"archiveUntil", r.archive_until},
         {"replayedToEnd", r.replayed_to_end},
         {"walSnapshots", r.wal_snapshots},
         {"fetchSeconds", r.fetch_seconds},
         {"replaySeconds", r.replay_seconds}};
  if (!r.tables.empty()) j["tables"] = r.tables;
  return j;
}

RecoveryReport RecoveryFromJson(const json& j) {
  RecoveryReport r;
  r.target = Str(j, "target");
  r.base_backup_id = Str(j, "baseBackupId");
  r.base_consistent_time = Str(j, "baseConsistentTime");
  r.reached_time = Str(j, "reachedTime");
  r.reached_lsn = Str(j, "reachedLsn");
  r.archive_until = Str(j, "archiveUntil");
  if (auto it = j.find("replayedToEnd"); it != j.end() && it->is_boolean()) r.replayed_to_end = it->get<bool>();
  r.wal_snapshots = Int(j, "walSnapshots");
  r.fetch_seconds = Number(j, "fetchSeconds").value_or(0);
  r.replay_seconds = Number(j, "replaySeconds").value_or(0);
  r.tables = Strings(j, "tables");
  return r;
}

}  // namespace

json RestoreResultToJson(const RestoreResult& r) {
  json j = json::object();
  PutIf(j, "repository", r.repository);
  PutIf(j, "backupTime", r.backup_time);
  PutIf(j, "policy", r.policy);
  if (r.database) j["database"] = DatabaseToJson(*r.database);
  if (r.media) j["media"] = MediaToJson(*r.media);
  if (r.recovery) j["recovery"] = RecoveryToJson(*r.recovery);
  if (!r.checks.empty()) j["checks"] = SqlCheckReportsToJson(r.checks);
  PutIf(j, "mismatches", r.mismatches);
  return j;
}

RestoreResult ParseRestoreResult(const json& j) {
  RestoreResult r;
  if (!j.is_object()) return r;
  r.repository = Str(j, "repository");
  r.backup_time = Str(j, "backupTime");
  r.policy = Str(j, "policy");
  if (const json* d = Object(j, "database")) r.database = DatabaseFromJson(*d);
  if (const json* m = Object(j, "media")) r.media = MediaFromJson(*m);
  if (const json* x = Object(j, "recovery")) r.recovery = RecoveryFromJson(*x);
  if (auto it = j.find("checks"); it != j.end()) r.checks = ParseSqlCheckReports(*it);
  r.mismatches = Strings(j, "mismatches");
  return r;
}

json SwapDatabaseResultToJson(const SwapDatabaseResult& r) {
  json j{{"action", r.action}, {"database", r.database}, {"staging", r.staging}, {"previous", r.previous}};
  if (r.action == "swap") {
    j["swapped"] = r.swapped;
    j["alreadySwapped"] = r.already_swapped;
    j["terminatedSessions"] = r.terminated_sessions;
    if (r.unavailable_seconds) j["unavailableSeconds"] = *r.unavailable_seconds;
  } else if (r.action == "rollback") {
    j["swapped"] = r.swapped;
    j["liveIntact"] = r.live_intact;
    j["stagingDropped"] = r.staging_dropped;
    PutIf(j, "keptAs", r.kept_as);
    PutIf(j, "state", r.state);
  } else {
    j["dropped"] = r.dropped;
  }
  return j;
}

SwapDatabaseResult ParseSwapDatabaseResult(const json& j) {
  SwapDatabaseResult r;
  if (!j.is_object()) return r;
  r.action = Str(j, "action");
  r.database = Str(j, "database");
  r.staging = Str(j, "staging");
  r.previous = Str(j, "previous");
  r.swapped = Bool(j, "swapped");
  r.already_swapped = Bool(j, "alreadySwapped");
  r.terminated_sessions = static_cast<int>(Int(j, "terminatedSessions"));
  r.unavailable_seconds = Number(j, "unavailableSeconds");
  r.live_intact = Bool(j, "liveIntact");
  r.staging_dropped = Bool(j, "stagingDropped");
  r.kept_as = Str(j, "keptAs");
  r.state = Str(j, "state");
  r.dropped = Bool(j, "dropped");
  return r;
}

}  // namespace lifeboat::agent
