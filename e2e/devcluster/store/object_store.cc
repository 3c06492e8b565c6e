#include "e2e/devcluster/store/object_store.h"

#include "e2e/devcluster/store/pod_security.h"

#include <algorithm>
#include <deque>
#include <random>
#include <set>
#include <unordered_map>

#include "e2e/devcluster/semantics/field_selector.h"
#include "e2e/devcluster/semantics/json_patch.h"
#include "e2e/devcluster/semantics/label_selector.h"
#include "e2e/devcluster/semantics/merge_patch.h"
#include "e2e/devcluster/semantics/schema.h"
#include "e2e/devcluster/semantics/strategic_merge_patch.h"
#include "e2e/devcluster/store/continue_token.h"
#include "e2e/devcluster/store/kind_strategy.h"
#include "e2e/devcluster/store/store_log.h"
#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using ObjectPtr = std::shared_ptr<const json>;

constexpr const char* kCrdStorageKey = "apiextensions.k8s.io/customresourcedefinitions";
constexpr const char* kNamespaceStorageKey = "/namespaces";
constexpr const char* kForegroundFinalizer = "foregroundDeletion";
constexpr const char* kOrphanFinalizer = "orphan";
constexpr const char* kCrdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";
constexpr const char* kNamespaceFinalizer = "kubernetes";

std::string Str(const json& object, std::initializer_list<const char*> keys) {
  const json* current = &object;
  for (const char* key : keys) {
    if (!current->is_object()) return {};
    auto it = current->find(key);
    if (it == current->end()) return {};
    current = &*it;
  }
  return current->is_string() ? current->get<std::string>() : std::string();
}

std::string NamespaceOf(const json& object) { return Str(object, {"metadata", "namespace"}); }
std::string NameOf(const json& object) { return Str(object, {"metadata", "name"}); }
std::string UidOf(const json& object) { return Str(object, {"metadata", "uid"}); }
// The key of an object inside its kind's map: "<namespace>/<name>", or "<name>" when cluster-scoped.
std::string Key(const std::string& namespace_name, const std::string& name) {
  return namespace_name.empty() ? name : namespace_name + "/" + name;
}

bool IsDeleting(const json& object) {
  return object.contains("metadata") && object["metadata"].contains("deletionTimestamp") &&
         !object["metadata"]["deletionTimestamp"].is_null();
}

std::vector<std::string> Finalizers(const json& object) {
  std::vector<std::string> out;
  if (!object.contains("metadata")) return out;
  auto it = object["metadata"].find("finalizers");
  if (it == object["metadata"].end() || !it->is_array()) return out;
  for (const auto& f : *it)
    if (f.is_string()) out.push_back(f.get<std::string>());
  return out;
}

void SetFinalizers(json& object, const std::vector<std::string>& finalizers) {
  if (finalizers.empty()) {
    object["metadata"].erase("finalizers");
  } else {
    object["metadata"]["finalizers"] = finalizers;
  }
}

// ObjectMeta.finalizers is omitempty: a client writing [] (a merge patch removing the last one)
// reads the field back absent, as from the real server.
void DropEmptyFinalizers(json& metadata) {
  auto it = metadata.find("finalizers");
  if (it != metadata.end() && (it->is_null() || (it->is_array() && it->empty()))) metadata.erase(it);
}

bool HasFinalizer(const json& object, const std::string& finalizer) {
  auto all = Finalizers(object);
  return std::find(all.begin(), all.end(), finalizer) != all.end();
}

// Parses a resourceVersion parameter; std::nullopt when not a number.
std::optional<uint64_t> ParseRv(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

ApiError NoSuchResource() {
  return ApiError{404, "NotFound", "the server could not find the requested resource", json::object()};
}

ApiError FromSemanticsStatus(const Status& status) { return ApiError::BadRequest(status.message()); }

// Reads a ".spec.replicas"-style path.
const json* JsonAtPath(const json& object, const std::string& path) {
  const json* current = &object;
  size_t start = path.empty() || path[0] != '.' ? 0 : 1;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!key.empty()) {
      if (!current->is_object()) return nullptr;
      auto it = current->find(key);
      if (it == current->end()) return nullptr;
      current = &*it;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return current;
}

void SetJsonAtPath(json& object, const std::string& path, json value) {
  json* current = &object;
  size_t start = path.empty() || path[0] != '.' ? 0 : 1;
  std::vector<std::string> keys;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!key.empty()) keys.push_back(key);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!current->is_object()) *current = json::object();
    if (i + 1 == keys.size()) {
      (*current)[keys[i]] = std::move(value);
      return;
    }
    current = &(*current)[keys[i]];
  }
}

std::vector<ApiCause> ToCauses(const std::vector<FieldError>& errors) {
  std::vector<ApiCause> causes;
  for (const auto& e : errors) causes.push_back({e.reason, e.message, e.field});
  return causes;
}

}  // namespace

ApiResult<DeleteOptions> DeleteOptions::FromJson(const json& body) {
  DeleteOptions options;
  if (body.is_null()) return options;
  if (!body.is_object()) return ApiError::BadRequest("DeleteOptions must be a JSON object");
  if (auto it = body.find("propagationPolicy"); it != body.end() && !it->is_null()) {
    if (!it->is_string()) return ApiError::BadRequest("propagationPolicy must be a string");
    options.propagation_policy = it->get<std::string>();
  }
  if (auto it = body.find("orphanDependents"); it != body.end() && it->is_boolean())
    options.orphan_dependents = it->get<bool>();
  if (auto it = body.find("gracePeriodSeconds"); it != body.end() && it->is_number_integer())
    options.grace_period_seconds = it->get<int64_t>();
  if (auto it = body.find("preconditions"); it != body.end() && it->is_object()) {
    if (auto uid = it->find("uid"); uid != it->end() && uid->is_string()) options.precondition_uid = uid->get<std::string>();
    if (auto rv = it->find("resourceVersion"); rv != it->end() && rv->is_string())
      options.precondition_resource_version = rv->get<std::string>();
  }
  if (auto it = body.find("dryRun"); it != body.end() && it->is_array()) {
    for (const auto& v : *it)
      if (v == "All") options.dry_run = true;
  }
  return options;
}

ApiResult<PatchType> ParsePatchContentType(std::string_view content_type, bool custom_resource) {
  std::string type(content_type.substr(0, content_type.find(';')));
  while (!type.empty() && type.back() == ' ') type.pop_back();
  if (type == "application/json-patch+json") return PatchType::kJsonPatch;
  if (type == "application/merge-patch+json") return PatchType::kMergePatch;
  if (type == "application/apply-patch+yaml" || type == "application/apply-patch+json") return PatchType::kApplyPatch;
  if (type == "application/strategic-merge-patch+json" && !custom_resource) return PatchType::kStrategicMergePatch;
  if (custom_resource)
    return ApiError::UnsupportedMediaType(
        {"application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"});
  return ApiError::UnsupportedMediaType({"application/json-patch+json", "application/merge-patch+json",
                                         "application/strategic-merge-patch+json", "application/apply-patch+yaml"});
}

struct ObjectStore::Impl {
  Impl(ObjectStoreOptions opts, const Clock& clk, ResourceRegistry& reg)
      : options(std::move(opts)), clock(clk), registry(reg), committed(std::make_shared<std::atomic<uint64_t>>(0)) {
    std::random_device device;
    rng.seed((static_cast<uint64_t>(device()) << 32) ^ device());
  }

  ObjectStoreOptions options;
  const Clock& clock;
  ResourceRegistry& registry;

  mutable std::shared_mutex mutex;  // guards everything below except the subscriptions
  std::unordered_map<std::string, std::map<std::string, ObjectPtr>> data;  // storage key → ns/name → object
  std::unordered_map<std::string, std::pair<std::string, std::string>> by_uid;  // uid → (storage key, ns/name)
  std::unordered_map<std::string, std::set<std::pair<std::string, std::string>>> dependents;  // owner uid → objects
  uint64_t rv = 0;
  std::shared_ptr<std::atomic<uint64_t>> committed;
  std::deque<std::shared_ptr<const StoreChange>> history;
  uint64_t history_floor = 0;  // changes with rv > floor are all in history
  std::unique_ptr<StoreLog> log;
  std::mt19937_64 rng;

  std::mutex subs_mutex;
  std::unordered_map<std::string, std::vector<std::weak_ptr<WatchSubscription>>> subs;

  // ---------------------------------------------------------------- indexes
  void IndexRemove(const std::string& storage_key, const std::string& key, const json& object) {
    by_uid.erase(UidOf(object));
    if (auto refs = object["metadata"].find("ownerReferences"); refs != object["metadata"].end() && refs->is_array()) {
      for (const auto& ref : *refs) {
        std::string owner = ref.value("uid", "");
        auto it = dependents.find(owner);
        if (it == dependents.end()) continue;
        it->second.erase({storage_key, key});
        if (it->second.empty()) dependents.erase(it);
      }
    }
  }
  void IndexAdd(const std::string& storage_key, const std::string& key, const json& object) {
    by_uid[UidOf(object)] = {storage_key, key};
    if (auto refs = object["metadata"].find("ownerReferences"); refs != object["metadata"].end() && refs->is_array()) {
      for (const auto& ref : *refs) dependents[ref.value("uid", "")].insert({storage_key, key});
    }
  }
  void RawPut(const std::string& storage_key, ObjectPtr object) {
    std::string key = Key(NamespaceOf(*object), NameOf(*object));
    auto& bucket = data[storage_key];
    if (auto it = bucket.find(key); it != bucket.end()) IndexRemove(storage_key, key, *it->second);
    IndexAdd(storage_key, key, *object);
    bucket[key] = std::move(object);
  }
  void RawDelete(const std::string& storage_key, const std::string& key) {
    auto bucket = data.find(storage_key);
    if (bucket == data.end()) return;
    auto it = bucket->second.find(key);
    if (it == bucket->second.end()) return;
    IndexRemove(storage_key, key, *it->second);
    bucket->second.erase(it);
  }

  // The object stored under (storage key, map key), or null; never inserts.
  ObjectPtr AtKey(const std::string& storage_key, const std::string& key) const {
    auto bucket = data.find(storage_key);
    if (bucket == data.end()) return nullptr;
    auto it = bucket->second.find(key);
    return it == bucket->second.end() ? nullptr : it->second;
  }

  ObjectPtr Find(const std::string& storage_key, const std::string& namespace_name, const std::string& name) const {
    auto bucket = data.find(storage_key);
    if (bucket == data.end()) return nullptr;
    auto it = bucket->second.find(Key(namespace_name, name));
    return it == bucket->second.end() ? nullptr : it->second;
  }

  ResourceInfoPtr InfoFor(const json& object) const {
    std::string api_version = Str(object, {"apiVersion"});
    std::string group, version = api_version;
    if (auto slash = api_version.find('/'); slash != std::string::npos) {
      group = api_version.substr(0, slash);
      version = api_version.substr(slash + 1);
    }
    return registry.FindByKind(group, version, Str(object, {"kind"}));
  }

  // ---------------------------------------------------------------- commits (exclusive lock held)
  void Publish(std::shared_ptr<const StoreChange> change) {
    history.push_back(change);
    while (history.size() > options.watch_history) {
      history_floor = history.front()->resource_version;
      history.pop_front();
    }
    {
      std::lock_guard lock(subs_mutex);
      auto it = subs.find(change->storage_key);
      if (it != subs.end()) {
        auto& list = it->second;
        for (size_t i = 0; i < list.size();) {
          auto sub = list[i].lock();
          if (!sub || sub->Closed()) {
            list[i] = list.back();
            list.pop_back();
            continue;
          }
          sub->Publish(change);
          ++i;
        }
      }
    }
    committed->store(change->resource_version);
  }

  ApiResult<ObjectPtr> CommitPut(const std::string& storage_key, json object, ObjectPtr old) {
    uint64_t next = rv + 1;
    object["metadata"]["resourceVersion"] = std::to_string(next);
    if (log) {
      Status status = log->AppendPut(next, storage_key, object);
      if (!status.ok()) return ApiError::Internal(status.message());
    }
    rv = next;
    auto stored = std::make_shared<const json>(std::move(object));
    RawPut(storage_key, stored);
    auto change = std::make_shared<StoreChange>();
    change->resource_version = next;
    change->storage_key = storage_key;
    change->type = old ? WatchEventType::kModified : WatchEventType::kAdded;
    change->object = stored;
    change->old_object = old;
    Publish(std::move(change));
    MaybeCompact();
    return ObjectPtr(stored);
  }

  ApiResult<ObjectPtr> CommitDelete(const std::string& storage_key, json last) {
    uint64_t next = rv + 1;
    last["metadata"]["resourceVersion"] = std::to_string(next);
    const std::string namespace_name = NamespaceOf(last), name = NameOf(last);
    if (log) {
      Status status = log->AppendDelete(next, storage_key, namespace_name, name);
      if (!status.ok()) return ApiError::Internal(status.message());
    }
    rv = next;
    RawDelete(storage_key, Key(namespace_name, name));
    auto stored = std::make_shared<const json>(std::move(last));
    auto change = std::make_shared<StoreChange>();
    change->resource_version = next;
    change->storage_key = storage_key;
    change->type = WatchEventType::kDeleted;
    change->object = stored;
    Publish(std::move(change));
    MaybeCompact();
    return ObjectPtr(stored);
  }

  void MaybeCompact() {
    if (!log || log->RecordsSinceSnapshot() < options.compact_after_records) return;
    (void)log->Compact(rv, [&](const StoreLog::ObjectVisitor& visit) {
      for (const auto& [storage_key, bucket] : data)
        for (const auto& [key, object] : bucket) visit(storage_key, *object);
    });
  }

  // ---------------------------------------------------------------- helpers
  std::string NewUid() {
    std::uniform_int_distribution<uint64_t> dist;
    uint64_t a = dist(rng), b = dist(rng);
    a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    char buffer[40];
    std::snprintf(buffer, sizeof(buffer), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                  static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
    return buffer;
  }

  std::string RandomSuffix() {
    static const char* kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
    std::uniform_int_distribution<int> dist(0, 26);
    std::string out;
    for (int i = 0; i < 5; ++i) out += kAlphabet[dist(rng)];
    return out;
  }

  std::string Now() const { return FormatRfc3339(clock.Now()); }

  json Out(const ResourceInfo& info, const json& object) const {
    if (Str(object, {"apiVersion"}) == info.ApiVersion()) return object;
    json copy = object;
    copy["apiVersion"] = info.ApiVersion();
    return copy;
  }

  std::string StorageApiVersion(const ResourceInfo& info) const {
    if (!info.custom || info.storage_version) return info.ApiVersion();
    for (const auto& other : registry.All())
      if (other->custom && other->crd_name == info.crd_name && other->storage_version) return other->ApiVersion();
    // The storage version may not be served: read it from the CRD.
    if (ObjectPtr crd = Find(kCrdStorageKey, "", info.crd_name)) {
      for (const auto& version : (*crd)["spec"]["versions"])
        if (version.value("storage", false)) return info.group + "/" + version.value("name", "");
    }
    return info.ApiVersion();
  }

  // Resolves the kind of a request and checks the namespace/scope combination.
  ApiResult<ResourceInfoPtr> Resolve(const ResourcePath& path) const {
    ResourceInfoPtr info = registry.Find(path.group, path.version, path.resource);
    if (!info) return NoSuchResource();
    if (!path.subresource.empty()) {
      if (path.subresource == "status" && !info->has_status) return NoSuchResource();
      if (path.subresource == "scale" && !info->scale) return NoSuchResource();
      if (path.subresource != "status" && path.subresource != "scale") return NoSuchResource();
    }
    if (!info->namespaced && !path.namespace_name.empty()) return NoSuchResource();
    return info;
  }

  // Unknown and duplicate fields for fieldValidation; returns an error in Strict mode, else the
  // warnings to send (Warn) or nothing (Ignore).
  ApiResult<std::vector<std::string>> CheckFieldValidation(const ResourceInfo& info, json& object,
                                                           const std::string& raw, FieldValidation mode) {
    std::vector<std::string> unknown;
    if (info.schema.is_object()) unknown = PruneUnknownFields(info.schema, object);
    if (mode == FieldValidation::kIgnore) return std::vector<std::string>{};
    std::vector<std::string> duplicates;
    if (!raw.empty()) duplicates = FindDuplicateFields(raw);
    if (unknown.empty() && duplicates.empty()) return std::vector<std::string>{};
    if (mode == FieldValidation::kStrict) {
      return ApiError::BadRequest(info.kind + " in version \"" + info.version + "\" cannot be handled as a " +
                                  info.kind + ": " + StrictDecodingErrorMessage(unknown, duplicates));
    }
    return FieldValidationProblems(unknown, duplicates);
  }

  // The remaining validation of a new state: metadata, kind rules, schema (custom resources).
  std::vector<ApiCause> ValidateAll(const ResourceInfo& info, const json& object, const json& old) {
    std::vector<ApiCause> causes = ValidateObjectMeta(info, object);
    std::vector<ApiCause> kind = ValidateKind(info, object, old);
    causes.insert(causes.end(), kind.begin(), kind.end());
    if (info.custom && info.schema.is_object()) {
      std::vector<ApiCause> schema = ToCauses(Validate(info.schema, object));
      causes.insert(causes.end(), schema.begin(), schema.end());
    }
    return causes;
  }

  // Strips what clients may not set and the store does not keep.
  static void StripServerFields(json& object) {
    json& metadata = object["metadata"];
    for (const char* key : {"uid", "resourceVersion", "creationTimestamp", "deletionTimestamp",
                            "deletionGracePeriodSeconds", "generation", "managedFields", "selfLink"})
      metadata.erase(key);
  }

  // ---------------------------------------------------------------- create
  ApiResult<WriteResult> CreateLocked(const ResourceInfo& info, const ResourcePath& path, json object,
                                      const std::vector<std::string>& warnings, const WriteOptions& options) {
    if (info.namespaced) {
      ObjectPtr ns = Find(kNamespaceStorageKey, "", path.namespace_name);
      if (!ns) return ApiError::NotFound("", "namespaces", path.namespace_name);
      if (IsDeleting(*ns)) {
        std::string name = NameOf(object);
        return ApiError::Forbidden(info.group, info.plural, name,
                                   "unable to create new content in namespace " + path.namespace_name +
                                       " because it is being terminated");
      }
    }
    if (info.custom) {
      ObjectPtr crd = Find(kCrdStorageKey, "", info.crd_name);
      if (crd && IsDeleting(*crd)) {
        return ApiError{405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating",
                        json{{"group", info.group}, {"kind", info.plural}}};
      }
    }
    json& metadata = object["metadata"];
    std::string name = NameOf(object);
    if (name.empty()) {
      std::string generate = Str(object, {"metadata", "generateName"});
      if (!generate.empty()) {
        // As the API server's name generator: at most 58 characters of the base, so that the
        // name with its 5-character suffix stays a 63-character DNS label.
        constexpr size_t kMaxGeneratedBaseLength = 63 - 5;
        if (generate.size() > kMaxGeneratedBaseLength) generate.resize(kMaxGeneratedBaseLength);
        for (int attempt = 0; attempt < 16; ++attempt) {
          name = generate + RandomSuffix();
          if (!Find(info.StorageKey(), path.namespace_name, name)) break;
        }
        metadata["name"] = name;
      }
    }
    metadata["uid"] = NewUid();
    metadata["creationTimestamp"] = Now();
    if (TracksGeneration(info)) metadata["generation"] = 1;
    DropEmptyFinalizers(metadata);
    PrepareStatusForCreate(info, object);
    ApplyKindDefaults(info, object);
    if (info.custom && info.schema.is_object()) ApplyDefaults(info.schema, object);
    std::vector<ApiCause> causes = ValidateAll(info, object, json());
    if (!causes.empty()) return ApiError::Invalid(info.group, info.kind, name, std::move(causes));
    if (info.group.empty() && info.kind == "Pod") {
      // Pod Security admission: a validating admission plugin, after validation, before storage.
      ObjectPtr ns = Find(kNamespaceStorageKey, "", path.namespace_name);
      const std::string denial = ns ? PodSecurityDenial((*ns)["metadata"].value("labels", json::object()), object) : "";
      if (!denial.empty()) return ApiError::Forbidden(info.group, info.plural, name, denial);
    }
    if (Find(info.StorageKey(), path.namespace_name, name)) return ApiError::AlreadyExists(info.group, info.plural, name);
    if (info.kind == "CustomResourceDefinition" && !info.custom) SetCrdStatus(object);
    if (options.dry_run) return WriteResult{Out(info, object), 201, warnings};
    auto stored = CommitPut(info.StorageKey(), std::move(object), nullptr);
    if (!stored.ok()) return stored.error();
    json answer = Out(info, **stored);
    AfterWrite(info, *stored);
    return WriteResult{std::move(answer), 201, warnings};
  }

  // ---------------------------------------------------------------- update
  // Runs the update of `old` to `body` (already shaped: names, apiVersion), as PUT and PATCH do.
  ApiResult<WriteResult> UpdateLocked(const ResourceInfo& info, const std::string& subresource, ObjectPtr old,
                                      json body, const std::vector<std::string>& warnings, const WriteOptions& options) {
    const std::string name = NameOf(*old);
    json updated;
    if (subresource == "status") {
      updated = *old;
      if (body.contains("status")) {
        updated["status"] = body["status"];
      } else {
        updated.erase("status");
      }
    } else {
      updated = std::move(body);
      if (info.has_status) {
        if (old->contains("status")) {
          updated["status"] = (*old)["status"];
        } else {
          updated.erase("status");
        }
      }
    }
    json& metadata = updated["metadata"];
    const json& old_metadata = (*old)["metadata"];
    for (const char* key : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                            "deletionGracePeriodSeconds", "generation"}) {
      if (old_metadata.contains(key)) {
        metadata[key] = old_metadata[key];
      } else {
        metadata.erase(key);
      }
    }
    metadata.erase("managedFields");
    metadata.erase("selfLink");
    DropEmptyFinalizers(metadata);
    metadata["resourceVersion"] = old_metadata["resourceVersion"];
    updated["apiVersion"] = (*old)["apiVersion"];
    updated["kind"] = info.kind;
    ApplyKindDefaults(info, updated);
    if (info.custom && info.schema.is_object()) ApplyDefaults(info.schema, updated);

    std::vector<ApiCause> causes = ValidateAll(info, updated, *old);
    if (IsDeleting(*old)) {
      std::vector<std::string> before = Finalizers(*old), after = Finalizers(updated);
      std::vector<std::string> added;
      for (const auto& f : after)
        if (std::find(before.begin(), before.end(), f) == before.end()) added.push_back(f);
      if (!added.empty()) {
        std::string list = "[]string{";
        for (size_t i = 0; i < added.size(); ++i) list += (i ? ", " : "") + json(added[i]).dump();
        list += "}";
        causes.push_back({"FieldValueForbidden",
                          "Forbidden: no new finalizers can be added if the object is being deleted, found new "
                          "finalizers " + list,
                          "metadata.finalizers"});
      }
    }
    if (!causes.empty()) return ApiError::Invalid(info.group, info.kind, name, std::move(causes));
    if (TracksGeneration(info)) {
      int64_t generation = old_metadata.value("generation", int64_t{1});
      if (GenerationChanged(info, *old, updated)) ++generation;
      metadata["generation"] = generation;
    }
    if (updated == *old) return WriteResult{Out(info, *old), 200, warnings};  // no-op: nothing is written
    if (options.dry_run) return WriteResult{Out(info, updated), 200, warnings};
    if (IsDeleting(updated) && Finalizers(updated).empty()) {
      auto removed = RemoveLocked(info, std::move(updated));
      if (!removed.ok()) return removed.error();
      return WriteResult{Out(info, **removed), 200, warnings};
    }
    auto stored = CommitPut(info.StorageKey(), std::move(updated), old);
    if (!stored.ok()) return stored.error();
    json answer = Out(info, **stored);
    AfterWrite(info, *stored);
    return WriteResult{std::move(answer), 200, warnings};
  }

  // After a committed put: the work the real controllers do at once.
  void AfterWrite(const ResourceInfo& info, ObjectPtr object) {
    if (!info.custom && info.kind == "CustomResourceDefinition") {
      registry.InstallCrd(*object);
      if (IsDeleting(*object)) {
        TryFinishCrd(NameOf(*object));
        return;
      }
      // The CRD controllers keep acceptedNames and storedVersions in step with the spec.
      json updated = *object;
      json& status = updated["status"];
      if (!status.is_object()) status = json::object();
      status["acceptedNames"] = updated["spec"]["names"];
      json stored = status.value("storedVersions", json::array());
      for (const auto& version : updated["spec"]["versions"]) {
        std::string name = version.value("name", "");
        if (version.value("storage", false) && std::find(stored.begin(), stored.end(), name) == stored.end())
          stored.push_back(name);
      }
      status["storedVersions"] = stored;
      if (updated != *object) (void)CommitPut(kCrdStorageKey, std::move(updated), object);
      return;
    }
    if (!info.custom && info.kind == "Namespace" && !IsDeleting(*object)) {
      // The service-account controller gives every namespace a "default" ServiceAccount.
      const std::string ns = NameOf(*object);
      if (!Find("/serviceaccounts", ns, "default")) {
        json sa = {{"apiVersion", "v1"},
                   {"kind", "ServiceAccount"},
                   {"metadata", {{"name", "default"}, {"namespace", ns}, {"uid", NewUid()}, {"creationTimestamp", Now()}}}};
        (void)CommitPut("/serviceaccounts", std::move(sa), nullptr);
      }
      return;
    }
    if (IsDeleting(*object)) {
      if (HasFinalizer(*object, kForegroundFinalizer)) TryFinishForeground(UidOf(*object));
      return;
    }
    if (AllOwnersGone(*object)) {
      // The garbage collector deletes an object whose owners all no longer exist.
      (void)DeleteLocked(info, object, "Background", false);
      return;
    }
    if (std::optional<json> status = ControllerStatus(info, *object, clock.Now())) {
      if (!object->contains("status") || (*object)["status"] != *status) {
        json updated = *object;
        updated["status"] = std::move(*status);
        (void)CommitPut(info.StorageKey(), std::move(updated), object);
      }
    }
  }

  // True when the object names owners and none of them exists (by uid).
  bool AllOwnersGone(const json& object) const {
    auto refs = object["metadata"].find("ownerReferences");
    if (refs == object["metadata"].end() || !refs->is_array() || refs->empty()) return false;
    for (const auto& ref : *refs)
      if (by_uid.count(ref.value("uid", ""))) return false;
    return true;
  }

  void SetCrdStatus(json& crd) {
    std::string now = Now();
    json names = crd["spec"]["names"];
    std::string storage;
    for (const auto& version : crd["spec"]["versions"])
      if (version.value("storage", false)) storage = version.value("name", "");
    json status = {
        {"acceptedNames", names},
        {"conditions",
         {{{"type", "NamesAccepted"}, {"status", "True"}, {"lastTransitionTime", now}, {"reason", "NoConflicts"},
           {"message", "no conflicts found"}},
          {{"type", "Established"}, {"status", "True"}, {"lastTransitionTime", now}, {"reason", "InitialNamesAccepted"},
           {"message", "the initial names have been accepted"}}}},
        {"storedVersions", json::array({storage})}};
    crd["status"] = std::move(status);
  }

  // ---------------------------------------------------------------- delete
  // Removes an object for good and runs what follows a removal (garbage collection of dependents,
  // owners waiting in foreground deletion, terminating namespaces and CRDs).
  ApiResult<ObjectPtr> RemoveLocked(const ResourceInfo& info, json last) {
    auto removed = CommitDelete(info.StorageKey(), std::move(last));
    if (!removed.ok()) return removed;
    const json& object = **removed;
    if (!info.custom && info.kind == "CustomResourceDefinition") {
      registry.RemoveCrd(NameOf(object));
    }
    CollectDependents(UidOf(object));
    if (auto refs = object["metadata"].find("ownerReferences"); refs != object["metadata"].end() && refs->is_array()) {
      for (const auto& ref : *refs) TryFinishForeground(ref.value("uid", ""));
    }
    if (info.namespaced) TryFinishNamespace(NamespaceOf(object));
    if (info.custom) TryFinishCrd(info.crd_name);
    return removed;
  }

  // Background garbage collection after the owner `uid` is gone: a dependent whose owners are all
  // gone is deleted; one that still has a live owner loses the dangling reference.
  void CollectDependents(const std::string& uid) {
    auto it = dependents.find(uid);
    if (it == dependents.end()) return;
    std::vector<std::pair<std::string, std::string>> items(it->second.begin(), it->second.end());
    for (const auto& [storage_key, key] : items) {
      auto bucket = data.find(storage_key);
      if (bucket == data.end()) continue;
      auto found = bucket->second.find(key);
      if (found == bucket->second.end()) continue;
      ObjectPtr dependent = found->second;
      ResourceInfoPtr dep_info = InfoFor(*dependent);
      if (!dep_info) continue;
      json refs = (*dependent)["metadata"].value("ownerReferences", json::array());
      json remaining = json::array();
      bool live_owner = false;
      for (const auto& ref : refs) {
        std::string owner = ref.value("uid", "");
        if (owner == uid) continue;
        remaining.push_back(ref);
        if (by_uid.count(owner)) live_owner = true;
      }
      if (live_owner) {
        json updated = *dependent;
        updated["metadata"]["ownerReferences"] = remaining;
        (void)CommitPut(storage_key, std::move(updated), dependent);
      } else if (!IsDeleting(*dependent)) {
        (void)DeleteLocked(*dep_info, dependent, "Background", false);
      }
    }
  }

  // An owner in foreground deletion loses its foregroundDeletion finalizer once no dependent that
  // blocks owner deletion is left (and is removed when no finalizer remains).
  void TryFinishForeground(const std::string& owner_uid) {
    auto where = by_uid.find(owner_uid);
    if (where == by_uid.end()) return;
    ObjectPtr owner = AtKey(where->second.first, where->second.second);
    if (!owner || !IsDeleting(*owner) || !HasFinalizer(*owner, kForegroundFinalizer)) return;
    if (auto deps = dependents.find(owner_uid); deps != dependents.end()) {
      for (const auto& [storage_key, key] : deps->second) {
        ObjectPtr dependent = AtKey(storage_key, key);
        if (!dependent) continue;
        for (const auto& ref : (*dependent)["metadata"].value("ownerReferences", json::array()))
          if (ref.value("uid", "") == owner_uid && ref.value("blockOwnerDeletion", false)) return;
      }
    }
    ResourceInfoPtr info = InfoFor(*owner);
    if (!info) return;
    json updated = *owner;
    auto finalizers = Finalizers(updated);
    std::erase(finalizers, std::string(kForegroundFinalizer));
    SetFinalizers(updated, finalizers);
    if (finalizers.empty()) {
      (void)RemoveLocked(*info, std::move(updated));
    } else {
      (void)CommitPut(info->StorageKey(), std::move(updated), owner);
    }
  }

  bool NamespaceEmpty(const std::string& ns) const {
    std::string prefix = ns + "/";
    for (const auto& [storage_key, bucket] : data) {
      if (storage_key == kNamespaceStorageKey) continue;
      auto it = bucket.lower_bound(prefix);
      if (it != bucket.end() && it->first.compare(0, prefix.size(), prefix) == 0) return false;
    }
    return true;
  }

  void TryFinishNamespace(const std::string& ns) {
    if (ns.empty()) return;
    ObjectPtr object = Find(kNamespaceStorageKey, "", ns);
    if (!object || !IsDeleting(*object) || !NamespaceEmpty(ns)) return;
    ResourceInfoPtr info = registry.Find("", "v1", "namespaces");
    json updated = *object;
    updated["spec"]["finalizers"] = json::array();
    if (updated["spec"]["finalizers"].empty()) updated["spec"].erase("finalizers");
    if (Finalizers(updated).empty()) {
      (void)RemoveLocked(*info, std::move(updated));
    } else if (updated != *object) {
      (void)CommitPut(kNamespaceStorageKey, std::move(updated), object);
    }
  }

  void TryFinishCrd(const std::string& crd_name) {
    if (crd_name.empty()) return;
    ObjectPtr crd = Find(kCrdStorageKey, "", crd_name);
    if (!crd || !IsDeleting(*crd) || !HasFinalizer(*crd, kCrdCleanupFinalizer)) return;
    std::string storage_key = Str(*crd, {"spec", "group"}) + "/" + Str(*crd, {"spec", "names", "plural"});
    if (auto bucket = data.find(storage_key); bucket != data.end() && !bucket->second.empty()) return;
    ResourceInfoPtr info = registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    json updated = *crd;
    auto finalizers = Finalizers(updated);
    std::erase(finalizers, std::string(kCrdCleanupFinalizer));
    SetFinalizers(updated, finalizers);
    if (finalizers.empty()) {
      (void)RemoveLocked(*info, std::move(updated));
    } else {
      (void)CommitPut(kCrdStorageKey, std::move(updated), crd);
    }
  }

  void DeleteAllIn(const std::string& storage_key, const std::string& ns_prefix) {
    auto bucket = data.find(storage_key);
    if (bucket == data.end()) return;
    std::vector<ObjectPtr> victims;
    for (auto it = bucket->second.lower_bound(ns_prefix);
         it != bucket->second.end() && it->first.compare(0, ns_prefix.size(), ns_prefix) == 0; ++it)
      victims.push_back(it->second);
    for (const auto& victim : victims) {
      ObjectPtr current = Find(storage_key, NamespaceOf(*victim), NameOf(*victim));
      if (!current || IsDeleting(*current)) continue;
      if (ResourceInfoPtr info = InfoFor(*current)) (void)DeleteLocked(*info, current, "Background", false);
    }
  }

  // The deletion of one object with the given propagation policy (exclusive lock held).
  ApiResult<DeleteResult> DeleteLocked(const ResourceInfo& info, ObjectPtr object, const std::string& policy,
                                       bool dry_run) {
    auto status_body = [&](const json& obj) {
      json details = {{"name", NameOf(obj)}};
      if (!info.group.empty()) details["group"] = info.group;
      details["kind"] = info.plural;
      details["uid"] = UidOf(obj);
      return json{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()},
                  {"status", "Success"}, {"details", details}};
    };
    if (IsDeleting(*object)) return DeleteResult{Out(info, *object), 200, false};
    json marked = *object;
    marked["metadata"]["deletionTimestamp"] = Now();
    marked["metadata"]["deletionGracePeriodSeconds"] = 0;
    const bool is_namespace = !info.custom && info.kind == "Namespace";
    const bool is_crd = !info.custom && info.kind == "CustomResourceDefinition";
    if (is_namespace) {
      const std::string ns_name = NameOf(*object);
      if (ns_name == "default" || ns_name == "kube-system" || ns_name == "kube-public") {
        return ApiError::Forbidden("", "namespaces", ns_name, "this namespace may not be deleted");
      }
      marked["status"]["phase"] = "Terminating";
      if (dry_run) return DeleteResult{Out(info, marked), 200, false};
      auto stored = CommitPut(kNamespaceStorageKey, std::move(marked), object);
      if (!stored.ok()) return stored.error();
      json answer = Out(info, **stored);
      const std::string ns = NameOf(**stored);
      std::vector<std::string> keys;
      for (const auto& [storage_key, bucket] : data)
        if (storage_key != kNamespaceStorageKey) keys.push_back(storage_key);
      for (const auto& storage_key : keys) DeleteAllIn(storage_key, ns + "/");
      TryFinishNamespace(ns);
      return DeleteResult{std::move(answer), 200, !Find(kNamespaceStorageKey, "", ns)};
    }
    if (is_crd) {
      auto finalizers = Finalizers(marked);
      if (std::find(finalizers.begin(), finalizers.end(), kCrdCleanupFinalizer) == finalizers.end())
        finalizers.push_back(kCrdCleanupFinalizer);
      SetFinalizers(marked, finalizers);
      json& conditions = marked["status"]["conditions"];
      if (!conditions.is_array()) conditions = json::array();
      conditions.push_back({{"type", "Terminating"}, {"status", "True"}, {"lastTransitionTime", Now()},
                            {"reason", "InstanceDeletionInProgress"}, {"message", "CustomResource deletion is in progress"}});
      if (dry_run) return DeleteResult{Out(info, marked), 200, false};
      auto stored = CommitPut(kCrdStorageKey, std::move(marked), object);
      if (!stored.ok()) return stored.error();
      json answer = Out(info, **stored);
      const std::string crd_name = NameOf(**stored);
      DeleteAllIn(Str(**stored, {"spec", "group"}) + "/" + Str(**stored, {"spec", "names", "plural"}), "");
      TryFinishCrd(crd_name);
      return DeleteResult{std::move(answer), 200, !Find(kCrdStorageKey, "", crd_name)};
    }
    if (policy == "Orphan") {
      if (!dry_run) OrphanDependents(UidOf(*object));
    }
    if (policy == "Foreground" && dependents.count(UidOf(*object))) {
      auto finalizers = Finalizers(marked);
      finalizers.push_back(kForegroundFinalizer);
      SetFinalizers(marked, finalizers);
      if (dry_run) return DeleteResult{Out(info, marked), 200, false};
      auto stored = CommitPut(info.StorageKey(), std::move(marked), object);
      if (!stored.ok()) return stored.error();
      json answer = Out(info, **stored);
      const std::string uid = UidOf(**stored);
      // Delete every dependent; those that have dependents of their own go in foreground too.
      if (auto deps = dependents.find(uid); deps != dependents.end()) {
        std::vector<std::pair<std::string, std::string>> items(deps->second.begin(), deps->second.end());
        for (const auto& [storage_key, key] : items) {
          ObjectPtr dependent = AtKey(storage_key, key);
          if (!dependent) continue;
          if (IsDeleting(*dependent)) continue;
          ResourceInfoPtr dep_info = InfoFor(*dependent);
          if (!dep_info) continue;
          bool has_own = dependents.count(UidOf(*dependent)) > 0;
          (void)DeleteLocked(*dep_info, dependent, has_own ? "Foreground" : "Background", false);
        }
      }
      TryFinishForeground(uid);
      return DeleteResult{std::move(answer), 200, !by_uid.count(uid)};
    }
    if (!Finalizers(*object).empty()) {
      if (dry_run) return DeleteResult{Out(info, marked), 200, false};
      auto stored = CommitPut(info.StorageKey(), std::move(marked), object);
      if (!stored.ok()) return stored.error();
      return DeleteResult{Out(info, **stored), 200, false};
    }
    if (dry_run) return DeleteResult{DeleteReturnsObject(info) ? Out(info, *object) : status_body(*object), 200, true};
    auto removed = RemoveLocked(info, *object);
    if (!removed.ok()) return removed.error();
    return DeleteResult{DeleteReturnsObject(info) ? Out(info, **removed) : status_body(**removed), 200, true};
  }

  void OrphanDependents(const std::string& uid) {
    auto it = dependents.find(uid);
    if (it == dependents.end()) return;
    std::vector<std::pair<std::string, std::string>> items(it->second.begin(), it->second.end());
    for (const auto& [storage_key, key] : items) {
      ObjectPtr dependent = AtKey(storage_key, key);
      if (!dependent) continue;
      json updated = *dependent;
      json remaining = json::array();
      for (const auto& ref : updated["metadata"]["ownerReferences"])
        if (ref.value("uid", "") != uid) remaining.push_back(ref);
      if (remaining.empty()) {
        updated["metadata"].erase("ownerReferences");
      } else {
        updated["metadata"]["ownerReferences"] = remaining;
      }
      (void)CommitPut(storage_key, std::move(updated), dependent);
    }
  }

  // ---------------------------------------------------------------- scale
  json MakeScale(const ResourceInfo& info, const json& object) const {
    const ScaleSubresource& scale = *info.scale;
    const json* spec_replicas = JsonAtPath(object, scale.spec_replicas_path);
    const json* status_replicas = JsonAtPath(object, scale.status_replicas_path);
    json metadata = {{"name", NameOf(object)}};
    if (info.namespaced) metadata["namespace"] = NamespaceOf(object);
    metadata["uid"] = UidOf(object);
    metadata["resourceVersion"] = Str(object, {"metadata", "resourceVersion"});
    metadata["creationTimestamp"] = Str(object, {"metadata", "creationTimestamp"});
    json status = {{"replicas", status_replicas && status_replicas->is_number() ? *status_replicas : json(0)}};
    if (!info.custom) {
      const json* selector = JsonAtPath(object, ".spec.selector");
      if (selector && selector->is_object()) status["selector"] = LabelSelectorString(*selector);
    } else if (!scale.label_selector_path.empty()) {
      const json* selector = JsonAtPath(object, scale.label_selector_path);
      if (selector && selector->is_string()) status["selector"] = *selector;
    }
    json spec = json::object();
    if (spec_replicas && spec_replicas->is_number()) spec["replicas"] = *spec_replicas;
    return json{{"kind", "Scale"}, {"apiVersion", "autoscaling/v1"}, {"metadata", metadata}, {"spec", spec},
                {"status", status}};
  }

  ApiResult<WriteResult> UpdateScaleLocked(const ResourceInfo& info, ObjectPtr old, const json& scale,
                                           const WriteOptions& options) {
    const std::string name = NameOf(*old);
    std::string rv_text = Str(scale, {"metadata", "resourceVersion"});
    if (!rv_text.empty() && rv_text != Str(*old, {"metadata", "resourceVersion"}))
      return ApiError::Conflict(info.group, info.plural, name);
    const json* replicas = JsonAtPath(scale, ".spec.replicas");
    if (!replicas || !replicas->is_number_integer() || replicas->get<int64_t>() < 0) {
      std::string shown = replicas ? replicas->dump() : "0";
      return ApiError::Invalid("autoscaling", "Scale", name,
                               {{"FieldValueInvalid", "Invalid value: " + shown + ": must be greater than or equal to 0",
                                 "spec.replicas"}});
    }
    json updated = *old;
    SetJsonAtPath(updated, info.scale->spec_replicas_path, *replicas);
    auto result = UpdateLocked(info, "", old, std::move(updated), {}, options);
    if (!result.ok()) return result.error();
    ObjectPtr now = Find(info.StorageKey(), NamespaceOf(*old), name);
    json answer = MakeScale(info, now ? *now : result->object);
    // The Scale answered is the one of the write itself (before the controller's status write).
    answer["metadata"]["resourceVersion"] = Str(result->object, {"metadata", "resourceVersion"});
    return WriteResult{std::move(answer), 200, {}};
  }

  // Shapes a PUT/PATCH body for the main endpoint or status: names, apiVersion, kind.
  ApiResult<json> ShapeBody(const ResourceInfo& info, const ResourcePath& path, json body) {
    if (!body.is_object()) return ApiError::BadRequest("the body of the request must be a JSON object");
    if (!body.contains("metadata") || !body["metadata"].is_object()) body["metadata"] = json::object();
    std::string body_name = Str(body, {"metadata", "name"});
    if (!body_name.empty() && body_name != path.name)
      return ApiError::BadRequest("the name of the object (" + body_name + ") does not match the name on the URL (" +
                                  path.name + ")");
    std::string body_ns = Str(body, {"metadata", "namespace"});
    if (info.namespaced && !body_ns.empty() && body_ns != path.namespace_name)
      return ApiError::BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    std::string kind = Str(body, {"kind"});
    if (!kind.empty() && kind != info.kind)
      return ApiError::BadRequest(kind + " in version \"" + info.version + "\" cannot be handled as a " + info.kind +
                                  ": the kind in the data (" + kind + ") does not match the expected kind (" + info.kind + ")");
    std::string api_version = Str(body, {"apiVersion"});
    if (!api_version.empty() && api_version != info.ApiVersion())
      return ApiError::BadRequest("the API version in the data (" + api_version +
                                  ") does not match the expected API version (" + info.ApiVersion() + ")");
    body["metadata"]["name"] = path.name;
    if (info.namespaced) {
      body["metadata"]["namespace"] = path.namespace_name;
    } else {
      body["metadata"].erase("namespace");
    }
    return body;
  }

  ApiResult<WriteResult> UpdateFromBody(const ResourceInfo& info, const ResourcePath& path, json body,
                                        const std::string& raw, const WriteOptions& options, bool from_patch) {
    ObjectPtr old = Find(info.StorageKey(), path.namespace_name, path.name);
    if (!old) return ApiError::NotFound(info.group, info.plural, path.name);
    if (path.subresource == "scale") return UpdateScaleLocked(info, old, body, options);
    auto shaped = ShapeBody(info, path, std::move(body));
    if (!shaped.ok()) return shaped.error();
    json object = std::move(shaped).value();
    auto warnings = CheckFieldValidation(info, object, raw, options.field_validation);
    if (!warnings.ok()) return warnings.error();
    std::string rv_text = Str(object, {"metadata", "resourceVersion"});
    // Custom resources and CRDs do not allow unconditional updates (the built-ins used here do).
    const bool conditional_only = info.custom || info.kind == "CustomResourceDefinition";
    if (rv_text.empty() && !from_patch && conditional_only) {
      return ApiError::Invalid(info.group, info.kind, path.name,
                               {{"FieldValueInvalid", "Invalid value: 0x0: must be specified for an update",
                                 "metadata.resourceVersion"}});
    }
    if (!rv_text.empty() && rv_text != Str(*old, {"metadata", "resourceVersion"}))
      return ApiError::Conflict(info.group, info.plural, path.name);
    return UpdateLocked(info, path.subresource, old, std::move(object), *warnings, options);
  }
};

// ==================================================================== ObjectStore

ObjectStore::ObjectStore() = default;

ObjectStore::~ObjectStore() { (void)Close(); }

StatusOr<std::unique_ptr<ObjectStore>> ObjectStore::Open(ObjectStoreOptions options, const Clock& clock) {
  std::unique_ptr<ObjectStore> store(new ObjectStore());
  if (options.watch_history == 0) options.watch_history = 1;
  const std::filesystem::path data_dir = options.data_dir;
  store->impl_ = std::make_unique<Impl>(std::move(options), clock, store->registry_);
  Impl& impl = *store->impl_;
  if (!data_dir.empty()) {
    impl.log = std::make_unique<StoreLog>(data_dir / "store", impl.options.fsync_interval);
    auto recovered = impl.log->Recover(
        [&](const std::string& storage_key, json object) {
          if (!object.is_object() || !object.contains("metadata")) return;
          impl.RawPut(storage_key, std::make_shared<const json>(std::move(object)));
        },
        [&](const std::string& storage_key, const std::string& ns, const std::string& name) {
          impl.RawDelete(storage_key, Key(ns, name));
        });
    if (!recovered.ok()) return recovered.status();
    impl.rv = recovered->resource_version;
    if (auto crds = impl.data.find(kCrdStorageKey); crds != impl.data.end())
      for (const auto& [key, crd] : crds->second) impl.registry.InstallCrd(*crd);
  }
  impl.history_floor = impl.rv;
  impl.committed->store(impl.rv);
  std::unique_lock lock(impl.mutex);
  ResourceInfoPtr namespaces = impl.registry.Find("", "v1", "namespaces");
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    if (impl.Find(kNamespaceStorageKey, "", name)) continue;
    json ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
    auto created = impl.CreateLocked(*namespaces, ResourcePath{"", "v1", "namespaces", "", name, ""}, std::move(ns), {}, {});
    if (!created.ok()) return InternalError("cannot create namespace " + std::string(name) + ": " + created.error().message);
  }
  return store;
}

Status ObjectStore::Close() {
  if (!impl_) return Status::Ok();
  std::unique_lock lock(impl_->mutex);
  if (impl_->log) return impl_->log->Close();
  return Status::Ok();
}

uint64_t ObjectStore::CurrentResourceVersion() const { return impl_->committed->load(); }

ApiResult<WriteResult> ObjectStore::Create(const CreateRequest& request) {
  auto resolved = impl_->Resolve(request.path);
  if (!resolved.ok()) return resolved.error();
  const ResourceInfo& info = **resolved;
  if (!request.path.subresource.empty()) return ApiError::MethodNotSupported(info.group, info.plural);
  if (!request.body.is_object()) return ApiError::BadRequest("the body of the request must be a JSON object");
  json object = request.body;
  std::string kind = Str(object, {"kind"});
  if (!kind.empty() && kind != info.kind)
    return ApiError::BadRequest(kind + " in version \"" + info.version + "\" cannot be handled as a " + info.kind +
                                ": the kind in the data (" + kind + ") does not match the expected kind (" + info.kind + ")");
  std::string api_version = Str(object, {"apiVersion"});
  if (!api_version.empty() && api_version != info.ApiVersion())
    return ApiError::BadRequest("the API version in the data (" + api_version +
                                ") does not match the expected API version (" + info.ApiVersion() + ")");
  if (!object.contains("metadata") || !object["metadata"].is_object()) object["metadata"] = json::object();
  if (info.namespaced) {
    if (request.path.namespace_name.empty()) return ApiError::BadRequest("a namespace is required to create " + info.plural);
    std::string body_ns = NamespaceOf(object);
    if (!body_ns.empty() && body_ns != request.path.namespace_name)
      return ApiError::BadRequest("the namespace of the provided object does not match the namespace sent on the request");
    object["metadata"]["namespace"] = request.path.namespace_name;
  } else {
    object["metadata"].erase("namespace");
  }
  if (!request.path.name.empty() && !NameOf(object).empty() && NameOf(object) != request.path.name)
    return ApiError::BadRequest("the name of the object (" + NameOf(object) + ") does not match the name on the URL (" +
                                request.path.name + ")");
  if (auto rv = ParseRv(Str(object, {"metadata", "resourceVersion"})); rv && *rv != 0) {
    // The real storage layer refuses this with a bare 500 (no reason); unparsable values are ignored.
    return ApiError{500, "", "resourceVersion should not be set on objects to be created", json::object()};
  }
  Impl::StripServerFields(object);
  auto warnings = impl_->CheckFieldValidation(info, object, request.raw_body, request.options.field_validation);
  if (!warnings.ok()) return warnings.error();
  std::unique_lock lock(impl_->mutex);
  object["apiVersion"] = impl_->StorageApiVersion(info);
  object["kind"] = info.kind;
  auto result = impl_->CreateLocked(info, request.path, std::move(object), *warnings, request.options);
  if (result.ok()) result->object = impl_->Out(info, result->object);
  return result;
}

ApiResult<json> ObjectStore::Get(const GetRequest& request) {
  auto resolved = impl_->Resolve(request.path);
  if (!resolved.ok()) return resolved.error();
  const ResourceInfo& info = **resolved;
  if (!request.resource_version.empty() && !ParseRv(request.resource_version))
    return ApiError::BadRequest("invalid resource version \"" + request.resource_version + "\"");
  std::shared_lock lock(impl_->mutex);
  ObjectPtr object = impl_->Find(info.StorageKey(), request.path.namespace_name, request.path.name);
  if (!object) return ApiError::NotFound(info.group, info.plural, request.path.name);
  if (request.path.subresource == "scale") return impl_->MakeScale(info, *object);
  return impl_->Out(info, *object);
}

ApiResult<ListResult> ObjectStore::List(const ListRequest& request) {
  auto resolved = impl_->Resolve(request.path);
  if (!resolved.ok()) return resolved.error();
  const ResourceInfo& info = **resolved;
  auto labels = LabelSelector::Parse(request.label_selector);
  if (!labels.ok()) return FromSemanticsStatus(labels.status());
  auto fields = FieldSelector::Parse(request.field_selector, info.selectable_fields);
  if (!fields.ok()) return FromSemanticsStatus(fields.status());
  if (request.limit < 0) return ApiError::BadRequest("limit must be a non-negative integer");
  if (!request.resource_version_match.empty() && request.resource_version_match != "NotOlderThan" &&
      request.resource_version_match != "Exact")
    return ApiError::BadRequest("resourceVersionMatch: Unsupported value: \"" + request.resource_version_match +
                                "\": supported values: \"Exact\", \"NotOlderThan\", \"\"");
  if (!request.resource_version_match.empty() && request.resource_version.empty())
    return ApiError::BadRequest("resourceVersionMatch is forbidden unless resourceVersion is provided");
  if (!request.continue_token.empty() && !request.resource_version.empty() && request.resource_version != "0")
    return ApiError::BadRequest("specifying resource version is not allowed when using continue");
  std::optional<uint64_t> requested;
  if (!request.resource_version.empty()) {
    requested = ParseRv(request.resource_version);
    if (!requested) return ApiError::BadRequest("invalid resource version \"" + request.resource_version + "\"");
  }
  const std::string prefix = request.path.namespace_name.empty() ? "" : request.path.namespace_name + "/";
  std::string start;
  std::optional<uint64_t> token_rv;
  if (!request.continue_token.empty()) {
    auto token = DecodeContinueToken(request.continue_token);
    if (!token.ok()) return ApiError::BadRequest(token.status().message());
    start = prefix + token->start_key;
    token_rv = token->resource_version;
  }
  std::shared_lock lock(impl_->mutex);
  const uint64_t current = impl_->rv;
  if (requested && *requested > current && request.resource_version != "0")
    return ApiError::TooLargeResourceVersion(*requested, current);
  if (requested && request.resource_version_match == "Exact" && *requested != current)
    return ApiError::TooOldResourceVersion(*requested, current);
  if (token_rv && *token_rv < impl_->history_floor) {
    return ApiError::Expired(
        "The provided continue parameter is too old to display a consistent list result. You can start a new list "
        "without the continue parameter, or use the continue token in this response to retrieve the remainder of "
        "the results. Continuing with the provided token results in an inconsistent list - objects that were "
        "created, modified, or deleted between the time the first chunk was returned and now may show up in the "
        "list.");
  }
  json items = json::array();
  json list_meta = {{"resourceVersion", std::to_string(token_rv ? *token_rv : current)}};
  auto bucket = impl_->data.find(info.StorageKey());
  if (bucket != impl_->data.end()) {
    auto it = start.empty() ? bucket->second.lower_bound(prefix) : bucket->second.lower_bound(start);
    const bool filtered = !labels->Empty() || !fields->Empty();
    size_t limit = request.limit > 0 ? static_cast<size_t>(request.limit) : 0;
    std::string last_key;
    for (; it != bucket->second.end(); ++it) {
      if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
      const json& object = *it->second;
      if (filtered) {
        const json& metadata = object["metadata"];
        auto object_labels = metadata.find("labels");
        if (!labels->Matches(object_labels == metadata.end() ? json() : *object_labels)) continue;
        if (!fields->Matches(object)) continue;
      }
      if (limit > 0 && items.size() == limit) {
        // More items follow: answer a continue token (and how many remain when unfiltered).
        list_meta["continue"] =
            EncodeContinueToken({token_rv ? *token_rv : current, last_key.substr(prefix.size()) + std::string(1, '\0')});
        if (!filtered) {
          int64_t remaining = 0;
          for (auto rest = it; rest != bucket->second.end(); ++rest) {
            if (!prefix.empty() && rest->first.compare(0, prefix.size(), prefix) != 0) break;
            ++remaining;
          }
          list_meta["remainingItemCount"] = remaining;
        }
        break;
      }
      items.push_back(impl_->Out(info, object));
      last_key = it->first;
    }
  }
  json list = {{"kind", info.list_kind}, {"apiVersion", info.ApiVersion()}, {"metadata", std::move(list_meta)},
               {"items", std::move(items)}};
  return ListResult{std::move(list)};
}

ApiResult<WriteResult> ObjectStore::Update(const UpdateRequest& request) {
  auto resolved = impl_->Resolve(request.path);
  if (!resolved.ok()) return resolved.error();
  const ResourceInfo& info = **resolved;
  std::unique_lock lock(impl_->mutex);
  return impl_->UpdateFromBody(info, request.path, request.body, request.raw_body, request.options, false);
}

ApiResult<WriteResult> ObjectStore::Patch(const PatchRequest& request) {
  auto resolved = impl_->Resolve(request.path);
  if (!resolved.ok()) return resolved.error();
  const ResourceInfo& info = **resolved;
  if (request.type == PatchType::kStrategicMergePatch && info.custom)
    return ApiError::UnsupportedMediaType(
        {"application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"});
  std::unique_lock lock(impl_->mutex);
  ObjectPtr old = impl_->Find(info.StorageKey(), request.path.namespace_name, request.path.name);
  if (!old) {
    if (request.type == PatchType::kApplyPatch && request.path.subresource.empty()) {
      // Server-side apply of a missing object creates it.
      if (!request.patch.is_object()) return ApiError::BadRequest("the apply configuration must be an object");
      json object = request.patch;
      if (!object.contains("metadata") || !object["metadata"].is_object()) object["metadata"] = json::object();
      if (!NameOf(object).empty() && NameOf(object) != request.path.name)
        return ApiError::BadRequest("the name of the object (" + NameOf(object) +
                                    ") does not match the name on the URL (" + request.path.name + ")");
      object["metadata"]["name"] = request.path.name;
      if (info.namespaced) object["metadata"]["namespace"] = request.path.namespace_name;
      Impl::StripServerFields(object);
      auto warnings = impl_->CheckFieldValidation(info, object, request.raw_patch, request.options.field_validation);
      if (!warnings.ok()) return warnings.error();
      object["apiVersion"] = impl_->StorageApiVersion(info);
      object["kind"] = info.kind;
      auto result = impl_->CreateLocked(info, request.path, std::move(object), *warnings, request.options);
      if (result.ok()) result->object = impl_->Out(info, result->object);
      return result;
    }
    return ApiError::NotFound(info.group, info.plural, request.path.name);
  }
  json base = request.path.subresource == "scale" ? impl_->MakeScale(info, *old) : impl_->Out(info, *old);
  StatusOr<json> patched = InternalError("unsupported patch type");
  switch (request.type) {
    case PatchType::kJsonPatch:
      patched = ApplyJsonPatch(base, request.patch);
      if (!patched.ok() && patched.status().code() == StatusCode::kFailedPrecondition) {
        return ApiError{422, "Invalid", "the server rejected our request due to an error in our request",
                        json{{"causes", {{{"reason", "UnexpectedServerResponse"}, {"message", patched.status().message()}}}}}};
      }
      break;
    case PatchType::kMergePatch:
      patched = ApplyMergePatch(base, request.patch);
      break;
    case PatchType::kStrategicMergePatch:
      if (request.path.subresource == "scale") {
        patched = ApplyMergePatch(base, request.patch);
      } else {
        patched = ApplyStrategicMergePatch(base, request.patch, info.kind);
      }
      break;
    case PatchType::kApplyPatch:
      if (!request.patch.is_object()) return ApiError::BadRequest("the apply configuration must be an object");
      patched = MergePatchValue(base, request.patch);
      break;
  }
  if (!patched.ok()) return FromSemanticsStatus(patched.status());
  return impl_->UpdateFromBody(info, request.path, std::move(patched).value(), request.raw_patch, request.options, true);
}

ApiResult<DeleteResult> ObjectStore::Delete(const DeleteRequest& request) {
  auto resolved = impl_->Resolve(request.path);
  if (!resolved.ok()) return resolved.error();
  const ResourceInfo& info = **resolved;
  if (!request.path.subresource.empty()) return ApiError::MethodNotSupported(info.group, info.plural);
  const DeleteOptions& options = request.options;
  std::string policy = "Background";
  if (options.propagation_policy && options.orphan_dependents) {
    return ApiError::Invalid("", "DeleteOptions", "",
                             {{"FieldValueInvalid",
                               "Invalid value: \"" + *options.propagation_policy +
                                   "\": orphanDependents and deletionPropagation cannot be both set",
                               "propagationPolicy"}});
  }
  if (options.propagation_policy) {
    policy = *options.propagation_policy;
    if (policy != "Background" && policy != "Foreground" && policy != "Orphan") {
      return ApiError::Invalid("", "DeleteOptions", "",
                               {{"FieldValueNotSupported",
                                 "Unsupported value: \"" + policy +
                                     "\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"",
                                 "propagationPolicy"}});
    }
  } else if (options.orphan_dependents) {
    policy = *options.orphan_dependents ? "Orphan" : "Foreground";
  }
  if (options.grace_period_seconds && *options.grace_period_seconds < 0) {
    return ApiError::Invalid("", "DeleteOptions", "",
                             {{"FieldValueInvalid",
                               "Invalid value: " + std::to_string(*options.grace_period_seconds) +
                                   ": must be greater than or equal to 0",
                               "gracePeriodSeconds"}});
  }
  std::unique_lock lock(impl_->mutex);
  ObjectPtr object = impl_->Find(info.StorageKey(), request.path.namespace_name, request.path.name);
  if (!object) return ApiError::NotFound(info.group, info.plural, request.path.name);
  if (options.precondition_uid && *options.precondition_uid != UidOf(*object)) {
    return ApiError::Conflict(info.group, info.plural, request.path.name,
                              "Precondition failed: UID in precondition: " + *options.precondition_uid +
                                  ", UID in object meta: " + UidOf(*object));
  }
  if (options.precondition_resource_version &&
      *options.precondition_resource_version != Str(*object, {"metadata", "resourceVersion"})) {
    return ApiError::Conflict(info.group, info.plural, request.path.name,
                              "Precondition failed: ResourceVersion in precondition: " +
                                  *options.precondition_resource_version +
                                  ", ResourceVersion in object meta: " + Str(*object, {"metadata", "resourceVersion"}));
  }
  auto result = impl_->DeleteLocked(info, object, policy, options.dry_run);
  if (result.ok() && !result->deleted && options.orphan_dependents && !*options.orphan_dependents)
    result->http_code = 202;
  return result;
}

ApiResult<ListResult> ObjectStore::DeleteCollection(const DeleteCollectionRequest& request) {
  auto resolved = impl_->Resolve(request.path);
  if (!resolved.ok()) return resolved.error();
  const ResourceInfo& info = **resolved;
  if (std::find(info.verbs.begin(), info.verbs.end(), "deletecollection") == info.verbs.end())
    return ApiError::MethodNotSupported(info.group, info.plural);
  ListRequest list_request;
  list_request.path = request.path;
  list_request.label_selector = request.label_selector;
  list_request.field_selector = request.field_selector;
  auto listed = List(list_request);
  if (!listed.ok()) return listed.error();
  json deleted = json::array();
  std::string policy = request.options.propagation_policy.value_or(
      request.options.orphan_dependents ? (*request.options.orphan_dependents ? "Orphan" : "Foreground") : "Background");
  std::unique_lock lock(impl_->mutex);
  for (const json& item : listed->list["items"]) {
    ObjectPtr object = impl_->Find(info.StorageKey(), NamespaceOf(item), NameOf(item));
    if (!object) continue;
    auto result = impl_->DeleteLocked(info, object, policy, request.options.dry_run);
    if (!result.ok()) return result.error();
    ObjectPtr now = impl_->Find(info.StorageKey(), NamespaceOf(item), NameOf(item));
    deleted.push_back(impl_->Out(info, now ? *now : *object));
  }
  json list = {{"kind", info.list_kind},
               {"apiVersion", info.ApiVersion()},
               {"metadata", {{"resourceVersion", std::to_string(impl_->rv)}}},
               {"items", std::move(deleted)}};
  return ListResult{std::move(list)};
}

ApiResult<WatchSubscriptionPtr> ObjectStore::Watch(const WatchRequest& request) {
  auto resolved = impl_->Resolve(request.path);
  if (!resolved.ok()) return resolved.error();
  const ResourceInfo& info = **resolved;
  auto labels = LabelSelector::Parse(request.label_selector);
  if (!labels.ok()) return FromSemanticsStatus(labels.status());
  auto fields = FieldSelector::Parse(request.field_selector, info.selectable_fields);
  if (!fields.ok()) return FromSemanticsStatus(fields.status());
  WatchSubscription::Filter filter;
  filter.storage_key = info.StorageKey();
  filter.api_version = info.ApiVersion();
  filter.kind = info.kind;
  filter.namespace_name = request.path.namespace_name;
  filter.name = request.path.name;
  if (filter.name.empty()) {
    if (const std::string* name = fields->RequiredValue("metadata.name")) filter.name = *name;
  }
  filter.label_selector = std::move(labels).value();
  filter.field_selector = std::move(fields).value();
  filter.allow_bookmarks = request.allow_bookmarks;
  std::optional<uint64_t> from;
  if (!request.resource_version.empty() && request.resource_version != "0") {
    from = ParseRv(request.resource_version);
    if (!from) return ApiError::BadRequest("invalid resource version \"" + request.resource_version + "\"");
  }
  std::shared_lock lock(impl_->mutex);
  const uint64_t current = impl_->rv;
  if (from && *from > current) return ApiError::TooLargeResourceVersion(*from, current);
  if (from && *from < impl_->history_floor) return ApiError::TooOldResourceVersion(*from, impl_->history_floor + 1);
  auto subscription = std::make_shared<WatchSubscription>(std::move(filter), from.value_or(current),
                                                          impl_->options.max_watch_queue, impl_->committed);
  if (!from) {
    // Start at the most recent state: synthetic ADDED events for what exists now.
    if (auto bucket = impl_->data.find(info.StorageKey()); bucket != impl_->data.end()) {
      const std::string prefix = request.path.namespace_name.empty() ? "" : request.path.namespace_name + "/";
      for (auto it = bucket->second.lower_bound(prefix); it != bucket->second.end(); ++it) {
        if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
        subscription->PushInitial(it->second, current);
      }
    }
    if (request.send_initial_events && request.allow_bookmarks) subscription->PushInitialEventsEnd(current);
  } else {
    for (const auto& change : impl_->history)
      if (change->resource_version > *from && change->storage_key == info.StorageKey()) subscription->Publish(change);
  }
  {
    std::lock_guard subs_lock(impl_->subs_mutex);
    impl_->subs[info.StorageKey()].push_back(subscription);
  }
  return subscription;
}

}  // namespace lifeboat::devcluster
