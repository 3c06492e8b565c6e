#include "operator/agent/file_access.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace lifeboat::agent {
namespace {

// The fields of a BackupPolicy and a RestoreRequest that say who a Job runs as (docs/api.md).
constexpr const char* kWhereToSetIt =
    ": set spec.media[].securityContext, name the volume's owner in spec.media[].workload, or set "
    "spec.podSettings.securityContext";

}  // namespace

ProcessUser CurrentProcessUser() {
  ProcessUser user;
  user.uid = ::geteuid();
  user.gid = ::getegid();
  const int n = ::getgroups(0, nullptr);
  if (n > 0) {
    std::vector<gid_t> groups(static_cast<std::size_t>(n));
    const int got = ::getgroups(n, groups.data());
    for (int i = 0; i < got; ++i) {
      if (groups[static_cast<std::size_t>(i)] != user.gid) user.groups.push_back(groups[static_cast<std::size_t>(i)]);
    }
  }
  return user;
}

std::string DescribeUser(const ProcessUser& user) {
  std::string text = "uid " + std::to_string(user.uid) + ", gid " + std::to_string(user.gid) + ", ";
  if (user.groups.empty()) return text + "no supplementary groups";
  text += "supplementary groups ";
  for (std::size_t i = 0; i < user.groups.size(); ++i) text += (i ? ", " : "") + std::to_string(user.groups[i]);
  return text;
}

std::optional<FileOwner> OwnerOf(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  return FileOwner{st.st_uid, st.st_gid, static_cast<std::uint32_t>(st.st_mode & 07777), S_ISDIR(st.st_mode)};
}

std::string DescribeOwner(const FileOwner& owner) {
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", owner.mode);
  return "uid " + std::to_string(owner.uid) + ", gid " + std::to_string(owner.gid) + ", mode " + mode;
}

void InaccessiblePaths::Add(const std::string& path, const std::optional<FileOwner>& owner) {
  ++count_;
  if (named_.size() < kNamed) named_.push_back({path, owner});
}

std::string InaccessiblePaths::Describe() const {
  std::string text;
  for (std::size_t i = 0; i < named_.size(); ++i) {
    const Entry& e = named_[i];
    text += (i ? ", " : "") + e.path + (e.owner && e.owner->directory ? "/" : "");
    if (e.owner) text += " (" + DescribeOwner(*e.owner) + ")";
  }
  if (count_ > named_.size()) text += " and " + std::to_string(count_ - named_.size()) + " more";
  return text;
}

std::optional<FileOwner> InaccessiblePaths::FirstOwner() const {
  for (const Entry& e : named_) {
    if (e.owner) return e.owner;
  }
  return std::nullopt;
}

std::string RunAsHint(const std::optional<FileOwner>& owner, bool write) {
  if (!owner) return "run the Job as a user that may " + std::string(write ? "write" : "read") + " them" + kWhereToSetIt;
  const std::string uid = std::to_string(owner->uid), gid = std::to_string(owner->gid);
  std::string hint = "run the Job as their owner (securityContext runAsUser: " + uid + ", runAsGroup: " + gid + ")";
  // The group's bits: read (and search, for a folder) to back up; write (and search) to restore.
  const std::uint32_t needed = (write ? 020 : 040) | (owner->directory ? 010 : 0);
  if ((owner->mode & needed) == needed) hint += " or with their group (securityContext supplementalGroups: [" + gid + "])";
  return hint + kWhereToSetIt;
}

}  // namespace lifeboat::agent
