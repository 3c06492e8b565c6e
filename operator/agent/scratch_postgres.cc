#include "operator/agent/scratch_postgres.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "operator/agent/external_programs.h"

namespace lifeboat::agent {
namespace {

std::string MajorOf(const std::string& server_version) {
  std::string major;
  for (char c : server_version) {
    if (c < '0' || c > '9') break;
    major += c;
  }
  return major;
}

}  // namespace

StatusOr<std::string> ServerBinDir(const std::string& server_version, const std::string& root) {
  const std::string major = MajorOf(server_version);
  if (major.empty()) {
    return InvalidArgumentError("the backup's manifest records no PostgreSQL server version (\"" + server_version +
                                "\"), so the drill cannot choose a server to restore into");
  }
  const std::string dir = root + "/" + major + "/bin";
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/postgres", ec)) {
    std::string installed;
    for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
      if (std::filesystem::exists(entry.path() / "bin" / "postgres", ec)) {
        installed += (installed.empty() ? "" : ", ") + entry.path().filename().string();
      }
    }
    return FailedPreconditionError("the backup was taken from PostgreSQL " + server_version + " but this image has no " +
                                   "PostgreSQL " + major + " server (" + dir + "; installed: " +
                                   (installed.empty() ? "none" : installed) + ")");
  }
  return dir;
}

ScratchPostgres::ScratchPostgres(ProcessRunner& runner, std::string bin_dir, std::string dir, LogSink log)
    : runner_(runner), bin_dir_(std::move(bin_dir)), dir_(std::move(dir)), log_(std::move(log)) {}

ScratchPostgres::~ScratchPostgres() { Stop(); }

std::string ScratchPostgres::LogTail() const {
  std::ifstream in(dir_ + "/server.log");
  std::string line, tail;
  std::vector<std::string> lines;
  while (std::getline(in, line)) lines.push_back(line);
  for (std::size_t i = lines.size() > 5 ? lines.size() - 5 : 0; i < lines.size(); ++i) tail += lines[i] + "\n";
  return tail;
}

Status ScratchPostgres::Start() {
  std::error_code ec;
  std::filesystem::create_directories(dir_ + "/socket", ec);
  if (ec) return FailedPreconditionError("cannot create the scratch server's folder " + dir_ + ": " + ec.message());
  ProcessSpec initdb;
  initdb.argv = {bin_dir_ + "/" + kInitdb, "-D", dir_ + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C", "--no-sync"};
  auto made = runner_.Run(initdb, "", nullptr);
  if (!made.ok()) return made.status();
  if (!made->Succeeded()) {
    return FailedPreconditionError("initdb of the scratch server in " + dir_ + " " + made->Describe() + ": " + made->stderr_tail);
  }
  ProcessSpec start;
  start.argv = {bin_dir_ + "/" + kPgCtl, "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w", "-t", "60", "-o",
                "-c listen_addresses='' -k " + dir_ + "/socket -p 5432 -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_wal_size=4GB -c checkpoint_timeout=1h -c autovacuum=off",
                "start"};
  auto started = runner_.Run(start, "", nullptr);
  if (!started.ok()) return started.status();
  if (!started->Succeeded()) {
    return FailedPreconditionError("the scratch server did not start " + started->Describe() + ": " + LogTail());
  }
  running_ = true;
  if (log_) log_("info", "Scratch PostgreSQL started dir=" + dir_ + " bin=" + bin_dir_);
  return Status::Ok();
}

void ScratchPostgres::Stop() {
  if (!running_) return;
  running_ = false;
  ProcessSpec stop;
  stop.argv = {bin_dir_ + "/" + kPgCtl, "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"};
  auto stopped = runner_.Run(stop, "", nullptr);
  if (log_ && (!stopped.ok() || !stopped->Succeeded())) log_("warn", "Scratch PostgreSQL did not stop cleanly dir=" + dir_);
}

PgConnectionConfig ScratchPostgres::Connection() const { return {dir_ + "/socket", "5432", "postgres", "disable"}; }

}  // namespace lifeboat::agent
