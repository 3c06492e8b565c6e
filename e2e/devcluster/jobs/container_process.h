// ContainerProcess: one running container process of the local kubelet (normally a bwrap command
// line from sandbox_command.h), with its stdout and stderr captured into a size-bounded log file.
//
// Process hygiene: the child gets its own process group, PR_SET_PDEATHSIG=SIGKILL (so it dies with
// the thread that started it, and with the devcluster), a clean signal mask and default signal
// dispositions, /dev/null as stdin and no inherited descriptors. It is always reaped (a waiter
// thread blocks in waitpid), so no zombies remain. Terminate() sends SIGTERM to the group's
// processes except the supervising bwrap (so the container can shut down gracefully), then SIGKILL
// to the whole group after the grace period; killing bwrap ends the container's PID namespace.
//
// Thread-safety: all methods are thread-safe. The object must be destroyed on the thread that
// called Start() or later (the destructor kills and reaps the process).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "e2e/devcluster/jobs/container_env.h"
#include "e2e/devcluster/jobs/sandbox_command.h"
#include "operator/core/status.h"

namespace lifeboat::devcluster {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is an absolute path
  EnvList env;                    // the complete environment
  std::filesystem::path log_path;  // stdout+stderr are appended here
  // When the log grows beyond this, its oldest half is dropped (the newest output is kept).
  uint64_t log_max_bytes = 10 * 1024 * 1024;
  // The process is a supervisor (bwrap) that must not get the graceful SIGTERM itself: bwrap
  // dies on SIGTERM and takes the container's namespace with it, leaving no time to shut down.
  bool leader_is_supervisor = false;
  // The user the container's process runs as, when not root: stdout and stderr (a pipe) are
  // handed to it, as runc does, so that it can reopen them (`echo x > /dev/stdout`).
  std::optional<uid_t> stdio_owner;
};

class ContainerProcess {
 public:
  // Starts the process; `on_exit` runs on the waiter thread once it has exited and its output has
  // been written (it must not destroy this object).
  static StatusOr<std::unique_ptr<ContainerProcess>> Start(const ProcessSpec& spec, std::function<void()> on_exit);
  ~ContainerProcess();
  ContainerProcess(const ContainerProcess&) = delete;
  ContainerProcess& operator=(const ContainerProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Exited() const;
  // The exit code (128 + signal number when killed by a signal); only meaningful once Exited().
  int ExitCode() const;
  // Waits until the process has exited or `timeout` passed; true if it has exited.
  bool WaitFor(std::chrono::milliseconds timeout) const;
  // SIGTERM to the group (except a supervising leader), SIGKILL to the whole group after `grace`; returns
  // once the process has exited.
  void Terminate(std::chrono::milliseconds grace);

 private:
  ContainerProcess() = default;
  void WaitLoop();
  void PumpLoop();

  pid_t pid_ = -1;
  int pipe_fd_ = -1;
  std::filesystem::path log_path_;
  uint64_t log_max_bytes_ = 0;
  std::function<void()> on_exit_;
  bool spare_leader_ = false;
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  bool exited_ = false;
  bool pump_done_ = false;
  int exit_code_ = -1;
  std::thread pump_thread_;
  std::thread wait_thread_;
};

// The host's root directory entries (for SandboxSpec::root_entries).
std::vector<RootEntry> ReadHostRootEntries();

// A mountPath as bwrap must see it: symlinks in the host part of the path are resolved (e.g.
// /var/run/x -> /run/x), except below /tmp, /dev and /proc, which are private in the sandbox.
std::string ResolveMountTarget(const std::string& target);

// Finds `program` in the ':'-separated `path` (or returns it when it contains '/'); "" if absent
// or not executable.
std::string FindProgram(const std::string& program, const std::string& path);

// Sends `signal` to every process of process group `pgid` except `except_pid`.
void SignalProcessGroupExcept(pid_t pgid, pid_t except_pid, int signal);

}  // namespace lifeboat::devcluster
