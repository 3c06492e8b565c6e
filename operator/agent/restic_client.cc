#include "operator/agent/restic_client.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "operator/agent/shared_repository.h"
#include "operator/agent/external_programs.h"
#include "operator/core/time_format.h"

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <thread>

namespace lifeboat::agent {

std::string JoinTags(const std::vector<std::string>& tags) {
  std::string out;
  for (const auto& t : tags) {
    if (!out.empty()) out += ",";
    out += t;
  }
  return out;
}

ProcessSpec ResticClient::Spec(std::vector<std::string> args) const {
  ProcessSpec spec;
  spec.argv.push_back(kRestic);
  spec.argv.insert(spec.argv.end(), invocation_.global_flags.begin(), invocation_.global_flags.end());
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = invocation_.env;
  spec.env["TZ"] = "UTC";  // --time and snapshot times are UTC.
  spec.unset_env = {"RESTIC_REPOSITORY_FILE"};
  return spec;
}

StatusOr<ProcessResult> ResticClient::RunWaitingForLocks(const ProcessSpec& spec, const LineCallback& on_line) {
  std::chrono::milliseconds waited{0}, pause{1000};
  while (true) {
    auto result = runner_.Run(spec, "", on_line);
    if (!result.ok() || result->Succeeded()) return result;
    const std::string& err = result->stderr_tail;
    const bool locked = err.find("repository is already locked") != std::string::npos ||
                        err.find("unable to create lock") != std::string::npos;
    if (!locked || waited >= kLockWait) return result;
    if (progress_) progress_("The repository is locked by another process (a drill, or a backup's prune or check); retrying in " +
                             std::to_string(pause.count() / 1000) + "s");
    if (sleep_) {
      sleep_(pause);
    } else {
      std::this_thread::sleep_for(pause);
    }
    waited += pause;
    pause = std::min(pause * 2, std::chrono::milliseconds(15000));
  }
}

StatusOr<std::string> ResticClient::RunCapture(const std::string& action, std::vector<std::string> args) {
  std::string out;
  // Everything but writing a snapshot and unlocking waits for another process's lock to go.
  const bool waits = !args.empty() && (args[0] == "snapshots" || args[0] == "restore" || args[0] == "dump" ||
                                       args[0] == "ls" || args[0] == "check" || args[0] == "forget" || args[0] == "prune");
  const LineCallback collect = [&](const std::string& line) {
    out += line;
    out += '\n';
  };
  auto result = waits ? RunWaitingForLocks(Spec(args), collect) : runner_.Run(Spec(std::move(args)), "", collect);
  if (!result.ok()) return result.status();
  if (!result->Succeeded()) return ClassifyResticFailure(action, *result);
  return out;
}

Status ResticClient::Init() {
  auto out = RunCapture("initialising the repository", {"init", "--repository-version", "2"});
  return out.ok() ? Status::Ok() : out.status();
}

namespace {

// An exclusive flock(2) on <root>/.lifeboat-init.lock for as long as it lives: two agents that find
// the same empty repository at once (the WAL streamer and the first base backup) would otherwise
// both run `restic init`, and the second config overwrites the first's ("config or key is
// damaged"). Best effort: a lock file that cannot be opened leaves the old behaviour.
class InitLock {
 public:
  explicit InitLock(const std::string& root) {
    const std::string path = root + "/.lifeboat-init.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
    if (fd_ < 0) fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);  // Created by another user of the group.
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~InitLock() {
    if (fd_ >= 0) ::close(fd_);  // Releases the lock.
  }
  InitLock(const InitLock&) = delete;
  InitLock& operator=(const InitLock&) = delete;

 private:
  int fd_ = -1;
};

bool OwnsConfig(const std::string& root) {
  struct stat st {};
  return ::stat((root + "/config").c_str(), &st) == 0 && st.st_uid == ::geteuid();
}

}  // namespace

Status ResticClient::EnsureRepository() {
  if (!invocation_.local_path.empty()) {
    const std::string& root = invocation_.local_path;
    std::error_code ec;
    if (!std::filesystem::exists(std::filesystem::path(root) / "config", ec)) {
      std::filesystem::create_directories(root, ec);
      InitLock lock(root);
      if (!std::filesystem::exists(std::filesystem::path(root) / "config", ec)) LIFEBOAT_RETURN_IF_ERROR(Init());
    }
    // Jobs of other users (a media owner's restore) share it through the group (shared_repository.h).
    if (invocation_.group && !IsSharedWithGroup(root, *invocation_.group) && OwnsConfig(root)) {
      return ShareWithGroup(root, *invocation_.group);
    }
    return Status::Ok();
  }
  Status open = CheckOpen();
  if (open.code() == StatusCode::kNotFound) return Init();
  return open;
}

Status ResticClient::CheckOpen() {
  auto out = RunCapture("opening the repository", {"cat", "config"});
  return out.ok() ? Status::Ok() : out.status();
}

namespace {
std::vector<std::string> SnapshotArgs(const SnapshotOptions& options) {
  std::vector<std::string> args{"--host", options.host};
  for (const auto& tag : options.tags) {
    args.push_back("--tag");
    args.push_back(tag);
  }
  if (!options.time.empty()) {
    args.push_back("--time");
    args.push_back(options.time);
  }
  return args;
}
}  // namespace

StatusOr<StdinBackupOutcome> ResticClient::BackupStdinFrom(const ProcessSpec& producer, const std::string& filename,
                                                           const SnapshotOptions& options, const std::string& source) {
  std::vector<std::string> args{"backup", "--json", "--stdin", "--stdin-filename", filename};
  auto extra = SnapshotArgs(options);
  args.insert(args.end(), extra.begin(), extra.end());
  StdinBackupOutcome outcome;
  std::mutex mutex;
  auto pipeline = runner_.RunPipeline(producer, Spec(args), [&](const std::string& line) {
    ResticLine parsed = ParseResticBackupLine(line, source);
    std::lock_guard lock(mutex);
    if (parsed.progress_message && progress_) progress_(*parsed.progress_message);
    if (parsed.summary) outcome.summary = parsed.summary;
  });
  if (!pipeline.ok()) return pipeline.status();
  outcome.pipeline = *pipeline;
  return outcome;
}

StatusOr<std::unique_ptr<RunningProcess>> ResticClient::StartStdinBackup(const std::string& filename,
                                                                         const SnapshotOptions& options,
                                                                         const LineCallback& on_line) {
  std::vector<std::string> args{"backup", "--json", "--stdin", "--stdin-filename", filename};
  auto extra = SnapshotArgs(options);
  args.insert(args.end(), extra.begin(), extra.end());
  return runner_.Start(Spec(args), on_line);
}

std::string ResticTime(WallTime time) {
  std::string rfc = FormatRfc3339(time);  // 2026-11-22T01:02:03Z
  return rfc.substr(0, 10) + " " + rfc.substr(11, 8);
}

StatusOr<std::string> ResticClient::BackupString(const std::string& filename, const std::string& content,
                                                const SnapshotOptions& options) {
  std::optional<ResticBackupSummary> summary;
  std::mutex mutex;
  auto process = StartStdinBackup(filename, options, [&](const std::string& line) {
    ResticLine parsed = ParseResticBackupLine(line, filename);
    std::lock_guard lock(mutex);
    if (parsed.summary) summary = parsed.summary;
  });
  if (!process.ok()) return process.status();
  auto finished = (*process)->Finish(content);
  if (!finished.ok()) return finished.status();
  if (!finished->Succeeded()) return ClassifyResticFailure("storing " + filename, *finished);
  std::lock_guard lock(mutex);
  if (!summary || summary->snapshot_id.empty()) return InternalError("restic reported no snapshot for " + filename);
  return summary->snapshot_id;
}

StatusOr<ResticBackupSummary> ResticClient::BackupDirectory(const std::string& directory,
                                                            const std::vector<std::string>& excludes,
                                                            const SnapshotOptions& options, const std::string& source) {
  std::vector<std::string> args{"backup", "--json"};
  auto extra = SnapshotArgs(options);
  args.insert(args.end(), extra.begin(), extra.end());
  for (const auto& pattern : excludes) {
    args.push_back("--exclude");
    args.push_back(pattern);
  }
  args.push_back(".");
  ProcessSpec spec = Spec(args);
  spec.working_directory = directory;
  std::optional<ResticBackupSummary> summary;
  std::vector<std::string> errors;
  auto result = runner_.Run(spec, "", [&](const std::string& line) {
    ResticLine parsed = ParseResticBackupLine(line, source);
    if (parsed.progress_message && progress_) progress_(*parsed.progress_message);
    if (parsed.summary) summary = parsed.summary;
    if (parsed.error_message) errors.push_back(*parsed.error_message);
  });
  if (!result.ok()) return result.status();
  if (!result->Succeeded()) {
    // Exit code 3: snapshot saved but some files could not be read; that is not a complete backup.
    if (result->exit_code == 3 && summary) {
      return InternalError("backing up " + directory + ": some files could not be read" +
                           (errors.empty() ? "" : " (" + errors.front() + ")"));
    }
    return ClassifyResticFailure("backing up " + directory, *result);
  }
  if (!summary) return InternalError("backing up " + directory + ": restic printed no summary");
  return *summary;
}

StatusOr<std::vector<ResticSnapshot>> ResticClient::Snapshots(const std::vector<std::string>& tags) {
  std::vector<std::string> args{"snapshots", "--json"};
  if (!tags.empty()) {
    args.push_back("--tag");
    args.push_back(JoinTags(tags));
  }
  auto out = RunCapture("listing snapshots", args);
  if (!out.ok()) return out.status();
  return ParseSnapshotsJson(*out);
}

StatusOr<std::string> ResticClient::DumpToString(const std::string& snapshot_id, const std::string& path) {
  std::string out;
  auto result = RunWaitingForLocks(Spec({"dump", snapshot_id, path}), [&](const std::string& line) {
    out += line;
    out += '\n';
  });
  if (!result.ok()) return result.status();
  if (!result->Succeeded()) return ClassifyResticFailure("reading " + path + " from snapshot " + snapshot_id, *result);
  return out;
}

ProcessSpec ResticClient::DumpSpec(const std::string& snapshot_id, const std::string& path) const {
  return Spec({"dump", snapshot_id, path});
}

StatusOr<std::string> ResticClient::DumpLatest(const std::vector<std::string>& tags, const std::string& path) {
  std::string out;
  auto result = RunWaitingForLocks(Spec({"dump", "--host", "lifeboat", "--tag", JoinTags(tags), "latest", path}),
                            [&](const std::string& line) {
                              out += line;
                              out += '\n';
                            });
  if (!result.ok()) return result.status();
  if (!result->Succeeded()) {
    if (result->stderr_tail.find("no snapshot found") != std::string::npos) {
      return NotFoundError("no snapshot with tags " + JoinTags(tags));
    }
    return ClassifyResticFailure("reading " + path + " from the latest snapshot", *result);
  }
  return out;
}

Status ResticClient::DumpToFile(const std::string& snapshot_id, const std::string& path, const std::string& out_file) {
  ProcessSpec spec = Spec({"dump", snapshot_id, path});
  spec.stdout_path = out_file;
  auto result = RunWaitingForLocks(spec, nullptr);
  if (!result.ok()) return result.status();
  if (!result->Succeeded()) return ClassifyResticFailure("reading " + path + " from snapshot " + snapshot_id, *result);
  return Status::Ok();
}

Status ResticClient::Restore(const std::string& snapshot_id, const std::string& target) {
  auto out = RunCapture("restoring snapshot " + snapshot_id, {"restore", snapshot_id, "--target", target});
  return out.ok() ? Status::Ok() : out.status();
}

Status ResticClient::RestoreOnly(const std::string& snapshot_id, const std::string& target,
                                 const std::vector<std::string>& includes) {
  std::vector<std::string> args{"restore", snapshot_id, "--target", target};
  for (const auto& pattern : includes) args.insert(args.end(), {"--include", pattern});
  auto out = RunCapture("restoring from snapshot " + snapshot_id, args);
  return out.ok() ? Status::Ok() : out.status();
}

Status ResticClient::Forget(const std::vector<std::string>& snapshot_ids) {
  if (snapshot_ids.empty()) return Status::Ok();
  std::vector<std::string> args{"forget"};
  args.insert(args.end(), snapshot_ids.begin(), snapshot_ids.end());
  auto out = RunCapture("forgetting snapshots", args);
  return out.ok() ? Status::Ok() : out.status();
}

StatusOr<std::string> ResticClient::ForgetWithArgs(const std::vector<std::string>& args) {
  std::vector<std::string> full{"forget", "--json"};
  full.insert(full.end(), args.begin(), args.end());
  return RunCapture("applying retention", full);
}

Status ResticClient::Unlock() {
  auto out = RunCapture("removing stale locks", {"unlock"});
  return out.ok() ? Status::Ok() : out.status();
}

Status ResticClient::Prune() {
  auto out = RunCapture("pruning the repository", {"prune"});
  return out.ok() ? Status::Ok() : out.status();
}

Status ResticClient::Check(const std::string& read_data_subset) {
  std::vector<std::string> args{"check"};
  if (!read_data_subset.empty()) args.push_back("--read-data-subset=" + read_data_subset);
  auto out = RunCapture("checking the repository", args);
  return out.ok() ? Status::Ok() : out.status();
}

}  // namespace lifeboat::agent
