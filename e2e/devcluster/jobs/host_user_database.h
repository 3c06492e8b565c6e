// HostUserDatabase: the UserDatabase of the devcluster's sandboxes, which bind the host's /etc:
// the host's accounts (getpwuid_r, getpwnam_r, getgrnam_r, getgrouplist through NSS) stand for
// the image's /etc/passwd and /etc/group. Thread-safe.
#pragma once

#include "e2e/devcluster/jobs/security_context.h"

namespace lifeboat::devcluster {

class HostUserDatabase : public UserDatabase {
 public:
  std::optional<UserAccount> UserById(int64_t uid) const override;
  std::optional<UserAccount> UserByName(const std::string& name) const override;
  std::optional<int64_t> GroupIdByName(const std::string& name) const override;
  std::vector<int64_t> SupplementaryGroups(const std::string& user) const override;
};

}  // namespace lifeboat::devcluster
