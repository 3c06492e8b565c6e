#include "operator/agent/posix_process_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

extern char** environ;

namespace lifeboat::agent {
namespace {

// Children started and not yet reaped, for TerminateRunningChildren.
std::mutex& ChildrenMutex() {
  static std::mutex mutex;
  return mutex;
}
std::set<pid_t>& Children() {
  static std::set<pid_t> children;
  return children;
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// The environment of a child: ours, with the spec's overrides and removals.
std::vector<std::string> ChildEnvironment(const ProcessSpec& spec) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& name : spec.unset_env) merged.erase(name);
  for (const auto& [name, value] : spec.env) merged[name] = value;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [name, value] : merged) out.push_back(name + "=" + value);
  return out;
}

struct Spawned {
  pid_t pid = -1;
  int stdin_fd = -1;   // Write end, owned by us (-1 when stdin is /dev/null or given).
  int stdout_fd = -1;  // Read end, owned by us (-1 when stdout goes to a file or is given).
  int stderr_fd = -1;  // Read end, owned by us.
};

// The child's standard streams: stdin from `stdin_from` or `stdin_pipe` (else /dev/null), stdout
// to `stdout_to`, the spec's file or `stdout_pipe`, stderr to `stderr_pipe`; and its working
// directory.
void AddStandardStreams(posix_spawn_file_actions_t* actions, const ProcessSpec& spec, int stdin_from, int stdin_pipe,
                        int stdout_to, int stdout_pipe, int stderr_pipe) {
  posix_spawn_file_actions_init(actions);
  if (stdin_from >= 0) {
    posix_spawn_file_actions_adddup2(actions, stdin_from, 0);
  } else if (stdin_pipe >= 0) {
    posix_spawn_file_actions_adddup2(actions, stdin_pipe, 0);
  } else {
    posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (stdout_to >= 0) {
    posix_spawn_file_actions_adddup2(actions, stdout_to, 1);
  } else if (!spec.stdout_path.empty()) {
    posix_spawn_file_actions_addopen(actions, 1, spec.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  } else {
    posix_spawn_file_actions_adddup2(actions, stdout_pipe, 1);
  }
  posix_spawn_file_actions_adddup2(actions, stderr_pipe, 2);
  if (!spec.working_directory.empty()) {
    posix_spawn_file_actions_addchdir_np(actions, spec.working_directory.c_str());
  }
}

// The child's signals: SIGPIPE, SIGINT and SIGTERM back to their defaults (a shell starting the
// agent in the background ignores SIGINT) and nothing blocked (the agent blocks SIGTERM/SIGINT for
// its signal thread; children must not inherit that).
void InitChildSignals(posix_spawnattr_t* attr) {
  posix_spawnattr_init(attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(attr, &none);
  posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

// Spawns `spec`. stdin_from/stdout_to >= 0 hand the child an existing descriptor (closed here
// afterwards); otherwise a pipe is created when want_stdin_pipe / stdout is not a file.
StatusOr<Spawned> Spawn(const ProcessSpec& spec, int stdin_from, bool want_stdin_pipe, int stdout_to) {
  if (spec.argv.empty()) return InvalidArgumentError("empty command line");
  Spawned s;
  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  auto fail = [&](const std::string& what) -> Status {
    int err = errno;
    for (int* p : {in_pipe, out_pipe, err_pipe}) {
      CloseFd(p[0]);
      CloseFd(p[1]);
    }
    return InternalError(what + ": " + std::strerror(err));
  };
  if (stdin_from < 0 && want_stdin_pipe && ::pipe2(in_pipe, O_CLOEXEC) != 0) return fail("pipe");
  if (stdout_to < 0 && spec.stdout_path.empty() && ::pipe2(out_pipe, O_CLOEXEC) != 0) return fail("pipe");
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return fail("pipe");

  posix_spawn_file_actions_t actions;
  AddStandardStreams(&actions, spec, stdin_from, want_stdin_pipe ? in_pipe[0] : -1, stdout_to, out_pipe[1], err_pipe[1]);
  posix_spawnattr_t attr;
  InitChildSignals(&attr);

  std::vector<std::string> env = ChildEnvironment(spec);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int rc;
  {
    std::lock_guard lock(ChildrenMutex());
    rc = posix_spawnp(&s.pid, argv[0], &actions, &attr, argv.data(), envp.data());
    if (rc == 0) Children().insert(s.pid);
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (stdin_from >= 0) ::close(stdin_from);
  if (stdout_to >= 0) ::close(stdout_to);
  CloseFd(in_pipe[0]);
  CloseFd(out_pipe[1]);
  CloseFd(err_pipe[1]);
  if (rc != 0) {
    CloseFd(in_pipe[1]);
    CloseFd(out_pipe[0]);
    CloseFd(err_pipe[0]);
    return FailedPreconditionError("cannot start " + spec.argv[0] + ": " + std::strerror(rc));
  }
  s.stdin_fd = in_pipe[1];
  s.stdout_fd = out_pipe[0];
  s.stderr_fd = err_pipe[0];
  return s;
}

// Reads lines from fd until EOF and hands each to the callback; closes fd.
void ReadLines(int fd, const LineCallback& callback) {
  std::string pending;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer, static_cast<std::size_t>(n));
    std::size_t start = 0, nl;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      if (callback) callback(pending.substr(start, nl - start));
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty() && callback) callback(pending);
  ::close(fd);
}

// Reads fd until EOF, keeping the last kStderrTailBytes; closes fd.
void ReadTail(int fd, std::string* tail) {
  char buffer[8192];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    tail->append(buffer, static_cast<std::size_t>(n));
    if (tail->size() > 2 * kStderrTailBytes) tail->erase(0, tail->size() - kStderrTailBytes);
  }
  if (tail->size() > kStderrTailBytes) tail->erase(0, tail->size() - kStderrTailBytes);
  ::close(fd);
}

bool WriteAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

ProcessResult WaitFor(pid_t pid) {
  ProcessResult result;
  int status = 0;
  // Wait without reaping, forget the child, then reap: TerminateRunningChildren never signals a
  // process id that was already reused.
  siginfo_t info;
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  {
    std::lock_guard lock(ChildrenMutex());
    Children().erase(pid);
  }
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      result.exit_code = -1;
      return result;
    }
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.term_signal = WTERMSIG(status);
  return result;
}

// A started child with its reader threads.
class PosixRunningProcess final : public RunningProcess {
 public:
  PosixRunningProcess(Spawned s, LineCallback on_line) : s_(s) {
    if (s_.stdout_fd >= 0) out_thread_ = std::thread([fd = s_.stdout_fd, cb = std::move(on_line)] { ReadLines(fd, cb); });
    err_thread_ = std::thread([this] { ReadTail(s_.stderr_fd, &stderr_tail_); });
  }
  ~PosixRunningProcess() override {
    if (!done_) Abort();
  }

  StatusOr<ProcessResult> Finish(const std::string& data) override {
    if (done_) return InternalError("process already finished");
    if (s_.stdin_fd >= 0) {
      WriteAll(s_.stdin_fd, data.data(), data.size());  // A failing child shows in its exit status.
      CloseFd(s_.stdin_fd);
    }
    return Collect();
  }

  ProcessResult Abort() override {
    if (done_) return last_;
    ::kill(s_.pid, kStopSignal);
    CloseFd(s_.stdin_fd);
    return Collect();
  }

 private:
  ProcessResult Collect() {
    ProcessResult result = WaitFor(s_.pid);
    if (out_thread_.joinable()) out_thread_.join();
    if (err_thread_.joinable()) err_thread_.join();
    result.stderr_tail = stderr_tail_;
    done_ = true;
    last_ = result;
    return result;
  }

  Spawned s_;
  std::thread out_thread_, err_thread_;
  std::string stderr_tail_;
  bool done_ = false;
  ProcessResult last_;
};

// The bounded buffer between producer and consumer.
class PipeBuffer {
 public:
  // Producer side; returns false once the consumer side is broken.
  bool Push(std::string chunk) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return broken_ || bytes_ + chunk.size() <= kPipelineBufferBytes || chunks_.empty(); });
    if (broken_) return false;
    bytes_ += chunk.size();
    chunks_.push_back(std::move(chunk));
    cv_.notify_all();
    return true;
  }
  void CloseInput() {
    std::lock_guard lock(mutex_);
    input_closed_ = true;
    cv_.notify_all();
  }
  // Consumer side; false at end of input.
  bool Pop(std::string* chunk) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !chunks_.empty() || input_closed_; });
    if (chunks_.empty()) return false;
    *chunk = std::move(chunks_.front());
    chunks_.pop_front();
    bytes_ -= chunk->size();
    cv_.notify_all();
    return true;
  }
  void Break() {
    std::lock_guard lock(mutex_);
    broken_ = true;
    chunks_.clear();
    bytes_ = 0;
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  std::size_t bytes_ = 0;
  bool input_closed_ = false;
  bool broken_ = false;
};

}  // namespace

PosixProcessRunner::PosixProcessRunner() { ::signal(SIGPIPE, SIG_IGN); }

void TerminateRunningChildren(int signal) {
  std::lock_guard lock(ChildrenMutex());
  for (pid_t pid : Children()) ::kill(pid, signal);
}

StatusOr<ProcessResult> PosixProcessRunner::Run(const ProcessSpec& spec, const std::string& stdin_data,
                                                const LineCallback& on_stdout_line) {
  auto spawned = Spawn(spec, -1, true, -1);
  if (!spawned.ok()) return spawned.status();
  PosixRunningProcess process(*spawned, on_stdout_line);
  return process.Finish(stdin_data);
}

StatusOr<std::unique_ptr<RunningProcess>> PosixProcessRunner::Start(const ProcessSpec& spec,
                                                                    const LineCallback& on_stdout_line) {
  auto spawned = Spawn(spec, -1, true, -1);
  if (!spawned.ok()) return spawned.status();
  return std::unique_ptr<RunningProcess>(std::make_unique<PosixRunningProcess>(*spawned, on_stdout_line));
}

StatusOr<PipelineResult> PosixProcessRunner::RunPipeline(const ProcessSpec& producer_spec,
                                                         const ProcessSpec& consumer_spec,
                                                         const LineCallback& on_consumer_stdout_line) {
  // The consumer first: with restic that overlaps its repository opening with the producer's start.
  auto consumer = Spawn(consumer_spec, -1, true, -1);
  if (!consumer.ok()) return consumer.status();
  ProcessSpec producer_no_file = producer_spec;
  producer_no_file.stdout_path.clear();
  auto producer = Spawn(producer_no_file, -1, false, -1);
  if (!producer.ok()) {
    ::kill(consumer->pid, kStopSignal);
    PosixRunningProcess cleanup(*consumer, on_consumer_stdout_line);
    cleanup.Abort();
    return producer.status();
  }

  PipelineResult result;
  std::string producer_err, consumer_err;
  std::thread producer_err_thread([&] { ReadTail(producer->stderr_fd, &producer_err); });
  std::thread consumer_err_thread([&] { ReadTail(consumer->stderr_fd, &consumer_err); });
  std::thread consumer_out_thread([&] { ReadLines(consumer->stdout_fd, on_consumer_stdout_line); });

  int copy_fd = -1;
  if (!consumer_spec.stdin_copy_path.empty()) {
    copy_fd = ::open(consumer_spec.stdin_copy_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  }
  std::string copy_error;
  if (!consumer_spec.stdin_copy_path.empty() && copy_fd < 0) copy_error = std::strerror(errno);

  PipeBuffer buffer;
  std::uint64_t transferred = 0;
  std::thread pump_in([&] {
    std::string chunk(1u << 20, '\0');
    for (;;) {
      ssize_t n = ::read(producer->stdout_fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      transferred += static_cast<std::uint64_t>(n);
      if (!buffer.Push(chunk.substr(0, static_cast<std::size_t>(n)))) break;
    }
    ::close(producer->stdout_fd);  // A producer still writing now gets EPIPE/SIGPIPE.
    buffer.CloseInput();
  });

  std::mutex decision_mutex;
  std::condition_variable decision_cv;
  int decision = 0;  // 0 = unknown, 1 = producer succeeded, 2 = producer failed.
  std::thread pump_out([&] {
    std::string chunk;
    bool broken = !copy_error.empty();
    if (broken) {
      buffer.Break();
      ::kill(consumer->pid, kStopSignal);
    }
    while (!broken && buffer.Pop(&chunk)) {
      if (copy_fd >= 0 && !WriteAll(copy_fd, chunk.data(), chunk.size())) {
        copy_error = std::strerror(errno);
        ::kill(consumer->pid, kStopSignal);
      }
      if (!copy_error.empty() || !WriteAll(consumer->stdin_fd, chunk.data(), chunk.size())) {
        broken = true;
        buffer.Break();
        break;
      }
    }
    if (!broken) {
      std::unique_lock lock(decision_mutex);
      decision_cv.wait(lock, [&] { return decision != 0; });
      if (decision == 2) ::kill(consumer->pid, kStopSignal);  // Never let the consumer see a clean EOF.
    }
    ::close(consumer->stdin_fd);
  });

  pump_in.join();
  result.producer = WaitFor(producer->pid);
  {
    std::lock_guard lock(decision_mutex);
    decision = result.producer.Succeeded() ? 1 : 2;
  }
  decision_cv.notify_all();
  pump_out.join();
  result.consumer = WaitFor(consumer->pid);
  producer_err_thread.join();
  consumer_err_thread.join();
  consumer_out_thread.join();
  result.producer.stderr_tail = producer_err;
  result.consumer.stderr_tail = consumer_err;
  result.bytes_transferred = transferred;
  if (copy_fd >= 0 && ::close(copy_fd) != 0 && copy_error.empty()) copy_error = std::strerror(errno);
  if (!copy_error.empty()) {
    return InternalError("writing a copy of the stream to " + consumer_spec.stdin_copy_path + ": " + copy_error);
  }
  return result;
}

}  // namespace lifeboat::agent
