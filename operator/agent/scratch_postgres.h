// ScratchPostgres: a throwaway PostgreSQL server inside the drill's Pod, in scratch space, for
// restoring a backup into and checking it without touching production. It runs as the Job's
// (non-root) user — PostgreSQL refuses root — with trust authentication on a Unix socket only (no
// TCP listener) and settings for speed (fsync, synchronous_commit and full_page_writes off: a crash
// loses nothing that matters). Its major version is the one recorded in the backup's manifest,
// from the server binaries of that version (/usr/lib/postgresql/<major>/bin). Not thread-safe.
#pragma once

#include <string>

#include "operator/agent/backup_runner.h"
#include "operator/agent/pg_session.h"
#include "operator/agent/process_runner.h"

namespace lifeboat::agent {

// The server binaries for a manifest's server version ("15.18 (Debian ...)" or "15.18"): <root>/<major>/bin.
// FailedPrecondition naming both versions when that major version is not installed, InvalidArgument
// when the manifest recorded none.
StatusOr<std::string> ServerBinDir(const std::string& server_version, const std::string& root = "/usr/lib/postgresql");

class ScratchPostgres {
 public:
  // `dir`: an empty or missing folder in scratch space for the data folder, socket and log.
  ScratchPostgres(ProcessRunner& runner, std::string bin_dir, std::string dir, LogSink log);
  ~ScratchPostgres();
  ScratchPostgres(const ScratchPostgres&) = delete;
  ScratchPostgres& operator=(const ScratchPostgres&) = delete;

  // initdb, then start and wait until it accepts connections. Failures name the step and carry
  // initdb's or the server log's last lines (for example "No space left on device").
  Status Start();
  // Stops it at once (it is thrown away); also done by the destructor.
  void Stop();
  // How to reach it: the socket folder, port 5432, user postgres, no TLS.
  PgConnectionConfig Connection() const;

 private:
  std::string LogTail() const;

  ProcessRunner& runner_;
  std::string bin_dir_;
  std::string dir_;
  LogSink log_;
  bool running_ = false;
};

}  // namespace lifeboat::agent
