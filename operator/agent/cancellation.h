// Cancellation: the token an agent command is handed so it can tell a run that was asked to stop
// (SIGTERM/SIGINT when the Pod is deleted or the Job cancelled) from one that failed by itself.
// Cancel() also stops the running child processes (restic, pg_dump, ...) with kStopSignal, so restic
// removes its lock and the command's own failure handling runs as for any failed run. Thread-safe:
// Cancel() is called from the signal thread while the command reads Cancelled().
#pragma once

#include <atomic>

namespace lifeboat::agent {

class Cancellation {
 public:
  void Cancel();
  bool Cancelled() const { return cancelled_.load(); }

 private:
  std::atomic<bool> cancelled_{false};
};

}  // namespace lifeboat::agent
