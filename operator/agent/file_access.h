// File access as the Job's user sees it: who the agent runs as, who owns a file it could not read
// or write, and the sentence that tells a person which user would succeed. On a real cluster every
// Job runs as a non-root user (the image's, 65532, unless a securityContext says otherwise), so a
// media volume owned by the application's user (www-data, uid 33, files 640, folders 750) is only
// readable with that user or group: the messages name the first paths, their owner and mode, the
// Job's user, and the securityContext fields that fix it (docs/api.md, "Running as the data's
// owner"). CurrentProcessUser and OwnerOf read the system; the rest is pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lifeboat::agent {

struct ProcessUser {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::vector<std::uint32_t> groups;  // Supplementary groups, without gid.
};

ProcessUser CurrentProcessUser();

// "uid 65532, gid 65532, no supplementary groups" / "..., supplementary groups 33, 1000".
std::string DescribeUser(const ProcessUser& user);

struct FileOwner {
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::uint32_t mode = 0;  // Permission bits (07777).
  bool directory = false;
};

// lstat's owner of `path`; nullopt when it cannot be stat'ed.
std::optional<FileOwner> OwnerOf(const std::string& path);

// "uid 33, gid 33, mode 0640".
std::string DescribeOwner(const FileOwner& owner);

// Paths the Job's user could not read or write: the first few by name, and how many in all.
class InaccessiblePaths {
 public:
  static constexpr std::size_t kNamed = 5;

  void Add(const std::string& path, const std::optional<FileOwner>& owner);
  std::uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // "a.jpg (uid 33, gid 33, mode 0640), b/ (uid 33, gid 33, mode 0750) and 10 more".
  std::string Describe() const;
  // The owner of the first path with a known owner.
  std::optional<FileOwner> FirstOwner() const;

 private:
  struct Entry {
    std::string path;
    std::optional<FileOwner> owner;
  };
  std::vector<Entry> named_;
  std::uint64_t count_ = 0;
};

// What would let `user` in: "run the Job as their owner (securityContext runAsUser: 33,
// runAsGroup: 33)" and, when the group may read (or write), "or with their group
// (securityContext supplementalGroups: [33])".
std::string RunAsHint(const std::optional<FileOwner>& owner, bool write);

}  // namespace lifeboat::agent
