// ReplicationConnection: what the agent asks a PostgreSQL server over the replication protocol
// only (a role with REPLICATION and the `replication` line in pg_hba.conf that a streaming standby
// uses anyway; no SQL access): IDENTIFY_SYSTEM (the cluster's system identifier, its timeline and
// how far it has flushed WAL) and READ_REPLICATION_SLOT (where a physical slot stands). Run
// through `psql` in physical replication mode, so the ProcessRunner seam covers it. Not
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "operator/agent/pg_session.h"
#include "operator/agent/process_runner.h"
#include "operator/core/status.h"

namespace lifeboat::agent {

struct SystemIdentity {
  std::string system_id;
  std::uint32_t timeline = 0;
  std::uint64_t flush_lsn = 0;  // The server's WAL flushed so far (what a receiver can get).
};

struct SlotPosition {
  std::uint64_t restart_lsn = 0;  // What the slot's receiver has confirmed flushed to its disk.
  std::uint32_t timeline = 0;
};

// The libpq connection string of a physical replication connection (values quoted as libpq wants).
std::string ReplicationConnInfo(const PgConnectionConfig& pg);

// `psql -XAt -c IDENTIFY_SYSTEM` output: "sysid|timeline|lsn|dbname".
StatusOr<SystemIdentity> ParseIdentifySystem(const std::string& output);
// `READ_REPLICATION_SLOT` output: "physical|lsn|timeline", or "||" when the slot does not exist
// (nullopt).
StatusOr<std::optional<SlotPosition>> ParseReadReplicationSlot(const std::string& output);

class ReplicationConnection {
 public:
  ReplicationConnection(ProcessRunner& runner, PgConnectionConfig pg) : runner_(runner), pg_(std::move(pg)) {}

  StatusOr<SystemIdentity> IdentifySystem();
  // nullopt when the slot does not exist.
  StatusOr<std::optional<SlotPosition>> ReadSlot(const std::string& slot);
  // A physical slot that holds WAL from now on (RESERVE_WAL: its restart_lsn is set at once, so
  // the server keeps everything from there even before a receiver connects).
  Status CreateSlotReservingWal(const std::string& slot);

 private:
  StatusOr<std::string> Command(const std::string& command);

  ProcessRunner& runner_;
  PgConnectionConfig pg_;
};

}  // namespace lifeboat::agent
