#include "e2e/devcluster/jobs/container_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lifeboat::devcluster {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

// Drops the oldest half of the file at `fd` (opened O_APPEND) keeping the newest `keep` bytes.
void KeepTail(int fd, uint64_t keep) {
  struct stat st {};
  if (fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_size) <= keep) return;
  std::string tail(keep, '\0');
  const off_t from = st.st_size - static_cast<off_t>(keep);
  ssize_t got = pread(fd, tail.data(), keep, from);
  if (got < 0) got = 0;
  tail.resize(static_cast<size_t>(got));
  if (ftruncate(fd, 0) != 0) return;
  size_t written = 0;
  while (written < tail.size()) {
    ssize_t n = write(fd, tail.data() + written, tail.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
}

}  // namespace

StatusOr<std::unique_ptr<ContainerProcess>> ContainerProcess::Start(const ProcessSpec& spec,
                                                                    std::function<void()> on_exit) {
  if (spec.argv.empty()) return InvalidArgumentError("empty command");
  std::error_code ec;
  std::filesystem::create_directories(spec.log_path.parent_path(), ec);
  if (ec) return InternalError("creating " + spec.log_path.parent_path().string() + ": " + ec.message());

  // Everything the child needs is prepared before fork (only async-signal-safe calls after it).
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : spec.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : env_strings) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return InternalError(Errno("pipe"));
  if (spec.stdio_owner && fchown(fds[1], *spec.stdio_owner, static_cast<gid_t>(-1)) != 0) {
    const Status error = InternalError(Errno("fchown stdout"));
    close(fds[0]);
    close(fds[1]);
    return error;
  }
  const int dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (dev_null < 0) {
    close(fds[0]);
    close(fds[1]);
    return InternalError(Errno("open /dev/null"));
  }
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    close(dev_null);
    return InternalError(Errno("fork"));
  }
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) sigaction(sig, &dfl, nullptr);
    }
    dup2(dev_null, 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    syscall(SYS_close_range, 3U, ~0U, 0U);
    execve(argv[0], argv.data(), envp.data());
    const char message[] = "exec failed\n";
    (void)!write(2, message, sizeof(message) - 1);
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent, so the group exists before anyone signals it
  close(fds[1]);
  close(dev_null);

  std::unique_ptr<ContainerProcess> process(new ContainerProcess());
  process->pid_ = pid;
  process->pipe_fd_ = fds[0];
  process->log_path_ = spec.log_path;
  process->log_max_bytes_ = std::max<uint64_t>(spec.log_max_bytes, 1024);
  process->on_exit_ = std::move(on_exit);
  process->spare_leader_ = spec.leader_is_supervisor;
  process->pump_thread_ = std::thread([p = process.get()] { p->PumpLoop(); });
  process->wait_thread_ = std::thread([p = process.get()] { p->WaitLoop(); });
  return process;
}

void ContainerProcess::PumpLoop() {
  const int log_fd = open(log_path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  struct stat st {};
  uint64_t size = (log_fd >= 0 && fstat(log_fd, &st) == 0) ? static_cast<uint64_t>(st.st_size) : 0;
  char buffer[16384];
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (pump_done_) break;  // the waiter gave up waiting for EOF
    }
    struct pollfd pfd {pipe_fd_, POLLIN, 0};
    const int ready = poll(&pfd, 1, 100);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = read(pipe_fd_, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (log_fd >= 0) {
      size_t written = 0;
      while (written < static_cast<size_t>(n)) {
        const ssize_t w = write(log_fd, buffer + written, static_cast<size_t>(n) - written);
        if (w <= 0) break;
        written += static_cast<size_t>(w);
      }
      size += written;
      if (size > log_max_bytes_) {
        KeepTail(log_fd, log_max_bytes_ / 2);
        if (fstat(log_fd, &st) == 0) size = static_cast<uint64_t>(st.st_size);
      }
    }
  }
  if (log_fd >= 0) close(log_fd);
  std::lock_guard lock(mutex_);
  pump_done_ = true;
  cv_.notify_all();
}

void ContainerProcess::WaitLoop() {
  // Wait for the exit without reaping, so that the group id cannot be reused while whatever the
  // leader left behind in its group is killed; then reap.
  siginfo_t info {};
  int waited;
  do {
    waited = waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT);
  } while (waited < 0 && errno == EINTR);
  kill(-pid_, SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  int code = 255;
  if (r == pid_) {
    if (WIFEXITED(status)) code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) code = 128 + WTERMSIG(status);
  }
  {
    std::unique_lock lock(mutex_);
    // Output still in the pipe is drained; a descendant that escaped the group and keeps the pipe
    // open does not hold the container up for more than a moment.
    cv_.wait_for(lock, std::chrono::seconds(2), [&] { return pump_done_; });
    pump_done_ = true;
  }
  pump_thread_.join();
  close(pipe_fd_);
  {
    std::lock_guard lock(mutex_);
    exit_code_ = code;
    exited_ = true;
  }
  if (on_exit_) on_exit_();
  std::lock_guard lock(mutex_);
  cv_.notify_all();
}

ContainerProcess::~ContainerProcess() {
  if (!Exited()) kill(-pid_, SIGKILL);
  if (wait_thread_.joinable()) wait_thread_.join();
}

bool ContainerProcess::Exited() const {
  std::lock_guard lock(mutex_);
  return exited_;
}

int ContainerProcess::ExitCode() const {
  std::lock_guard lock(mutex_);
  return exit_code_;
}

bool ContainerProcess::WaitFor(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return exited_; });
}

void ContainerProcess::Terminate(std::chrono::milliseconds grace) {
  if (Exited()) return;
  SignalProcessGroupExcept(pid_, spare_leader_ ? pid_ : 0, SIGTERM);
  if (WaitFor(grace)) return;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  WaitFor(std::chrono::seconds(10));
}

void SignalProcessGroupExcept(pid_t pgid, pid_t except_pid, int signal) {
  DIR* proc = opendir("/proc");
  if (!proc) return;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (!end || *end != '\0' || pid <= 0 || pid == except_pid) continue;
    std::ifstream stat_file("/proc/" + std::string(entry->d_name) + "/stat");
    std::string line;
    if (!std::getline(stat_file, line)) continue;
    // pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
    const size_t close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(line.substr(close_paren + 1));
    std::string state;
    long ppid = 0, pgrp = 0;
    if (!(rest >> state >> ppid >> pgrp)) continue;
    if (pgrp == pgid) kill(static_cast<pid_t>(pid), signal);
  }
  closedir(proc);
}

std::vector<RootEntry> ReadHostRootEntries() {
  std::vector<RootEntry> entries;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/", ec)) {
    RootEntry root;
    root.name = entry.path().filename().string();
    if (entry.is_symlink(ec)) root.symlink_target = std::filesystem::read_symlink(entry.path(), ec).string();
    entries.push_back(root);
  }
  std::sort(entries.begin(), entries.end(), [](const RootEntry& a, const RootEntry& b) { return a.name < b.name; });
  return entries;
}

std::string ResolveMountTarget(const std::string& target) {
  const std::filesystem::path path(target);
  auto it = path.begin();
  if (it != path.end()) ++it;  // "/"
  if (it == path.end()) return target;
  const std::string first = it->string();
  if (first == "tmp" || first == "dev" || first == "proc") return target;
  std::error_code ec;
  const std::filesystem::path resolved = std::filesystem::weakly_canonical(path, ec);
  if (ec) return target;
  return resolved.string();
}

std::string FindProgram(const std::string& program, const std::string& path) {
  if (program.empty()) return "";
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0 ? program : "";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + program;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  return "";
}

}  // namespace lifeboat::devcluster
