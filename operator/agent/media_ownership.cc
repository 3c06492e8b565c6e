#include "operator/agent/media_ownership.h"

#include <unistd.h>

#include <set>

namespace lifeboat::agent {
namespace {

std::string OwnerText(std::uint32_t uid, std::uint32_t gid) {
  return "uid " + std::to_string(uid) + ", gid " + std::to_string(gid);
}

// Gives `path` the owner; true when it has it afterwards.
bool GiveTo(const std::string& path, std::uint32_t uid, std::uint32_t gid) {
  auto current = OwnerOf(path);
  if (!current) return false;
  if (current->uid == uid && current->gid == gid) return true;
  return ::lchown(path.c_str(), uid, gid) == 0;
}

// The folders between `target` and each file (and `target` itself): what `chown -R` also changes.
std::set<std::string> FoldersOf(const std::vector<MediaFile>& files) {
  std::set<std::string> folders{""};
  for (const MediaFile& f : files) {
    for (auto slash = f.path.find('/'); slash != std::string::npos; slash = f.path.find('/', slash + 1)) {
      folders.insert(f.path.substr(0, slash));
    }
  }
  return folders;
}

std::string Why(const OwnershipOutcome& out, const std::string& first, std::uint32_t uid, std::uint32_t gid,
                const ProcessUser& user) {
  return std::to_string(out.not_restored) + " of " + std::to_string(out.files_checked) +
         " restored files could not be given to their owner (first: " + first + " should be " + OwnerText(uid, gid) +
         "): the restore ran as " + DescribeUser(user) +
         ", which may not give files to another user. Set the media target's owner {uid: " + std::to_string(uid) +
         ", gid: " + std::to_string(gid) + "} (the Job then runs as that user), or its securityContext runAsUser: " +
         std::to_string(uid) + ", runAsGroup: " + std::to_string(gid);
}

}  // namespace

OwnershipOutcome RestoreOwnership(const std::string& target, const std::vector<MediaFile>& files,
                                  const std::optional<MediaFileOwner>& owner, const ProcessUser& user) {
  OwnershipOutcome out;
  std::string first;
  std::uint32_t first_uid = 0, first_gid = 0;
  for (const MediaFile& f : files) {
    const std::optional<MediaFileOwner>& wanted = owner ? owner : f.owner;
    if (!wanted) continue;
    ++out.files_checked;
    if (GiveTo(target + "/" + f.path, wanted->uid, wanted->gid)) continue;
    if (out.not_restored++ == 0) {
      first = f.path;
      first_uid = wanted->uid;
      first_gid = wanted->gid;
    }
  }
  if (owner) {
    // Folders are not counted: a file the application cannot reach is counted already.
    for (const std::string& folder : FoldersOf(files)) GiveTo(folder.empty() ? target : target + "/" + folder, owner->uid, owner->gid);
  }
  if (out.not_restored > 0) out.message = Why(out, first, first_uid, first_gid, user);
  return out;
}

StatusOr<MediaFileOwner> ParseMediaOwner(const std::string& text) {
  auto number = [](const std::string& s) -> std::optional<std::uint32_t> {
    if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const unsigned long long v = std::stoull(s);
    if (v > 0xFFFFFFFEULL) return std::nullopt;
    return static_cast<std::uint32_t>(v);
  };
  const auto colon = text.find(':');
  const auto uid = number(text.substr(0, colon));
  const auto gid = colon == std::string::npos ? uid : number(text.substr(colon + 1));
  if (!uid || !gid) return InvalidArgumentError("--media-owner \"" + text + "\": expected UID:GID (numbers)");
  return MediaFileOwner{*uid, *gid, 0};
}

}  // namespace lifeboat::agent
