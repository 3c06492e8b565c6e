#include "e2e/devcluster/jobs/host_user_database.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace lifeboat::devcluster {
namespace {

constexpr size_t kBufferSize = 16384;

std::optional<UserAccount> ToAccount(const struct passwd* entry) {
  if (!entry) return std::nullopt;
  return UserAccount{static_cast<int64_t>(entry->pw_uid), static_cast<int64_t>(entry->pw_gid),
                     entry->pw_name ? entry->pw_name : "", entry->pw_dir ? entry->pw_dir : ""};
}

}  // namespace

std::optional<UserAccount> HostUserDatabase::UserById(int64_t uid) const {
  if (uid < 0 || uid > static_cast<int64_t>(static_cast<uid_t>(-1))) return std::nullopt;
  struct passwd entry {};
  struct passwd* result = nullptr;
  std::string buffer(kBufferSize, '\0');
  if (getpwuid_r(static_cast<uid_t>(uid), &entry, buffer.data(), buffer.size(), &result) != 0) return std::nullopt;
  return ToAccount(result);
}

std::optional<UserAccount> HostUserDatabase::UserByName(const std::string& name) const {
  struct passwd entry {};
  struct passwd* result = nullptr;
  std::string buffer(kBufferSize, '\0');
  if (getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0) return std::nullopt;
  return ToAccount(result);
}

std::optional<int64_t> HostUserDatabase::GroupIdByName(const std::string& name) const {
  struct group entry {};
  struct group* result = nullptr;
  std::string buffer(kBufferSize, '\0');
  if (getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0 || !result) return std::nullopt;
  return static_cast<int64_t>(result->gr_gid);
}

std::vector<int64_t> HostUserDatabase::SupplementaryGroups(const std::string& user) const {
  std::optional<UserAccount> account = UserByName(user);
  if (!account) return {};
  std::vector<gid_t> groups(64);
  int count = static_cast<int>(groups.size());
  if (getgrouplist(user.c_str(), static_cast<gid_t>(account->gid), groups.data(), &count) < 0) {
    groups.resize(static_cast<size_t>(count));
    if (getgrouplist(user.c_str(), static_cast<gid_t>(account->gid), groups.data(), &count) < 0) return {};
  }
  std::vector<int64_t> out;
  for (int i = 0; i < count; ++i) {
    if (static_cast<int64_t>(groups[static_cast<size_t>(i)]) != account->gid) out.push_back(groups[static_cast<size_t>(i)]);
  }
  return out;
}

}  // namespace lifeboat::devcluster
