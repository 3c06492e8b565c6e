#include "operator/agent/snapshot_tags.h"

namespace lifeboat::agent {

Status ValidateTagName(const std::string& what, const std::string& value) {
  if (value.empty() || value.size() > 128) {
    return InvalidArgumentError(what + " must be 1 to 128 characters, got \"" + value + "\"");
  }
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return InvalidArgumentError(what + " may only contain letters, digits, '.', '_' and '-', got \"" + value + "\"");
  }
  return Status::Ok();
}

std::string Tag(const char* key, const std::string& value) { return std::string(key) + "=" + value; }

std::vector<std::string> RunTags(const std::string& backup_id, const std::string& policy, const std::string& kind,
                                 const char* role, const std::string& source) {
  std::vector<std::string> tags{kTagLifeboat, Tag(kTagBackup, backup_id), Tag(kTagPolicy, policy), Tag(kTagKind, kind),
                                Tag(kTagRole, role)};
  if (!source.empty()) tags.push_back(Tag(kTagSource, source));
  return tags;
}

}  // namespace lifeboat::agent
