#include "operator/kube/object_cache.h"

#include "operator/kube/api_client.h"

namespace lifeboat::kube {

void StripForCache(nlohmann::json& object) {
  auto metadata = object.find("metadata");
  if (metadata == object.end() || !metadata->is_object()) return;
  metadata->erase("managedFields");
  auto annotations = metadata->find("annotations");
  if (annotations != metadata->end() && annotations->is_object()) {
    annotations->erase("kubectl.kubernetes.io/last-applied-configuration");
    if (annotations->empty()) metadata->erase("annotations");
  }
}

ObjectCache::ObjectCache(Projection projection) : projection_(std::move(projection)) {}

void ObjectCache::Prepare(nlohmann::json& object) const {
  StripForCache(object);
  if (projection_) projection_(object);
}

nlohmann::json ObjectCache::Unpack(const Entry& entry) { return nlohmann::json::from_msgpack(entry.packed); }

void ObjectCache::IndexLocked(const std::string& key, const Entry& entry) {
  by_namespace_[entry.ns].insert(key);
  for (const auto& uid : entry.owner_uids) by_owner_[uid].insert(key);
}

void ObjectCache::UnindexLocked(const std::string& key, const Entry& entry) {
  if (auto it = by_namespace_.find(entry.ns); it != by_namespace_.end()) {
    it->second.erase(key);
    if (it->second.empty()) by_namespace_.erase(it);
  }
  for (const auto& uid : entry.owner_uids) {
    if (auto it = by_owner_.find(uid); it != by_owner_.end()) {
      it->second.erase(key);
      if (it->second.empty()) by_owner_.erase(it);
    }
  }
}

std::optional<nlohmann::json> ObjectCache::Get(const ObjectKey& key) const { return Get(key.ToString()); }

std::optional<nlohmann::json> ObjectCache::Get(std::string_view key) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return Unpack(it->second);
}

std::vector<nlohmann::json> ObjectCache::List(std::string_view ns) const {
  std::shared_lock lock(mutex_);
  std::vector<nlohmann::json> out;
  if (ns.empty()) {
    out.reserve(entries_.size());
    for (const auto& [key, entry] : entries_) out.push_back(Unpack(entry));
    return out;
  }
  auto it = by_namespace_.find(ns);
  if (it == by_namespace_.end()) return out;
  for (const auto& key : it->second) out.push_back(Unpack(entries_.find(key)->second));
  return out;
}

std::vector<nlohmann::json> ObjectCache::ListByOwner(std::string_view owner_uid) const {
  std::shared_lock lock(mutex_);
  std::vector<nlohmann::json> out;
  auto it = by_owner_.find(owner_uid);
  if (it == by_owner_.end()) return out;
  for (const auto& key : it->second) out.push_back(Unpack(entries_.find(key)->second));
  return out;
}

std::vector<std::string> ObjectCache::Keys() const {
  std::shared_lock lock(mutex_);
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back(key);
  return out;
}

size_t ObjectCache::Size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

std::optional<CacheChange> ObjectCache::UpsertLocked(const std::string& key, nlohmann::json object) {
  Entry entry;
  entry.ns = ObjectNamespace(object);
  entry.resource_version = ObjectResourceVersion(object);
  if (auto metadata = object.find("metadata"); metadata != object.end() && metadata->is_object()) {
    if (auto refs = metadata->find("ownerReferences"); refs != metadata->end() && refs->is_array()) {
      for (const auto& ref : *refs) {
        if (ref.is_object() && ref.contains("uid") && ref["uid"].is_string()) {
          entry.owner_uids.push_back(ref["uid"].get<std::string>());
        }
      }
    }
  }
  entry.packed = nlohmann::json::to_msgpack(object);
  entry.packed.shrink_to_fit();
  auto it = entries_.find(key);
  CacheChange change;
  change.object = std::move(object);
  if (it == entries_.end()) {
    change.type = CacheChange::Type::kAdded;
    IndexLocked(key, entry);
    entries_.emplace(key, std::move(entry));
    return change;
  }
  if (!entry.resource_version.empty() && it->second.resource_version == entry.resource_version) return std::nullopt;
  change.type = CacheChange::Type::kUpdated;
  change.old = Unpack(it->second);
  UnindexLocked(key, it->second);
  IndexLocked(key, entry);
  it->second = std::move(entry);
  return change;
}

std::optional<CacheChange> ObjectCache::Upsert(nlohmann::json object) {
  Prepare(object);
  std::string key = KeyOf(object).ToString();
  std::unique_lock lock(mutex_);
  return UpsertLocked(key, std::move(object));
}

std::optional<CacheChange> ObjectCache::Remove(const ObjectKey& key) {
  std::string text = key.ToString();
  std::unique_lock lock(mutex_);
  auto it = entries_.find(text);
  if (it == entries_.end()) return std::nullopt;
  CacheChange change{CacheChange::Type::kDeleted, Unpack(it->second), std::nullopt};
  UnindexLocked(text, it->second);
  entries_.erase(it);
  return change;
}

std::vector<CacheChange> ObjectCache::Replace(std::vector<nlohmann::json> objects) {
  std::vector<std::pair<std::string, nlohmann::json>> prepared;
  prepared.reserve(objects.size());
  for (auto& object : objects) {
    Prepare(object);
    std::string key = KeyOf(object).ToString();
    prepared.emplace_back(std::move(key), std::move(object));
  }
  std::vector<CacheChange> changes;
  std::unique_lock lock(mutex_);
  std::set<std::string> seen;
  for (auto& [key, object] : prepared) {
    seen.insert(key);
    if (auto change = UpsertLocked(key, std::move(object))) changes.push_back(std::move(*change));
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (seen.count(it->first) == 0) {
      changes.push_back(CacheChange{CacheChange::Type::kDeleted, Unpack(it->second), std::nullopt});
      UnindexLocked(it->first, it->second);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return changes;
}

}  // namespace lifeboat::kube
