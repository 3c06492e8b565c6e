// ProcessRunner: the seam through which the agent starts child processes (pg_dump, pg_restore,
// pg_dumpall, restic). Production uses PosixProcessRunner; tests use a fake that scripts results.
//
// Contract for every implementation:
//   - the child's environment is the agent's own environment plus ProcessSpec::env overrides minus
//     ProcessSpec::unset_env, so secrets (RESTIC_PASSWORD, PGPASSWORD, AWS_SECRET_ACCESS_KEY) reach
//     children through the environment only, never through argv;
//   - stdout lines are handed to the callback as they arrive (without the newline) when stdout is not
//     redirected to a file; stderr is kept (the last kStderrTailBytes) for error messages;
//   - a failure to start a process is a Status error; a process that ran and failed is a
//     ProcessResult with a non-zero exit_code or a term_signal.
// Implementations must be safe to call from several threads at once (each call is independent).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "operator/core/status.h"

namespace lifeboat::agent {

inline constexpr std::size_t kStderrTailBytes = 8192;

struct ProcessSpec {
  std::vector<std::string> argv;             // argv[0] is looked up on PATH.
  std::map<std::string, std::string> env;    // Added to / overriding the inherited environment.
  std::vector<std::string> unset_env;        // Removed from the inherited environment.
  std::string stdout_path;                   // When set, stdout is written to this file (truncated).
  std::string working_directory;             // When set, the child starts there.
};

struct ProcessResult {
  int exit_code = 0;    // Meaningful when term_signal == 0.
  int term_signal = 0;  // Non-zero when the process was killed by a signal.
  std::string stderr_tail;

  bool Succeeded() const { return exit_code == 0 && term_signal == 0; }
  // "exited with status 1" / "killed by signal 9 (Killed)".
  std::string Describe() const;
};

// What RunPipeline reports: both processes' results and how many bytes went through the pipe.
struct PipelineResult {
  ProcessResult producer;
  ProcessResult consumer;
  std::uint64_t bytes_transferred = 0;
};

using LineCallback = std::function<void(const std::string& line)>;

// A process started with Start(): its stdin is a pipe the caller feeds at the end.
class RunningProcess {
 public:
  virtual ~RunningProcess() = default;
  // Writes `data` to the child's stdin, closes it and waits for the child to exit.
  virtual StatusOr<ProcessResult> Finish(const std::string& data) = 0;
  // Asks the child to stop (SIGTERM, so restic removes its lock) before its stdin reached EOF, and
  // waits for it. Nothing the child had read is committed by restic without EOF.
  virtual ProcessResult Abort() = 0;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;

  // Runs one process with `stdin_data` on its stdin and waits for it.
  virtual StatusOr<ProcessResult> Run(const ProcessSpec& spec, const std::string& stdin_data,
                                      const LineCallback& on_stdout_line) = 0;

  // Runs producer | consumer. The runner sits in the middle and buffers (bounded) so the producer
  // is not stalled while the consumer starts up. If either side fails, the other side sees EOF or
  // a broken pipe; the caller decides from both results.
  virtual StatusOr<PipelineResult> RunPipeline(const ProcessSpec& producer, const ProcessSpec& consumer,
                                               const LineCallback& on_consumer_stdout_line) = 0;

  // Starts a process whose stdin is fed later (RunningProcess::Finish) or never (Abort).
  virtual StatusOr<std::unique_ptr<RunningProcess>> Start(const ProcessSpec& spec,
                                                          const LineCallback& on_stdout_line) = 0;
};

}  // namespace lifeboat::agent
