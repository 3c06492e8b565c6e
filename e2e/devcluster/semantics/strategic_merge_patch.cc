#include "e2e/devcluster/semantics/strategic_merge_patch.h"

#include <algorithm>
#include <string>
#include <vector>

#include "e2e/devcluster/semantics/builtin_schemas.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

constexpr std::string_view kPatchDirective = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

const json& EmptySchema() {
  static const json kEmpty = json::object();
  return kEmpty;
}

// The schema of property `key` of an object schema (declared property or map value), or {}.
const json& PropertySchema(const json& schema, const std::string& key) {
  if (!schema.is_object()) return EmptySchema();
  auto props = schema.find("properties");
  if (props != schema.end() && props->is_object()) {
    auto it = props->find(key);
    if (it != props->end()) return *it;
  }
  auto additional = schema.find("additionalProperties");
  if (additional != schema.end() && additional->is_object()) return *additional;
  return EmptySchema();
}

const json& ItemsSchema(const json& schema) {
  if (schema.is_object()) {
    auto items = schema.find("items");
    if (items != schema.end() && items->is_object()) return *items;
  }
  return EmptySchema();
}

struct ListStrategy {
  bool merge = false;
  std::string merge_key;  // empty for lists of scalars
};

ListStrategy StrategyOf(const json& schema) {
  ListStrategy s;
  if (!schema.is_object()) return s;
  auto strategy = schema.find("x-kubernetes-patch-strategy");
  if (strategy != schema.end() && strategy->is_string() &&
      strategy->get<std::string>().find("merge") != std::string::npos) {
    s.merge = true;
  }
  auto key = schema.find("x-kubernetes-patch-merge-key");
  if (key != schema.end() && key->is_string()) s.merge_key = key->get<std::string>();
  return s;
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

StatusOr<json> MergeValue(const json& original, const json& patch, const json& schema);
StatusOr<json> MergeMap(const json& original, const json& patch, const json& schema);

// Removes directives from a patch value that lands where nothing existed before.
StatusOr<json> Fresh(const json& patch, const json& schema) {
  if (patch.is_object()) return MergeMap(json::object(), patch, schema);
  if (patch.is_array()) return MergeValue(json::array(), patch, schema);
  return patch;
}

// Reorders `list` so that elements named in `order` (by merge key, or by value for scalars) come
// first, in that order; the others keep their relative order after them.
json ApplyElementOrder(const json& list, const json& order, const std::string& merge_key) {
  json ordered = json::array();
  std::vector<bool> used(list.size(), false);
  for (const json& wanted : order) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (used[i]) continue;
      const json& item = list[i];
      bool match = merge_key.empty()
                       ? item == wanted
                       : (item.is_object() && wanted.is_object() && item.contains(merge_key) &&
                          wanted.contains(merge_key) && item[merge_key] == wanted[merge_key]);
      if (match) {
        ordered.push_back(item);
        used[i] = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < list.size(); ++i) {
    if (!used[i]) ordered.push_back(list[i]);
  }
  return ordered;
}

StatusOr<json> MergeList(const json& original, const json& patch, const json& schema) {
  ListStrategy strategy = StrategyOf(schema);
  const json& items_schema = ItemsSchema(schema);
  // A {"$patch": "replace"} element replaces the whole list with the other elements.
  bool replace = false;
  json elements = json::array();
  for (const json& item : patch) {
    if (item.is_object() && item.contains(kPatchDirective)) {
      const json& d = item[std::string(kPatchDirective)];
      if (d == "replace" && item.size() == 1) {
        replace = true;
        continue;
      }
    }
    elements.push_back(item);
  }
  if (!strategy.merge || replace) {
    json result = json::array();
    for (const json& item : elements) {
      if (item.is_object() && item.contains(kPatchDirective) && item[std::string(kPatchDirective)] == "delete") continue;
      auto fresh = Fresh(item, items_schema);
      if (!fresh.ok()) return fresh.status();
      result.push_back(std::move(*fresh));
    }
    return result;
  }
  json result = original.is_array() ? original : json::array();
  if (strategy.merge_key.empty()) {
    // A merged list of scalars is a set union: existing values first, new ones appended.
    for (const json& item : elements) {
      if (item.is_object() && item.contains(kPatchDirective)) {
        return InvalidArgumentError("invalid patch format of primitive list: unexpected " + item.dump());
      }
      if (std::find(result.begin(), result.end(), item) == result.end()) result.push_back(item);
    }
    return result;
  }
  const std::string& key = strategy.merge_key;
  for (const json& item : elements) {
    if (!item.is_object() || !item.contains(key)) {
      return InvalidArgumentError("map: " + item.dump() + " does not contain declared merge key: " + key);
    }
    auto found = std::find_if(result.begin(), result.end(), [&](const json& existing) {
      return existing.is_object() && existing.contains(key) && existing[key] == item[key];
    });
    std::string directive;
    if (item.contains(kPatchDirective) && item[std::string(kPatchDirective)].is_string()) {
      directive = item[std::string(kPatchDirective)].get<std::string>();
    }
    if (directive == "delete") {
      if (found != result.end()) result.erase(found);
      continue;
    }
    if (!directive.empty() && directive != "merge" && directive != "replace") {
      return InvalidArgumentError("unknown patch type: " + directive + " in map: " + item.dump());
    }
    if (found == result.end()) {
      auto fresh = Fresh(item, items_schema);
      if (!fresh.ok()) return fresh.status();
      result.push_back(std::move(*fresh));
    } else if (directive == "replace") {
      auto fresh = Fresh(item, items_schema);
      if (!fresh.ok()) return fresh.status();
      *found = std::move(*fresh);
    } else {
      auto merged = MergeMap(*found, item, items_schema);
      if (!merged.ok()) return merged.status();
      *found = std::move(*merged);
    }
  }
  return result;
}

StatusOr<json> MergeValue(const json& original, const json& patch, const json& schema) {
  if (patch.is_object()) {
    return MergeMap(original.is_object() ? original : json::object(), patch, schema);
  }
  if (patch.is_array()) return MergeList(original.is_array() ? original : json::array(), patch, schema);
  return patch;
}

StatusOr<json> MergeMap(const json& original, const json& patch, const json& schema) {
  json result = original.is_object() ? original : json::object();
  std::string directive;
  if (auto d = patch.find(kPatchDirective); d != patch.end()) {
    if (!d->is_string()) return InvalidArgumentError("unknown patch type: " + d->dump() + " in map: " + patch.dump());
    directive = d->get<std::string>();
    if (directive == "replace") {
      json rest = patch;
      rest.erase(std::string(kPatchDirective));
      return MergeMap(json::object(), rest, schema);
    }
    if (directive == "delete") return json::object();
    if (directive != "merge") return InvalidArgumentError("unknown patch type: " + directive + " in map: " + patch.dump());
  }
  // $retainKeys: only the listed keys survive from the original.
  if (auto retain = patch.find(kRetainKeys); retain != patch.end()) {
    if (!retain->is_array()) return InvalidArgumentError("invalid patch format of retainKeys");
    std::vector<std::string> keep;
    for (const json& k : *retain) {
      if (!k.is_string()) return InvalidArgumentError("invalid patch format of retainKeys");
      keep.push_back(k.get<std::string>());
    }
    for (auto it = patch.begin(); it != patch.end(); ++it) {
      if (StartsWith(it.key(), "$") || it->is_null()) continue;
      if (std::find(keep.begin(), keep.end(), it.key()) == keep.end()) {
        return FailedPreconditionError("patch content doesn't match retainKeys list");
      }
    }
    for (auto it = result.begin(); it != result.end();) {
      if (std::find(keep.begin(), keep.end(), it.key()) == keep.end()) {
        it = result.erase(it);
      } else {
        ++it;
      }
    }
  }
  // $deleteFromPrimitiveList/<field>: remove values from a list of scalars before merging.
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!StartsWith(it.key(), kDeleteFromPrimitiveList)) continue;
    std::string field = it.key().substr(kDeleteFromPrimitiveList.size());
    if (!it->is_array()) return InvalidArgumentError("invalid patch format of primitive list");
    auto target = result.find(field);
    if (target == result.end() || !target->is_array()) continue;
    json kept = json::array();
    for (const json& v : *target) {
      if (std::find(it->begin(), it->end(), v) == it->end()) kept.push_back(v);
    }
    *target = std::move(kept);
  }
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& key = it.key();
    if (StartsWith(key, "$")) {
      if (key == kPatchDirective || key == kRetainKeys || StartsWith(key, kSetElementOrder) ||
          StartsWith(key, kDeleteFromPrimitiveList)) {
        continue;
      }
      return InvalidArgumentError("unknown patch directive: " + key);
    }
    if (it->is_null()) {
      result.erase(key);
      continue;
    }
    const json& field_schema = PropertySchema(schema, key);
    if (it->is_object() && it->contains(kPatchDirective) && (*it)[std::string(kPatchDirective)] == "delete") {
      result.erase(key);
      continue;
    }
    auto existing = result.find(key);
    StatusOr<json> merged = existing == result.end() ? Fresh(*it, field_schema)
                                                     : MergeValue(*existing, *it, field_schema);
    if (!merged.ok()) return merged.status();
    result[key] = std::move(*merged);
  }
  // $setElementOrder/<field>: the final order of a merged list.
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!StartsWith(it.key(), kSetElementOrder)) continue;
    std::string field = it.key().substr(kSetElementOrder.size());
    if (!it->is_array()) return InvalidArgumentError("invalid patch format of setElementOrder list");
    auto target = result.find(field);
    if (target == result.end() || !target->is_array()) continue;
    *target = ApplyElementOrder(*target, *it, StrategyOf(PropertySchema(schema, field)).merge_key);
  }
  return result;
}

}  // namespace

StatusOr<json> ApplyStrategicMergePatchWithSchema(const json& doc, const json& patch, const json& schema) {
  if (!patch.is_object()) return InvalidArgumentError("patch must be a JSON object");
  return MergeMap(doc, patch, schema);
}

StatusOr<json> ApplyStrategicMergePatch(const json& doc, const json& patch, std::string_view kind) {
  for (const BuiltinKind& k : BuiltinKinds()) {
    if (k.kind == kind) {
      return ApplyStrategicMergePatchWithSchema(doc, patch, *BuiltinSchema(k.group, k.version, k.kind));
    }
  }
  return InvalidArgumentError("strategic merge patch is not supported for kind \"" + std::string(kind) + "\"");
}

}  // namespace lifeboat::devcluster
