#include "e2e/devcluster/store/store_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace lifeboat::devcluster {
namespace {

constexpr const char* kSnapshot = "snapshot.jsonl";
constexpr const char* kSnapshotTmp = "snapshot.jsonl.tmp";
constexpr const char* kWal = "wal.jsonl";

Status ErrnoStatus(const std::string& what) { return InternalError(what + ": " + std::strerror(errno)); }

Status WriteAll(int fd, const std::string& data, const std::string& what) {
  size_t written = 0;
  while (written < data.size()) {
    ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(what);
    }
    written += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status SyncDir(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus("open " + dir.string());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync " + dir.string());
  return Status::Ok();
}

}  // namespace

StoreLog::StoreLog(std::filesystem::path dir, std::chrono::milliseconds fsync_interval)
    : dir_(std::move(dir)), fsync_interval_(fsync_interval), last_sync_(std::chrono::steady_clock::now()) {}

StoreLog::~StoreLog() { (void)Close(); }

StatusOr<StoreLog::Recovered> StoreLog::Recover(const PutFn& put, const DeleteFn& remove) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return InternalError("cannot create " + dir_.string() + ": " + ec.message());
  Recovered recovered;
  std::filesystem::remove(dir_ / kSnapshotTmp, ec);
  if (std::filesystem::exists(dir_ / kSnapshot)) {
    std::ifstream in(dir_ / kSnapshot);
    if (!in) return InternalError("cannot read " + (dir_ / kSnapshot).string());
    std::string line;
    size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty()) continue;
      nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
      if (record.is_discarded() || !record.is_object())
        return InternalError("corrupt store snapshot " + (dir_ / kSnapshot).string() + " at line " +
                             std::to_string(number));
      if (number == 1) {
        recovered.resource_version = record.value("resourceVersion", uint64_t{0});
        continue;
      }
      put(record.value("k", ""), std::move(record["o"]));
    }
  }
  if (std::filesystem::exists(dir_ / kWal)) {
    std::ifstream in(dir_ / kWal, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t start = 0, number = 0;
    size_t valid_end = 0;
    while (start < content.size()) {
      size_t end = content.find('\n', start);
      bool last = end == std::string::npos;
      std::string line = content.substr(start, last ? std::string::npos : end - start);
      ++number;
      nlohmann::json record = nlohmann::json::parse(line, nullptr, false);
      if (record.is_discarded() || !record.is_object()) {
        if (last) break;  // a torn final write: the change was never acknowledged
        return InternalError("corrupt store log " + (dir_ / kWal).string() + " at line " + std::to_string(number));
      }
      uint64_t rv = record.value("rv", uint64_t{0});
      recovered.resource_version = std::max(recovered.resource_version, rv);
      if (record.value("op", "") == "put") {
        put(record.value("k", ""), std::move(record["o"]));
      } else {
        remove(record.value("k", ""), record.value("ns", ""), record.value("n", ""));
      }
      ++recovered.log_records;
      if (last) {
        valid_end = content.size();
        break;
      }
      start = end + 1;
      valid_end = start;
    }
    if (valid_end < content.size()) {
      // Drop the torn tail so later appends start on a fresh line.
      if (::truncate((dir_ / kWal).c_str(), static_cast<off_t>(valid_end)) != 0)
        return ErrnoStatus("truncate " + (dir_ / kWal).string());
    } else if (!content.empty() && content.back() != '\n') {
      std::ofstream out(dir_ / kWal, std::ios::app);
      out << '\n';
    }
  }
  fd_ = ::open((dir_ / kWal).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return ErrnoStatus("open " + (dir_ / kWal).string());
  records_ = recovered.log_records;
  return recovered;
}

Status StoreLog::AppendLine(std::string line) {
  if (fd_ < 0) return FailedPreconditionError("store log is not open");
  line += '\n';
  LIFEBOAT_RETURN_IF_ERROR(WriteAll(fd_, line, "append to store log"));
  ++records_;
  auto now = std::chrono::steady_clock::now();
  if (now - last_sync_ >= fsync_interval_) return Sync();
  return Status::Ok();
}

Status StoreLog::AppendPut(uint64_t rv, const std::string& storage_key, const nlohmann::json& object) {
  std::string line = "{\"rv\":" + std::to_string(rv) + ",\"k\":" + nlohmann::json(storage_key).dump() +
                     ",\"op\":\"put\",\"o\":" + object.dump() + "}";
  return AppendLine(std::move(line));
}

Status StoreLog::AppendDelete(uint64_t rv, const std::string& storage_key, const std::string& namespace_name,
                              const std::string& name) {
  nlohmann::json record = {{"rv", rv}, {"k", storage_key}, {"op", "del"}, {"ns", namespace_name}, {"n", name}};
  return AppendLine(record.dump());
}

Status StoreLog::Compact(uint64_t resource_version,
                         const std::function<void(const ObjectVisitor&)>& for_each) {
  const std::filesystem::path tmp = dir_ / kSnapshotTmp;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open " + tmp.string());
  std::string buffer = nlohmann::json{{"resourceVersion", resource_version}}.dump() + "\n";
  Status status;
  for_each([&](const std::string& key, const nlohmann::json& object) {
    buffer += "{\"k\":" + nlohmann::json(key).dump() + ",\"o\":" + object.dump() + "}\n";
    if (buffer.size() > (1 << 20) && status.ok()) {
      status = WriteAll(fd, buffer, "write store snapshot");
      buffer.clear();
    }
  });
  if (status.ok()) status = WriteAll(fd, buffer, "write store snapshot");
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus("fsync store snapshot");
  ::close(fd);
  LIFEBOAT_RETURN_IF_ERROR(status);
  if (::rename(tmp.c_str(), (dir_ / kSnapshot).c_str()) != 0) return ErrnoStatus("rename store snapshot");
  LIFEBOAT_RETURN_IF_ERROR(SyncDir(dir_));
  // The snapshot now holds everything the log held: start an empty log.
  if (fd_ >= 0 && ::ftruncate(fd_, 0) != 0) return ErrnoStatus("truncate store log");
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync store log");
  records_ = 0;
  last_sync_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status StoreLog::Sync() {
  if (fd_ < 0) return Status::Ok();
  if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync store log");
  last_sync_ = std::chrono::steady_clock::now();
  return Status::Ok();
}

Status StoreLog::Close() {
  if (fd_ < 0) return Status::Ok();
  Status status = Sync();
  ::close(fd_);
  fd_ = -1;
  return status;
}

}  // namespace lifeboat::devcluster
