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

void ObjectCache::Shape(nlohmann::json& object) const {
  StripForCache(object);
  if (projection_) projection_(object);
}

ObjectCache::Entry ObjectCache::MakeEntry(const nlohmann::json& object) {
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
  return entry;
}

ObjectCache::Prepared ObjectCache::Prepare(nlohmann::json object) const {
  Shape(object);
  Prepared prepared;
  prepared.key = KeyOf(object).ToString();
  prepared.entry = MakeEntry(object);
  return prepared;
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

ObjectCache::Outcome ObjectCache::StoreLocked(const std::string& key, Entry entry,
                                              std::vector<std::uint8_t>* old_packed) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    IndexLocked(key, entry);
    entries_.emplace(key, std::move(entry));
    return Outcome::kAdded;
  }
  if (!entry.resource_version.empty() && it->second.resource_version == entry.resource_version) {
    return Outcome::kUnchanged;
  }
  UnindexLocked(key, it->second);
  IndexLocked(key, entry);
  if (old_packed != nullptr) *old_packed = std::move(it->second.packed);
  it->second = std::move(entry);
  return Outcome::kUpdated;
}

std::optional<CacheChange> ObjectCache::Upsert(nlohmann::json object) {
  Shape(object);
  std::string key = KeyOf(object).ToString();
  Entry entry = MakeEntry(object);
  std::vector<std::uint8_t> old_packed;
  Outcome outcome;
  {
    std::unique_lock lock(mutex_);
    outcome = StoreLocked(key, std::move(entry), &old_packed);
  }
  if (outcome == Outcome::kUnchanged) return std::nullopt;
  CacheChange change{outcome == Outcome::kAdded ? CacheChange::Type::kAdded : CacheChange::Type::kUpdated,
                     std::move(object), std::nullopt};
  if (outcome == Outcome::kUpdated) change.old = Decode(old_packed);
  return change;
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

std::vector<ObjectCache::KeyChange> ObjectCache::ReplacePrepared(std::vector<Prepared> objects) {
  std::vector<KeyChange> changes;
  std::unique_lock lock(mutex_);
  std::set<std::string, std::less<>> seen;
  for (auto& prepared : objects) {
    seen.insert(prepared.key);
    KeyChange change;
    Outcome outcome = StoreLocked(prepared.key, std::move(prepared.entry), &change.old_packed);
    if (outcome == Outcome::kUnchanged) continue;
    change.type = outcome == Outcome::kAdded ? CacheChange::Type::kAdded : CacheChange::Type::kUpdated;
    change.key = std::move(prepared.key);
    changes.push_back(std::move(change));
  }
  objects.clear();
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (seen.count(it->first) == 0) {
      UnindexLocked(it->first, it->second);
      changes.push_back(KeyChange{CacheChange::Type::kDeleted, it->first, std::move(it->second.packed)});
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return changes;
}

std::vector<CacheChange> ObjectCache::Replace(std::vector<nlohmann::json> objects) {
  std::vector<Prepared> prepared;
  prepared.reserve(objects.size());
  for (auto& object : objects) prepared.push_back(Prepare(std::move(object)));
  std::vector<CacheChange> changes;
  for (auto& change : ReplacePrepared(std::move(prepared))) {
    CacheChange out;
    out.type = change.type;
    if (change.type == CacheChange::Type::kDeleted) {
      out.object = Decode(change.old_packed);
    } else {
      out.object = *Get(change.key);
      if (change.type == CacheChange::Type::kUpdated) out.old = Decode(change.old_packed);
    }
    changes.push_back(std::move(out));
  }
  return changes;
}

}  // namespace lifeboat::kube
