// StoreLog: the durable form of the devcluster store under `<data-dir>/store/`:
//   snapshot.jsonl  line 1 {"resourceVersion":N}, then one {"k":<storage key>,"o":<object>} per
//                   object; written to snapshot.jsonl.tmp, fsynced, renamed (atomic replace).
//   wal.jsonl       one record per committed change since the snapshot:
//                   {"rv":N,"k":<storage key>,"op":"put","o":<object>} or
//                   {"rv":N,"k":<storage key>,"op":"del","ns":<namespace>,"n":<name>}
// Appends use write(2) on an O_APPEND descriptor before a change becomes visible, so a crash of the
// process loses nothing; the log is fdatasync'ed when the last sync is older than the configured
// interval, on Compact() and on Close(), so a crash of the machine loses at most that interval.
// Recovery ignores a torn final line; any other malformed line is an error.
// Thread-compatible: the ObjectStore calls it under its write lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

class StoreLog {
 public:
  struct Recovered {
    uint64_t resource_version = 0;
    size_t log_records = 0;  // records replayed from wal.jsonl
  };
  // Called for each object put (key, object) and delete (key, namespace, name), in order.
  using PutFn = std::function<void(const std::string& storage_key, nlohmann::json object)>;
  using DeleteFn = std::function<void(const std::string& storage_key, const std::string& namespace_name,
                                      const std::string& name)>;

  StoreLog(std::filesystem::path dir, std::chrono::milliseconds fsync_interval);
  ~StoreLog();
  StoreLog(const StoreLog&) = delete;
  StoreLog& operator=(const StoreLog&) = delete;

  // Creates the directory if needed, replays snapshot then log, and opens the log for appending.
  StatusOr<Recovered> Recover(const PutFn& put, const DeleteFn& remove);

  Status AppendPut(uint64_t rv, const std::string& storage_key, const nlohmann::json& object);
  Status AppendDelete(uint64_t rv, const std::string& storage_key, const std::string& namespace_name,
                      const std::string& name);
  size_t RecordsSinceSnapshot() const { return records_; }

  // Writes a new snapshot (every object via `for_each`, which calls its argument once per object)
  // and empties the log.
  using ObjectVisitor = std::function<void(const std::string& storage_key, const nlohmann::json& object)>;
  Status Compact(uint64_t resource_version, const std::function<void(const ObjectVisitor&)>& for_each);

  // fdatasyncs the log.
  Status Sync();
  Status Close();

 private:
  Status AppendLine(std::string line);

  std::filesystem::path dir_;
  std::chrono::milliseconds fsync_interval_;
  int fd_ = -1;
  size_t records_ = 0;
  std::chrono::steady_clock::time_point last_sync_;
};

}  // namespace lifeboat::devcluster
