// ObjectCache: the informer's thread-safe store of the objects of one resource, keyed by
// "namespace/name", with indexes by namespace and by owner UID (metadata.ownerReferences[].uid).
// It keeps only what controllers read: metadata.managedFields and kubectl's last-applied-
// configuration annotation are always dropped, and a Projection can drop more (e.g. everything but
// the fields a controller reads). Objects are stored compactly (MessagePack) and decoded on read.
// All methods are thread-safe; returned objects are copies.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "operator/kube/resource.h"

namespace lifeboat::kube {

// Edits an object in place before it is cached. Must keep metadata.name, namespace, uid,
// resourceVersion and ownerReferences (the cache and its indexes need them).
using Projection = std::function<void(nlohmann::json& object)>;

// Removes what no controller needs: metadata.managedFields and the last-applied annotation.
void StripForCache(nlohmann::json& object);

// What a mutation changed.
struct CacheChange {
  enum class Type { kAdded, kUpdated, kDeleted };
  Type type;
  nlohmann::json object;                  // The new object (kDeleted: the last one cached).
  std::optional<nlohmann::json> old;      // kUpdated: the previous object.
};

class ObjectCache {
 public:
  explicit ObjectCache(Projection projection = nullptr);

  std::optional<nlohmann::json> Get(const ObjectKey& key) const;
  std::optional<nlohmann::json> Get(std::string_view key) const;
  // Every object, or those of one namespace.
  std::vector<nlohmann::json> List(std::string_view ns = "") const;
  // Objects having an ownerReference with this UID.
  std::vector<nlohmann::json> ListByOwner(std::string_view owner_uid) const;
  std::vector<std::string> Keys() const;
  size_t Size() const;

  // Adds or replaces an object (after stripping and projection). Returns the change, or nullopt when
  // the cached object already has this resourceVersion.
  std::optional<CacheChange> Upsert(nlohmann::json object);
  // Removes an object; returns the change, or nullopt when it was not cached.
  std::optional<CacheChange> Remove(const ObjectKey& key);
  // Makes the cache hold exactly `objects` (a relist) and returns the differences: additions,
  // updates (resourceVersion changed) and deletions of objects missing from the list.
  std::vector<CacheChange> Replace(std::vector<nlohmann::json> objects);

  // An object stripped, projected and packed for the cache: lets a relist hold thousands of objects
  // compactly while pages arrive, instead of as parsed JSON.
  struct Entry {
    std::string ns;
    std::string resource_version;
    std::vector<std::string> owner_uids;
    std::vector<std::uint8_t> packed;
  };
  struct Prepared {
    std::string key;
    Entry entry;
  };
  Prepared Prepare(nlohmann::json object) const;
  // A difference found by ReplacePrepared: the key, and for updates and deletions the previous
  // object (packed; decode with Decode()).
  struct KeyChange {
    CacheChange::Type type;
    std::string key;
    std::vector<std::uint8_t> old_packed;
  };
  std::vector<KeyChange> ReplacePrepared(std::vector<Prepared> objects);
  static nlohmann::json Decode(const std::vector<std::uint8_t>& packed) { return nlohmann::json::from_msgpack(packed); }

 private:

  void Shape(nlohmann::json& object) const;
  static nlohmann::json Unpack(const Entry& entry);
  static Entry MakeEntry(const nlohmann::json& object);
  // Insert/replace under the lock; returns the previous entry's packed bytes when replaced, and
  // whether anything changed.
  enum class Outcome { kAdded, kUpdated, kUnchanged };
  Outcome StoreLocked(const std::string& key, Entry entry, std::vector<std::uint8_t>* old_packed);
  void IndexLocked(const std::string& key, const Entry& entry);
  void UnindexLocked(const std::string& key, const Entry& entry);

  Projection projection_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::map<std::string, std::set<std::string>, std::less<>> by_namespace_;
  std::map<std::string, std::set<std::string>, std::less<>> by_owner_;
};

}  // namespace lifeboat::kube
