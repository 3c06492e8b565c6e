// Security context: who a container's process is, as the kubelet and containerd decide it.
//
//   DetermineEffectiveSecurityContext  the pod's and the container's securityContext merged (the
//                                      container's runAsUser/runAsGroup/runAsNonRoot win;
//                                      fsGroup, fsGroupChangePolicy and supplementalGroups are the
//                                      pod's)
//   ParseImageUser                     the image's USER as the runtime reports it to the kubelet
//   VerifyRunAsNonRoot                 the kubelet's runAsNonRoot check, with its messages
//   ResolveProcessIdentity             uid, gid, supplementary groups and HOME, as containerd
//                                      resolves them against the image's /etc/passwd and
//                                      /etc/group (here: the sandbox's, i.e. the host's, through
//                                      a UserDatabase)
//   DropPrivilegesPrefix               `setpriv --reuid U --regid G --groups ... --` (util-linux)
//                                      that turns the sandbox's root into that identity
//   FsUserFrom                         the kubelet's FsUser (the runAsUser every container shares)
//
// Other securityContext fields (capabilities, readOnlyRootFilesystem, seccomp, ...) are not
// applied. Pure functions (the account database is injected); thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

struct EffectiveSecurityContext {
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  std::optional<bool> run_as_non_root;
  std::optional<int64_t> fs_group;
  std::string fs_group_change_policy;  // "OnRootMismatch", "Always" or "" (Always)
  std::vector<int64_t> supplemental_groups;
};

EffectiveSecurityContext DetermineEffectiveSecurityContext(const nlohmann::json& pod, const nlohmann::json& container);

// An image's USER ("65532", "65532:65532", "postgres:staff", ""), split as containerd reports it
// to the kubelet: a numeric uid, else a user name; an empty USER means root (uid 0). The group
// part is kept (`group`) for ResolveProcessIdentity.
struct ImageUser {
  std::optional<int64_t> uid;
  std::string name;
  std::string group;  // "" when USER names no group
  friend bool operator==(const ImageUser&, const ImageUser&) = default;
};

ImageUser ParseImageUser(std::string_view user);

// The kubelet's verifyRunAsNonRoot: Ok unless the effective runAsNonRoot is true and the
// container would run as root, or the kubelet cannot tell. FailedPrecondition with the kubelet's
// message otherwise (the container then waits with CreateContainerConfigError):
//   container's runAsUser breaks non-root policy (pod: "NAME_NS(UID)", container: C)
//   container has runAsNonRoot and image will run as root (pod: "NAME_NS(UID)", container: C)
//   container has runAsNonRoot and image has non-numeric user (USER), cannot verify user is non-root (pod: ..., container: C)
//   container has runAsNonRoot and image has an invalid user id (N). (Must be 1-(2147483647)): ... (pod: ..., container: C)
Status VerifyRunAsNonRoot(const nlohmann::json& pod, const nlohmann::json& container, const ImageUser& image_user);

// An entry of the sandbox's /etc/passwd.
struct UserAccount {
  int64_t uid = 0;
  int64_t gid = 0;
  std::string name;
  std::string home;
};

// The account database container processes see (the image's /etc/passwd and /etc/group; in the
// devcluster the host's, since the sandbox binds the host's /etc). Implementations must be
// thread-safe.
class UserDatabase {
 public:
  virtual ~UserDatabase() = default;
  virtual std::optional<UserAccount> UserById(int64_t uid) const = 0;
  virtual std::optional<UserAccount> UserByName(const std::string& name) const = 0;
  virtual std::optional<int64_t> GroupIdByName(const std::string& name) const = 0;
  // The groups whose member list names `user` (its supplementary groups in /etc/group).
  virtual std::vector<int64_t> SupplementaryGroups(const std::string& user) const = 0;
};

// The identity of a container's process.
struct ProcessIdentity {
  int64_t uid = 0;
  int64_t gid = 0;
  std::vector<int64_t> groups;  // supplementary groups; the primary group first
  std::string home;             // HOME unless the container sets it
  friend bool operator==(const ProcessIdentity&, const ProcessIdentity&) = default;
};

// As the kubelet and containerd decide it:
// - the user is runAsUser, else the image's USER (a name is looked up in `users`);
// - the group is runAsGroup, else the image's group when the user is the image's (a name is looked
//   up), else the primary group of the user's /etc/passwd entry, else 0 (root's group, as
//   containerd gives a uid without an entry);
// - the supplementary groups are the primary group, the user's groups in /etc/group, then the
//   pod's supplementalGroups and fsGroup (duplicates dropped);
// - HOME is the entry's home directory, else "/".
// FailedPrecondition with containerd's message ("failed to create containerd container: no users
// found" / "no groups found") when a name is unknown; the kubelet reports it as
// CreateContainerError.
StatusOr<ProcessIdentity> ResolveProcessIdentity(const EffectiveSecurityContext& context, const ImageUser& image_user,
                                                 const UserDatabase& users);

// Whether the process must leave the sandbox's plain root identity (uid 0, gid 0, no other group).
bool NeedsIdentityChange(const ProcessIdentity& identity);

// [setpriv, --reuid=U, --regid=G, --groups=G,..., --] when NeedsIdentityChange; empty otherwise.
std::vector<std::string> DropPrivilegesPrefix(const ProcessIdentity& identity, const std::string& setpriv_path);

// The kubelet's FsUser for projected service account tokens: the runAsUser (from securityContext
// only) that every init and app container of the pod shares; nullopt when one has none or two
// differ.
std::optional<int64_t> FsUserFrom(const nlohmann::json& pod);

}  // namespace lifeboat::devcluster
