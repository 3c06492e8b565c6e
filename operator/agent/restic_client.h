// ResticClient: the restic commands the agent uses, run through a ProcessRunner against one
// repository (ResticInvocation). Every method returns a Status classified by
// ClassifyResticFailure on failure. Progress from `backup --json` goes to the ProgressSink.
// Thread-safe as far as the ProcessRunner is (no mutable state).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "operator/agent/process_runner.h"
#include "operator/agent/repository_config.h"
#include "operator/agent/restic_output.h"
#include "operator/core/clock.h"

namespace lifeboat::agent {

using ProgressSink = std::function<void(const std::string& message)>;

// Options shared by every snapshot a run writes.
struct SnapshotOptions {
  std::vector<std::string> tags;  // Each "key=value" or a bare word; no commas.
  std::string time;               // "2026-11-22 01:02:03" (UTC) so all snapshots of a run share it.
  std::string host = "lifeboat";  // Fixed, so pod names never split restic's groups.
};

// "2026-11-22 01:02:03" in UTC, the form `restic backup --time` takes.
std::string ResticTime(WallTime time);

struct StdinBackupOutcome {
  PipelineResult pipeline;
  std::optional<ResticBackupSummary> summary;  // Set when restic printed a summary (it saved a snapshot).
};

// How long a command waits for another process's conflicting lock (a backup's prune or check
// holding an exclusive one; a drill's read blocking a prune or check) before it fails: restic 0.14
// has no --retry-lock, so the client retries with backoff.
inline constexpr std::chrono::seconds kLockWait{600};

class ResticClient {
 public:
  using Sleep = std::function<void(std::chrono::milliseconds)>;
  ResticClient(ProcessRunner& runner, ResticInvocation invocation, ProgressSink progress, Sleep sleep = nullptr)
      : runner_(runner), invocation_(std::move(invocation)), progress_(std::move(progress)), sleep_(std::move(sleep)) {}

  const std::string& location() const { return invocation_.display_location; }

  Status Init();
  // Initialises the repository when there is none (a local path without a config file, or
  // NotFound from restic); a wrong password or unreachable storage is an error.
  Status EnsureRepository();
  // True when the repository can be opened; NotFound when there is none; other errors as classified.
  Status CheckOpen();

  // producer | restic backup --stdin. The caller judges both sides (see DecideStreamBackup).
  StatusOr<StdinBackupOutcome> BackupStdinFrom(const ProcessSpec& producer, const std::string& filename,
                                               const SnapshotOptions& options, const std::string& source);
  // Starts `restic backup --stdin` early (its key derivation overlaps other work); Finish() it with
  // the content or Abort() it. Parse the summary from the lines given to `on_line`.
  StatusOr<std::unique_ptr<RunningProcess>> StartStdinBackup(const std::string& filename, const SnapshotOptions& options,
                                                             const LineCallback& on_line);
  // Stores `content` as the single file `filename` of a new snapshot; its (short) id.
  StatusOr<std::string> BackupString(const std::string& filename, const std::string& content, const SnapshotOptions& options);
  // Backs up the contents of `directory` (run from inside it, so the snapshot's root is its content).
  StatusOr<ResticBackupSummary> BackupDirectory(const std::string& directory, const std::vector<std::string>& excludes,
                                                const SnapshotOptions& options, const std::string& source);

  // Snapshots carrying all of `tags` (empty: all).
  StatusOr<std::vector<ResticSnapshot>> Snapshots(const std::vector<std::string>& tags);
  StatusOr<std::string> DumpToString(const std::string& snapshot_id, const std::string& path);
  // `path` from the newest snapshot (host "lifeboat") carrying all of `tags`, in one restic call.
  // NotFound when no snapshot matches.
  StatusOr<std::string> DumpLatest(const std::vector<std::string>& tags, const std::string& path);
  Status DumpToFile(const std::string& snapshot_id, const std::string& path, const std::string& out_file);
  // The `restic dump` process, for streaming a file into another process (RunPipeline).
  ProcessSpec DumpSpec(const std::string& snapshot_id, const std::string& path) const;
  Status Restore(const std::string& snapshot_id, const std::string& target);
  // Only the files matching `includes` (restic --include patterns, e.g. "/name" for a file at the root).
  Status RestoreOnly(const std::string& snapshot_id, const std::string& target, const std::vector<std::string>& includes);
  Status Forget(const std::vector<std::string>& snapshot_ids);
  // `restic forget --json <args>`; returns restic's JSON (groups with keep/remove lists).
  StatusOr<std::string> ForgetWithArgs(const std::vector<std::string>& args);
  Status Prune();
  // `restic unlock`: removes stale locks only (e.g. of a restic this run had to stop).
  Status Unlock();
  Status Check(const std::string& read_data_subset);

 private:
  ProcessSpec Spec(std::vector<std::string> args) const;
  StatusOr<std::string> RunCapture(const std::string& action, std::vector<std::string> args);
  // Runs a command, again while another process holds a conflicting lock (up to kLockWait).
  StatusOr<ProcessResult> RunWaitingForLocks(const ProcessSpec& spec, const LineCallback& on_line);

  ProcessRunner& runner_;
  ResticInvocation invocation_;
  ProgressSink progress_;
  Sleep sleep_;
};

// "key=value" tags joined for --tag (restic ANDs the tags of one --tag flag).
std::string JoinTags(const std::vector<std::string>& tags);

}  // namespace lifeboat::agent
