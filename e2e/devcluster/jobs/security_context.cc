#include "e2e/devcluster/jobs/security_context.h"

#include <algorithm>
#include <charconv>
#include <limits>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

constexpr int64_t kMaxUserId = std::numeric_limits<int32_t>::max();

std::optional<int64_t> IntField(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number_integer()) return std::nullopt;
  return object[key].get<int64_t>();
}

std::optional<bool> BoolField(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_boolean()) return std::nullopt;
  return object[key].get<bool>();
}

json ObjectField(const json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_object()) return json::object();
  return object[key];
}

std::optional<int64_t> ParseId(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

// The kubelet's format.Pod: "name_namespace(uid)", quoted as %q does.
std::string PodDescription(const json& pod) {
  const json metadata = ObjectField(pod, "metadata");
  return "\"" + metadata.value("name", "") + "_" + metadata.value("namespace", "") + "(" + metadata.value("uid", "") +
         ")\"";
}

}  // namespace

EffectiveSecurityContext DetermineEffectiveSecurityContext(const nlohmann::json& pod, const nlohmann::json& container) {
  const json pod_context = ObjectField(ObjectField(pod, "spec"), "securityContext");
  const json container_context = ObjectField(container, "securityContext");
  EffectiveSecurityContext context;
  context.run_as_user = IntField(container_context, "runAsUser");
  if (!context.run_as_user) context.run_as_user = IntField(pod_context, "runAsUser");
  context.run_as_group = IntField(container_context, "runAsGroup");
  if (!context.run_as_group) context.run_as_group = IntField(pod_context, "runAsGroup");
  context.run_as_non_root = BoolField(container_context, "runAsNonRoot");
  if (!context.run_as_non_root) context.run_as_non_root = BoolField(pod_context, "runAsNonRoot");
  context.fs_group = IntField(pod_context, "fsGroup");
  context.fs_group_change_policy = pod_context.value("fsGroupChangePolicy", "");
  if (pod_context.contains("supplementalGroups") && pod_context["supplementalGroups"].is_array()) {
    for (const json& g : pod_context["supplementalGroups"]) {
      if (g.is_number_integer()) context.supplemental_groups.push_back(g.get<int64_t>());
    }
  }
  return context;
}

ImageUser ParseImageUser(std::string_view user) {
  ImageUser parsed;
  if (user.empty()) {
    parsed.uid = 0;  // no USER: the kubelet treats the image as running as root
    return parsed;
  }
  const size_t colon = user.find(':');
  const std::string_view name = user.substr(0, colon);
  if (colon != std::string_view::npos) parsed.group = std::string(user.substr(colon + 1));
  parsed.uid = ParseId(name);
  if (!parsed.uid) parsed.name = std::string(name);
  return parsed;
}

Status VerifyRunAsNonRoot(const nlohmann::json& pod, const nlohmann::json& container, const ImageUser& image_user) {
  const EffectiveSecurityContext context = DetermineEffectiveSecurityContext(pod, container);
  if (!context.run_as_non_root.value_or(false)) return Status::Ok();
  const std::string where = " (pod: " + PodDescription(pod) + ", container: " + container.value("name", "") + ")";
  if (context.run_as_user) {
    if (*context.run_as_user == 0) return FailedPreconditionError("container's runAsUser breaks non-root policy" + where);
    return Status::Ok();
  }
  if (!image_user.uid && !image_user.name.empty()) {
    return FailedPreconditionError("container has runAsNonRoot and image has non-numeric user (" + image_user.name +
                                   "), cannot verify user is non-root" + where);
  }
  const int64_t uid = image_user.uid.value_or(0);
  if (uid == 0) return FailedPreconditionError("container has runAsNonRoot and image will run as root" + where);
  if (uid < 0 || uid > kMaxUserId) {
    return FailedPreconditionError("container has runAsNonRoot and image has an invalid user id (" + std::to_string(uid) +
                                   "). (Must be 1-(" + std::to_string(kMaxUserId) + ")): must be between 0 and " +
                                   std::to_string(kMaxUserId) + ", inclusive" + where);
  }
  return Status::Ok();
}

StatusOr<ProcessIdentity> ResolveProcessIdentity(const EffectiveSecurityContext& context, const ImageUser& image_user,
                                                 const UserDatabase& users) {
  constexpr const char* kPrefix = "failed to create containerd container: ";
  ProcessIdentity identity;
  std::optional<UserAccount> account;
  const bool image_identity = !context.run_as_user.has_value();
  if (!image_identity) {
    identity.uid = *context.run_as_user;
    account = users.UserById(identity.uid);
  } else if (image_user.uid) {
    identity.uid = *image_user.uid;
    account = users.UserById(identity.uid);
  } else {
    account = users.UserByName(image_user.name);
    if (!account) return FailedPreconditionError(std::string(kPrefix) + "no users found");
    identity.uid = account->uid;
  }

  if (context.run_as_group) {
    identity.gid = *context.run_as_group;
  } else if (image_identity && !image_user.group.empty()) {
    std::optional<int64_t> gid = ParseId(image_user.group);
    if (!gid) gid = users.GroupIdByName(image_user.group);
    if (!gid) return FailedPreconditionError(std::string(kPrefix) + "no groups found");
    identity.gid = *gid;
  } else {
    identity.gid = account ? account->gid : 0;
  }

  auto add_group = [&identity](int64_t gid) {
    if (std::find(identity.groups.begin(), identity.groups.end(), gid) == identity.groups.end()) {
      identity.groups.push_back(gid);
    }
  };
  add_group(identity.gid);
  if (account) {
    for (int64_t gid : users.SupplementaryGroups(account->name)) add_group(gid);
  }
  for (int64_t gid : context.supplemental_groups) add_group(gid);
  if (context.fs_group) add_group(*context.fs_group);
  identity.home = account && !account->home.empty() ? account->home : "/";
  return identity;
}

bool NeedsIdentityChange(const ProcessIdentity& identity) {
  return identity.uid != 0 || identity.gid != 0 || identity.groups != std::vector<int64_t>{0};
}

std::vector<std::string> DropPrivilegesPrefix(const ProcessIdentity& identity, const std::string& setpriv_path) {
  if (!NeedsIdentityChange(identity)) return {};
  std::string groups;
  for (size_t i = 0; i < identity.groups.size(); ++i) groups += (i ? "," : "") + std::to_string(identity.groups[i]);
  std::vector<std::string> prefix = {setpriv_path, "--reuid=" + std::to_string(identity.uid),
                                     "--regid=" + std::to_string(identity.gid)};
  prefix.push_back(groups.empty() ? "--clear-groups" : "--groups=" + groups);
  prefix.push_back("--");
  return prefix;
}

std::optional<int64_t> FsUserFrom(const nlohmann::json& pod) {
  const json spec = ObjectField(pod, "spec");
  std::optional<int64_t> fs_user;
  bool any = false;
  for (const char* list : {"initContainers", "containers", "ephemeralContainers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (const json& container : spec[list]) {
      const std::optional<int64_t> user = DetermineEffectiveSecurityContext(pod, container).run_as_user;
      if (!user || (any && fs_user != user)) return std::nullopt;
      fs_user = user;
      any = true;
    }
  }
  return fs_user;
}

}  // namespace lifeboat::devcluster
