// ExternalPrograms: every program the agent starts, in one list, so the image (Dockerfile runtime
// stage) can be checked to contain them all (tests/agent/dockerfile_test.cc). Constants; thread-safe.
#pragma once

#include <array>
#include <string_view>

namespace lifeboat::agent {

inline constexpr const char* kPgDump = "pg_dump";
inline constexpr const char* kPgDumpAll = "pg_dumpall";
inline constexpr const char* kPgRestore = "pg_restore";
inline constexpr const char* kPsql = "psql";
inline constexpr const char* kRestic = "restic";
inline constexpr const char* kPgBaseBackup = "pg_basebackup";  // Base backups (base_backup.h).
inline constexpr const char* kPgReceiveWal = "pg_receivewal";  // The WAL streamer (wal_streamer.h).

inline constexpr std::array<std::string_view, 7> kExternalPrograms = {kPgDump, kPgDumpAll, kPgRestore, kPsql,
                                                                      kRestic, kPgBaseBackup, kPgReceiveWal};

// The drill's scratch server (scratch_postgres.h), run from /usr/lib/postgresql/<major>/bin of the
// backup's major version; the image carries them for its PostgreSQL version.
inline constexpr const char* kInitdb = "initdb";
inline constexpr const char* kPgCtl = "pg_ctl";
inline constexpr std::array<std::string_view, 3> kScratchServerPrograms = {kInitdb, kPgCtl, "postgres"};

}  // namespace lifeboat::agent
