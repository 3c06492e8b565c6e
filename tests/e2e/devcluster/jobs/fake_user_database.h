// FakeUserDatabase: an in-memory UserDatabase (an image's /etc/passwd and /etc/group) for tests.
// Thread-compatible: fill it before use.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "e2e/devcluster/jobs/security_context.h"

namespace lifeboat::devcluster {

class FakeUserDatabase : public UserDatabase {
 public:
  FakeUserDatabase& AddUser(UserAccount account, std::vector<int64_t> supplementary_groups = {}) {
    supplementary_[account.name] = std::move(supplementary_groups);
    users_.push_back(std::move(account));
    return *this;
  }
  FakeUserDatabase& AddGroup(const std::string& name, int64_t gid) {
    groups_[name] = gid;
    return *this;
  }

  std::optional<UserAccount> UserById(int64_t uid) const override {
    for (const UserAccount& u : users_) {
      if (u.uid == uid) return u;
    }
    return std::nullopt;
  }
  std::optional<UserAccount> UserByName(const std::string& name) const override {
    for (const UserAccount& u : users_) {
      if (u.name == name) return u;
    }
    return std::nullopt;
  }
  std::optional<int64_t> GroupIdByName(const std::string& name) const override {
    auto it = groups_.find(name);
    if (it == groups_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<int64_t> SupplementaryGroups(const std::string& user) const override {
    auto it = supplementary_.find(user);
    return it == supplementary_.end() ? std::vector<int64_t>{} : it->second;
  }

 private:
  std::vector<UserAccount> users_;
  std::map<std::string, int64_t> groups_;
  std::map<std::string, std::vector<int64_t>> supplementary_;
};

}  // namespace lifeboat::devcluster
