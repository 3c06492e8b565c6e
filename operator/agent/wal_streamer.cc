#include "operator/agent/wal_streamer.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "operator/agent/external_programs.h"
#include "operator/agent/snapshot_tags.h"
#include "operator/agent/wal_archive.h"
#include "operator/agent/wal_upload_plan.h"
#include "operator/core/time_format.h"

namespace lifeboat::agent {
namespace fs = std::filesystem;
namespace {

// How often a streamer with nothing new publishes its status anyway.
constexpr std::chrono::seconds kStatusHeartbeat{30};

fs::path WalDir(const WalStreamOptions& options) { return fs::path(options.buffer_dir) / "wal"; }
fs::path StageDir(const WalStreamOptions& options) { return fs::path(options.buffer_dir) / "upload"; }

std::string Program(const WalStreamOptions& options, const char* name) {
  return options.bin_dir.empty() ? name : (fs::path(options.bin_dir) / name).string();
}

std::vector<std::string> ConnectionArgs(const PgConnectionConfig& pg) {
  return {"-d", ReplicationConnInfo(pg), "--no-password"};
}

std::string LastLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (auto at = text.rfind('\n'); at != std::string::npos) text = text.substr(at + 1);
  return text;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Status ValidateWalStreamOptions(const WalStreamOptions& options) {
  if (options.slot.empty() || options.slot.size() > 63 ||
      options.slot.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    return InvalidArgumentError("--slot \"" + options.slot + "\" is not a replication slot name (1 to 63 of a-z, 0-9 and _)");
  }
  if (options.policy.empty()) return InvalidArgumentError("--policy is required");
  if (Status s = ValidateTagName("--policy", options.policy); !s.ok()) return s;
  if (options.buffer_dir.empty()) return InvalidArgumentError("--buffer is required");
  if (options.upload_interval < std::chrono::seconds(1)) return InvalidArgumentError("--upload-interval must be at least 1s");
  if (options.group_segments < 1 || options.group_segments > 1024) {
    return InvalidArgumentError("--group-segments must be 1..1024");
  }
  return Status::Ok();
}

nlohmann::json WalStreamStatusToJson(const WalStreamStatus& s) {
  nlohmann::json j = {{"slot", s.slot},
                      {"systemIdentifier", s.system_id},
                      {"serverTimeline", s.server_timeline},
                      {"serverLSN", s.server_lsn},
                      {"receivedLSN", s.received_lsn},
                      {"lagBytes", s.lag_bytes},
                      {"receiving", s.receiving},
                      {"receiverRestarts", s.receiver_restarts},
                      {"group", s.group},
                      {"lastSegment", s.last_segment},
                      {"lastSnapshot", s.last_snapshot},
                      {"lastUploadTime", s.last_upload_time},
                      {"lastUploadedLSN", s.last_uploaded_lsn},
                      {"recoverableUntil", s.recoverable_until},
                      {"uploads", s.uploads},
                      {"gaps", s.gaps},
                      {"firstRecoverableTime", s.first_recoverable_time},
                      {"lastRecoverableTime", s.last_recoverable_time},
                      {"baseBackups", s.base_backups},
                      {"archiveReviewedTime", s.archive_reviewed_time},
                      {"lastError", s.last_error},
                      {"lastErrorTime", s.last_error_time},
                      {"updated", s.updated}};
  if (!s.gap_from_lsn.empty()) j["gap"] = {{"fromLSN", s.gap_from_lsn}, {"toLSN", s.gap_to_lsn}};
  return j;
}

WalStreamStatus WalStreamer::CurrentStatus() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void WalStreamer::Fail(const std::string& what, const Status& status) {
  log_("error", what + ": " + status.message());
  std::lock_guard lock(mutex_);
  status_.last_error = what + ": " + status.message();
  status_.last_error_time = FormatRfc3339(clock_.Now());
}

void WalStreamer::Publish(const WalStreamOptions& options) {
  WalStreamStatus copy;
  {
    std::lock_guard lock(mutex_);
    status_.updated = FormatRfc3339(clock_.Now());
    copy = status_;
  }
  last_publish_ = clock_.SteadyNow();
  if (on_publish_) on_publish_(copy);
  if (options.status_file.empty()) return;
  fs::path target(options.status_file);
  fs::path temporary = target.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << WalStreamStatusToJson(copy).dump() << "\n";
  }
  std::error_code ec;
  fs::rename(temporary, target, ec);
}

void WalStreamer::ReviewArchive(const WalStreamOptions& options) {
  last_review_ = clock_.SteadyNow();
  auto snapshots = restic_.Snapshots({Tag(kTagPolicy, options.policy)});
  if (!snapshots.ok()) {
    log_("warn", "Listing the archive for its recoverability window: " + snapshots.status().message());
    return;
  }
  WalArchiveListing archive = ListWalArchive(*snapshots, options.policy);
  RecoveryWindow window = AnalyzeRecoveryWindow(archive);
  std::lock_guard lock(mutex_);
  status_.first_recoverable_time = window.first_recoverable ? FormatRfc3339Micro(*window.first_recoverable) : "";
  status_.last_recoverable_time = window.last_recoverable ? FormatRfc3339Micro(*window.last_recoverable) : "";
  status_.base_backups = archive.base_backups.size();
  status_.gap_from_lsn = window.gap ? FormatLsn(window.gap->from_lsn) : "";
  status_.gap_to_lsn = window.gap ? FormatLsn(window.gap->to_lsn) : "";
  status_.archive_reviewed_time = FormatRfc3339(clock_.Now());
}

std::vector<std::string> WalStreamer::ListBuffer(const WalStreamOptions& options) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(WalDir(options), ec)) {
    if (entry.is_regular_file(ec)) names.push_back(entry.path().filename().string());
  }
  return names;
}

Status WalStreamer::ResumeFromArchive(const WalStreamOptions& options) {
  for (const auto& name : ListBuffer(options)) {
    auto parsed = ParseWalFileName(name);
    if (parsed && parsed->kind != WalFileKind::kHistory) return Status::Ok();  // The buffer survived (a container restart).
  }
  auto snapshots = restic_.Snapshots({Tag(kTagPolicy, options.policy), Tag(kTagRole, kRoleWal)});
  if (!snapshots.ok()) return snapshots.status().WithContext("listing the archived WAL");
  WalArchiveListing archive = ListWalArchive(*snapshots, options.policy);
  const WalBatch* newest = nullptr;
  for (const auto& batch : archive.batches) {
    if (batch.system_id == status_.system_id && (!newest || batch.end_lsn > newest->end_lsn)) newest = &batch;
  }
  if (!newest) {
    log_("info", "No WAL of this database in the archive yet: streaming starts where the slot stands");
    return Status::Ok();
  }
  // Only the newest segment comes back: pg_receivewal resumes from it, and a new group starts there
  // (the archived group keeps everything up to its end), so a restart costs one segment, not a group.
  const std::string newest_file =
      WalSegmentFileName(newest->timeline, newest->last_segno) + (newest->last_partial ? ".partial" : "");
  fs::path restored = fs::path(options.buffer_dir) / "resume";
  std::error_code ec;
  fs::remove_all(restored, ec);
  std::vector<std::string> includes{"/" + newest_file};
  for (std::uint32_t tl = 2; tl <= newest->timeline; ++tl) includes.push_back("/" + TimelineHistoryFileName(tl));
  if (Status s = restic_.RestoreOnly(newest->snapshot_id, restored.string(), includes); !s.ok()) {
    return s.WithContext("fetching the newest WAL segment " + newest_file);
  }
  for (const auto& entry : fs::recursive_directory_iterator(restored, ec)) {
    if (!entry.is_regular_file() || !ParseWalFileName(entry.path().filename().string())) continue;
    fs::rename(entry.path(), WalDir(options) / entry.path().filename(), ec);
    if (ec) return InternalError("moving " + entry.path().string() + " into the buffer: " + ec.message());
  }
  fs::remove_all(restored, ec);
  group_ = WalSegmentFileName(newest->timeline, newest->last_segno);
  uploaded_completed_ = 0;
  log_("info", "Resuming the archive at its end: " + newest_file + " of group " + newest->group + " up to " +
                   FormatLsn(newest->end_lsn) + " (snapshot " + newest->snapshot_id.substr(0, 8) + ")");
  return Status::Ok();
}

Status WalStreamer::EnsureSlot(const WalStreamOptions& options, ReplicationConnection& server) {
  auto slot = server.ReadSlot(options.slot);
  if (!slot.ok()) return slot.status();
  if (slot->has_value()) return Status::Ok();
  // Reserving WAL at once: a base backup that ends before pg_receivewal connects still has the WAL
  // after its end kept, so the archive continues it without a gap.
  if (Status created = server.CreateSlotReservingWal(options.slot); !created.ok()) {
    auto again = server.ReadSlot(options.slot);  // Created meanwhile by someone else is fine.
    if (!again.ok() || !again->has_value()) return created.WithContext("creating replication slot " + options.slot);
  }
  log_("info", "Created replication slot " + options.slot + " (reserving WAL from now on)");
  return Status::Ok();
}

Status WalStreamer::DropSlot(const WalStreamOptions& options) {
  ProcessSpec drop;
  drop.argv = {Program(options, kPgReceiveWal), "--drop-slot", "--slot", options.slot};
  auto conn = ConnectionArgs(options.pg);
  drop.argv.insert(drop.argv.end(), conn.begin(), conn.end());
  auto result = runner_.Run(drop, "", nullptr);
  if (!result.ok()) return result.status();
  if (!result->Succeeded() && result->stderr_tail.find("does not exist") == std::string::npos) {
    return UnavailableError("dropping replication slot " + options.slot + " " + result->Describe() + ": " +
                            LastLine(result->stderr_tail));
  }
  log_("info", "Dropped replication slot " + options.slot + " (it pointed at WAL the server had removed)");
  return Status::Ok();
}

Status WalStreamer::Prepare(const WalStreamOptions& options, ReplicationConnection& server) {
  std::error_code ec;
  fs::create_directories(WalDir(options), ec);
  if (ec) return InternalError("creating " + WalDir(options).string() + ": " + ec.message());
  auto identity = server.IdentifySystem();
  if (!identity.ok()) return identity.status();
  {
    std::lock_guard lock(mutex_);
    status_.slot = options.slot;
    status_.system_id = identity->system_id;
    status_.server_timeline = identity->timeline;
    status_.server_lsn = FormatLsn(identity->flush_lsn);
  }
  // The slot first, before the repository's slower work: from here on the server keeps the WAL.
  if (Status slot = EnsureSlot(options, server); !slot.ok()) return slot;
  if (Status ready = restic_.EnsureRepository(); !ready.ok()) return ready.WithContext("opening the repository");
  return ResumeFromArchive(options);
}

Status WalStreamer::Upload(const WalStreamOptions& options, ReplicationConnection& server, bool final) {
  if (!PlanWalGroup(ListBuffer(options), group_, options.group_segments)) return Status::Ok();

  // First how far the server has flushed, and until the slot shows the receiver has that too; the
  // files are listed after, so the upload holds everything up to there (unless the group fills up
  // before: then the next group's upload, right after, makes the claim).
  const WallTime asked_at = clock_.Now();
  auto identity = server.IdentifySystem();
  std::optional<SlotPosition> slot;
  if (identity.ok()) {
    const SteadyTime give_up = clock_.SteadyNow() + (final ? std::chrono::milliseconds(0) : options.catch_up_wait);
    while (true) {
      auto read = server.ReadSlot(options.slot);
      if (read.ok() && read->has_value()) slot = **read;
      if (!slot || slot->restart_lsn >= identity->flush_lsn || clock_.SteadyNow() >= give_up) break;
      sleep_(std::chrono::milliseconds(100));
    }
  }
  auto plan = PlanWalGroup(ListBuffer(options), group_, options.group_segments);
  if (!plan) return Status::Ok();
  if (plan->files.empty()) {  // The group's first segment never came.
    log_("warn", "WAL group " + plan->group + " ended before its first segment (" + plan->seal_reason + ")");
    group_ = NextWalGroup(ListBuffer(options));
    uploaded_completed_ = 0;
    last_review_.reset();  // A sealed group changes the archive's end: review it on the next round.
    return Status::Ok();
  }
  const bool current_timeline = identity.ok() && plan->timeline == identity->timeline;
  const std::uint64_t segment_start = SegmentStart(plan->last_segno), segment_end = SegmentStart(plan->last_segno + 1);
  std::uint64_t end = segment_end;
  if (!plan->partial_file.empty()) {
    end = segment_start;  // Nothing in the segment being written is claimed unless known.
    if (current_timeline && slot && slot->timeline == plan->timeline) {
      end = std::clamp(slot->restart_lsn, segment_start, segment_end);
    } else {
      std::string history = ReadFile(WalDir(options) / TimelineHistoryFileName(plan->timeline + 1));
      if (auto switched = TimelineSwitchPoint(history, plan->timeline)) end = std::clamp(*switched, segment_start, segment_end);
    }
  }
  std::optional<WallTime> until;
  if (current_timeline && slot && slot->restart_lsn >= identity->flush_lsn && end >= identity->flush_lsn) until = asked_at;

  // Stage the files: completed segments and history files never change (hard links); the segment
  // being written is copied after the slot showed how far it goes, so the copy holds at least that.
  const fs::path stage = StageDir(options);
  std::error_code ec;
  fs::remove_all(stage, ec);
  fs::create_directories(stage, ec);
  for (const auto& name : plan->files) {
    const fs::path from = WalDir(options) / name, to = stage / name;
    if (name != plan->partial_file) {
      fs::create_hard_link(from, to, ec);
      if (!ec) continue;
    }
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec && name == plan->partial_file && !fs::exists(from)) {
      // pg_receivewal completed the segment meanwhile (renamed it): plan again with the new name.
      fs::remove_all(stage, ec);
      return AbortedError("the segment being written was completed while staging");
    }
    if (ec) return InternalError("staging " + from.string() + " for upload: " + ec.message());
  }

  WalBatch batch;
  batch.system_id = status_.system_id;
  batch.group = plan->group;
  batch.timeline = plan->timeline;
  batch.first_segno = plan->first_segno;
  batch.last_segno = plan->last_segno;
  batch.last_partial = !plan->partial_file.empty();
  batch.end_lsn = end;
  batch.until = until;
  SnapshotOptions snapshot;
  snapshot.tags = WalBatchTags(options.policy, batch);
  snapshot.time = ResticTime(clock_.Now());
  auto summary = restic_.BackupDirectory(stage.string(), {}, snapshot, "wal");
  fs::remove_all(stage, ec);
  if (!summary.ok()) return summary.status().WithContext("uploading WAL group " + plan->group);

  {
    std::lock_guard lock(mutex_);
    status_.uploads++;
    status_.group = plan->group;
    status_.last_segment = WalSegmentFileName(plan->timeline, plan->last_segno) + (batch.last_partial ? ".partial" : "");
    status_.last_snapshot = summary->snapshot_id;
    status_.last_upload_time = FormatRfc3339(clock_.Now());
    status_.last_uploaded_lsn = FormatLsn(end);
    if (until) {
      status_.recoverable_until = FormatRfc3339Micro(*until);
      // The window's end moves with each upload while the last review found the chain whole from a
      // base backup on; after a gap it stays where the chain ends until a base backup heals it.
      if (status_.gap_from_lsn.empty() && !status_.first_recoverable_time.empty()) {
        status_.last_recoverable_time = status_.recoverable_until;
      }
    }
    if (identity.ok()) {
      status_.server_timeline = identity->timeline;
      status_.server_lsn = FormatLsn(identity->flush_lsn);
    }
    if (slot) {
      status_.received_lsn = FormatLsn(slot->restart_lsn);
      status_.lag_bytes = identity.ok() && identity->flush_lsn > slot->restart_lsn ? identity->flush_lsn - slot->restart_lsn : 0;
    }
  }
  last_upload_ = clock_.SteadyNow();
  if (plan->seal) {
    for (const auto& name : plan->remove_after_upload) fs::remove(WalDir(options) / name, ec);
    log_("info", "WAL group " + plan->group + " sealed (" + plan->seal_reason + ") after " +
                     std::to_string(plan->completed) + " completed segments");
    group_ = NextWalGroup(ListBuffer(options));
    uploaded_completed_ = 0;
    last_review_.reset();  // A sealed group changes the archive's end: review it on the next round.
  } else {
    group_ = plan->group;
    uploaded_completed_ = plan->completed;
  }
  return Status::Ok();
}

Status WalStreamer::Run(const WalStreamOptions& options) {
  if (Status valid = ValidateWalStreamOptions(options); !valid.ok()) return valid;
  ReplicationConnection server(runner_, options.pg);

  // Start-up: the repository and the server must answer; until they do, keep trying (a Pod that
  // exits would only be restarted with a growing back-off).
  std::chrono::milliseconds pause(1000);
  while (true) {
    Status prepared = Prepare(options, server);
    if (prepared.ok()) break;
    Fail("Starting the WAL streamer", prepared);
    Publish(options);
    if (cancellation_.Cancelled()) return prepared;
    sleep_(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(30000));
  }

  ReviewArchive(options);
  Publish(options);

  // The receiver runs in its own thread; this loop looks after it and uploads.
  std::atomic<bool> receiver_done{true};
  std::thread receiver;
  ProcessResult receiver_result;
  SteadyTime receiver_started{}, next_receiver_start = clock_.SteadyNow();
  std::chrono::milliseconds receiver_backoff(1000);
  SteadyTime next_upload_attempt = SteadyTime::min();  // After a failed upload: not before then.
  auto join_receiver = [&] {
    if (receiver.joinable()) receiver.join();
  };

  while (true) {
    const bool cancelled = cancellation_.Cancelled();
    if (receiver_done && receiver.joinable()) {  // pg_receivewal stopped: why?
      join_receiver();
      {
        std::lock_guard lock(mutex_);
        status_.receiving = false;
      }
      // pg_receivewal's last line is often only "disconnected": the cause is the line before.
      std::string error = LastLine(receiver_result.stderr_tail);
      if (auto cause = receiver_result.stderr_tail.find("ERROR:"); cause != std::string::npos) {
        error = LastLine(receiver_result.stderr_tail.substr(0, receiver_result.stderr_tail.find('\n', cause)));
      }
      if (!cancelled) {
        Fail("pg_receivewal " + receiver_result.Describe(), InternalError(error.empty() ? "no message" : error));
        if (receiver_result.stderr_tail.find("has already been removed") != std::string::npos) {
          // The server no longer has the WAL that continues the archive: a gap. Keep what is
          // uploaded, empty the buffer and start again where the slot stands.
          Upload(options, server, /*final=*/true);
          std::error_code ec;
          for (const auto& name : ListBuffer(options)) {
            auto parsed = ParseWalFileName(name);
            if (parsed && parsed->kind != WalFileKind::kHistory) fs::remove(WalDir(options) / name, ec);
          }
          group_.clear();
          uploaded_completed_ = 0;
          // pg_receivewal's first feedback may already have moved the slot back to the position
          // it asked for, which the server no longer has: a receiver started on that slot would
          // ask for it again, forever. A fresh slot starts where the server is now.
          slot_needs_reset_ = true;
          last_review_.reset();
          std::lock_guard lock(mutex_);
          status_.gaps++;
          // Until the review has the exact hole: the chain ends at the last upload.
          status_.gap_from_lsn = status_.last_uploaded_lsn.empty() ? "0/0" : status_.last_uploaded_lsn;
          status_.gap_to_lsn = "";
        }
        if (clock_.SteadyNow() - receiver_started > std::chrono::seconds(60)) receiver_backoff = std::chrono::milliseconds(1000);
        next_receiver_start = clock_.SteadyNow() + receiver_backoff;
        receiver_backoff = std::min(receiver_backoff * 2, std::chrono::milliseconds(30000));
      }
      Publish(options);
    }
    if (cancelled) break;

    if (receiver_done && clock_.SteadyNow() >= next_receiver_start) {
      Status slot = slot_needs_reset_ ? DropSlot(options) : Status::Ok();
      if (slot.ok()) {
        slot_needs_reset_ = false;
        slot = EnsureSlot(options, server);
      }
      if (!slot.ok()) {
        Fail("Checking replication slot " + options.slot, slot);
        next_receiver_start = clock_.SteadyNow() + receiver_backoff;
        receiver_backoff = std::min(receiver_backoff * 2, std::chrono::milliseconds(30000));
      } else {
        ProcessSpec spec;
        spec.argv = {Program(options, kPgReceiveWal), "--directory", WalDir(options).string(), "--slot", options.slot,
                     "--synchronous", "--no-loop", "--verbose"};
        auto conn = ConnectionArgs(options.pg);
        spec.argv.insert(spec.argv.end(), conn.begin(), conn.end());
        receiver_done = false;
        receiver_started = clock_.SteadyNow();
        {
          std::lock_guard lock(mutex_);
          status_.receiving = true;
          status_.receiver_restarts++;
        }
        receiver = std::thread([this, spec, &receiver_done, &receiver_result] {
          auto result = runner_.Run(spec, "", nullptr);
          receiver_result = result.ok() ? *result : ProcessResult{127, 0, result.status().message()};
          receiver_done = true;
        });
        log_("info", "pg_receivewal started (slot " + options.slot + ")");
        Publish(options);
      }
    }

    if (!last_review_ || clock_.SteadyNow() - *last_review_ >= options.archive_review_interval) {
      ReviewArchive(options);
      Publish(options);
    } else if (!last_publish_ || clock_.SteadyNow() - *last_publish_ >= kStatusHeartbeat) {
      Publish(options);  // A quiet streamer still says it is alive (the operator watches `updated`).
    }

    auto plan = PlanWalGroup(ListBuffer(options), group_, options.group_segments);
    const SteadyTime now = clock_.SteadyNow();
    const bool due = plan && (plan->seal || plan->group != group_ || plan->completed > uploaded_completed_ || !last_upload_ ||
                              now - *last_upload_ >= options.upload_interval);
    if (due && now >= next_upload_attempt) {
      Status uploaded = Upload(options, server, false);
      for (int again = 0; uploaded.code() == StatusCode::kAborted && again < 3; ++again) uploaded = Upload(options, server, false);
      if (!uploaded.ok()) {
        Fail("Uploading WAL", uploaded);
        next_upload_attempt = now + std::min<std::chrono::milliseconds>(options.upload_interval, std::chrono::seconds(10));
      } else {
        next_upload_attempt = SteadyTime::min();
        std::lock_guard lock(mutex_);
        status_.last_error.clear();
      }
      Publish(options);
      continue;  // A sealed group may leave the next one ready at once.
    }
    sleep_(options.tick);
  }

  // Stopping: pg_receivewal was asked to stop with the others; upload what it wrote last.
  join_receiver();
  Status last = Status::Ok();
  for (int round = 0; round < 64; ++round) {  // Every group left in the buffer (sealing moves on).
    std::string before = group_;
    last = Upload(options, server, /*final=*/true);
    if (!last.ok() || group_ == before) break;
  }
  if (!last.ok()) Fail("The last WAL upload before stopping", last);
  {
    std::lock_guard lock(mutex_);
    status_.receiving = false;
  }
  Publish(options);
  return last;
}

}  // namespace lifeboat::agent
