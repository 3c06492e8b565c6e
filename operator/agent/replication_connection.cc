#include "operator/agent/replication_connection.h"

#include <sstream>
#include <vector>

#include "operator/agent/external_programs.h"
#include "operator/agent/wal_names.h"
#include "operator/core/libpq_conninfo.h"

namespace lifeboat::agent {
namespace {

std::vector<std::string> Fields(const std::string& output) {
  std::string line = output.substr(0, output.find('\n'));
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, '|')) fields.push_back(field);
  if (!line.empty() && line.back() == '|') fields.emplace_back();
  return fields;
}

}  // namespace

std::string ReplicationConnInfo(const PgConnectionConfig& pg) {
  std::string info = "dbname=replication replication=true application_name=lifeboat-wal";
  if (!pg.host.empty()) info += " host=" + QuoteConnInfoValue(pg.host);
  if (!pg.port.empty()) info += " port=" + QuoteConnInfoValue(pg.port);
  if (!pg.user.empty()) info += " user=" + QuoteConnInfoValue(pg.user);
  if (!pg.sslmode.empty()) info += " sslmode=" + QuoteConnInfoValue(pg.sslmode);
  return info;
}

StatusOr<SystemIdentity> ParseIdentifySystem(const std::string& output) {
  auto fields = Fields(output);
  if (fields.size() < 3 || fields[0].empty()) {
    return InternalError("IDENTIFY_SYSTEM answered \"" + output.substr(0, 200) + "\", not sysid|timeline|lsn");
  }
  SystemIdentity identity;
  identity.system_id = fields[0];
  try {
    identity.timeline = static_cast<std::uint32_t>(std::stoul(fields[1]));
  } catch (const std::exception&) {
    return InternalError("IDENTIFY_SYSTEM answered timeline \"" + fields[1] + "\"");
  }
  auto lsn = ParseLsn(fields[2]);
  if (!lsn.ok()) return InternalError("IDENTIFY_SYSTEM answered: " + lsn.status().message());
  identity.flush_lsn = *lsn;
  return identity;
}

StatusOr<std::optional<SlotPosition>> ParseReadReplicationSlot(const std::string& output) {
  auto fields = Fields(output);
  if (fields.size() < 3) return InternalError("READ_REPLICATION_SLOT answered \"" + output.substr(0, 200) + "\"");
  if (fields[0].empty()) return std::optional<SlotPosition>();  // No such slot.
  if (fields[0] != "physical") {
    return FailedPreconditionError("replication slot is a " + fields[0] + " slot, not a physical one");
  }
  SlotPosition position;
  if (!fields[1].empty()) {  // A slot that never reserved WAL has no restart_lsn yet.
    auto lsn = ParseLsn(fields[1]);
    if (!lsn.ok()) return InternalError("READ_REPLICATION_SLOT answered: " + lsn.status().message());
    position.restart_lsn = *lsn;
  }
  if (!fields[2].empty()) {
    try {
      position.timeline = static_cast<std::uint32_t>(std::stoul(fields[2]));
    } catch (const std::exception&) {
      return InternalError("READ_REPLICATION_SLOT answered timeline \"" + fields[2] + "\"");
    }
  }
  return std::optional<SlotPosition>(position);
}

StatusOr<std::string> ReplicationConnection::Command(const std::string& command) {
  ProcessSpec spec;
  spec.argv = {kPsql, "-XAt", "-v", "ON_ERROR_STOP=1", "--no-password", "-d", ReplicationConnInfo(pg_), "-c", command};
  std::string out;
  auto result = runner_.Run(spec, "", [&](const std::string& line) { out += line + "\n"; });
  if (!result.ok()) return result.status();
  if (!result->Succeeded()) {
    std::string error = result->stderr_tail;
    while (!error.empty() && (error.back() == '\n' || error.back() == ' ')) error.pop_back();
    if (auto at = error.rfind('\n'); at != std::string::npos) error = error.substr(at + 1);
    return UnavailableError(command + " over a replication connection failed (" + result->Describe() + "): " + error);
  }
  return out;
}

StatusOr<SystemIdentity> ReplicationConnection::IdentifySystem() {
  auto out = Command("IDENTIFY_SYSTEM");
  if (!out.ok()) return out.status();
  return ParseIdentifySystem(*out);
}

StatusOr<std::optional<SlotPosition>> ReplicationConnection::ReadSlot(const std::string& slot) {
  auto out = Command("READ_REPLICATION_SLOT \"" + slot + "\"");
  if (!out.ok()) return out.status();
  return ParseReadReplicationSlot(*out);
}

Status ReplicationConnection::CreateSlotReservingWal(const std::string& slot) {
  auto out = Command("CREATE_REPLICATION_SLOT \"" + slot + "\" PHYSICAL RESERVE_WAL");
  return out.ok() ? Status::Ok() : out.status();
}

}  // namespace lifeboat::agent
