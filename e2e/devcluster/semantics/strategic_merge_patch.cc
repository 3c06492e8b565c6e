#include "e2e/devcluster/semantics/strategic_merge_patch.h"

#include <algorithm>
#include <string>
#include <vector>

#include "e2e/devcluster/semantics/builtin_schemas.h"
#include "e2e/devcluster/semantics/go_format.h"

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

// Where `item` sits in `list`: by merge-key value for lists of maps, by value for scalars; -1 if absent.
int IndexIn(const json& list, const json& item, const std::string& merge_key) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (merge_key.empty()) {
      if (list[i] == item) return static_cast<int>(i);
    } else if (list[i].is_object() && item.is_object()) {
      auto a = list[i].find(merge_key);
      auto b = item.find(merge_key);
      if (a != list[i].end() && b != item.end() && *a == *b) return static_cast<int>(i);
    }
  }
  return -1;
}

void StableSortBy(std::vector<json>& items, const json& order, const std::string& merge_key) {
  std::stable_sort(items.begin(), items.end(), [&](const json& a, const json& b) {
    int ia = IndexIn(order, a, merge_key);
    int ib = IndexIn(order, b, merge_key);
    if (ia >= 0 && ib >= 0) return ia < ib;
    return ia >= 0 && ib < 0;
  });
}

// The element order the real server gives a merged list: the items named by the patch (or by its
// $setElementOrder list) in that order, the server-only items in their live order, interleaved
// so that a server-only item stays in front of a patch item it preceded in the live list.
json NormalizeElementOrder(const json& merged, const json& patch_order, const json& server_order,
                           const std::string& merge_key) {
  std::vector<json> patch_items, server_only;
  for (const json& item : merged) {
    (IndexIn(patch_order, item, merge_key) >= 0 ? patch_items : server_only).push_back(item);
  }
  StableSortBy(patch_items, patch_order, merge_key);
  StableSortBy(server_only, server_order, merge_key);
  json result = json::array();
  size_t i = 0, j = 0;
  while (i < server_only.size() || j < patch_items.size()) {
    if (i >= server_only.size()) {
      result.push_back(patch_items[j++]);
    } else if (j >= patch_items.size()) {
      result.push_back(server_only[i++]);
    } else {
      int li = IndexIn(server_order, server_only[i], merge_key);
      int ri = IndexIn(server_order, patch_items[j], merge_key);
      if (li >= 0 && ri >= 0 && li < ri) {
        result.push_back(server_only[i++]);
      } else {
        result.push_back(patch_items[j++]);
      }
    }
  }
  return result;
}

Status NoMergeKey(const json& item, const std::string& key) {
  return InvalidArgumentError("map: " + GoV(item) + " does not contain declared merge key: " + key);
}

StatusOr<json> MergeList(const json& original, const json& patch, const json& schema) {
  ListStrategy strategy = StrategyOf(schema);
  const json& items_schema = ItemsSchema(schema);
  if (!strategy.merge) {
    // Lists without a merge strategy are replaced.
    json result = json::array();
    for (const json& item : patch) {
      if (item.is_object() && item.contains(kPatchDirective)) continue;
      auto fresh = Fresh(item, items_schema);
      if (!fresh.ok()) return fresh.status();
      result.push_back(std::move(*fresh));
    }
    return result;
  }
  if (original.empty() && patch.empty()) return original;
  if (strategy.merge_key.empty()) {
    // A merged list of scalars is a set union.
    json merged = original;
    for (const json& item : patch) {
      if (item.is_object() || item.is_array()) {
        return InvalidArgumentError("list element types are not identical: " + GoV(original) + " " + GoV(patch));
      }
      if (IndexIn(merged, item, "") < 0) merged.push_back(item);
    }
    return NormalizeElementOrder(merged, patch, original, "");
  }
  const std::string& key = strategy.merge_key;
  json live = original;
  json rest = json::array();
  bool replace = false;
  for (const json& item : patch) {
    if (!item.is_object()) return InvalidArgumentError("value for key " + key + " is not a map.");
    auto d = item.find(kPatchDirective);
    if (d == item.end()) {
      rest.push_back(item);
      continue;
    }
    if (*d == "delete") {
      if (!item.contains(key)) return NoMergeKey(item, key);
      json kept = json::array();
      for (const json& existing : live) {
        if (!(existing.is_object() && existing.contains(key) && existing[key] == item[key])) kept.push_back(existing);
      }
      live = std::move(kept);
    } else if (*d == "replace") {
      replace = true;
    } else if (*d == "merge") {
      return InvalidArgumentError("merging lists cannot yet be specified in the patch");
    } else {
      return InvalidArgumentError("unknown patch type: " + GoV(*d) + " in map: " + GoV(item));
    }
  }
  if (replace) {
    live = json::array();
    for (const json& item : rest) {
      auto fresh = Fresh(item, items_schema);
      if (!fresh.ok()) return fresh.status();
      live.push_back(std::move(*fresh));
    }
    return live;
  }
  json merged = live;
  for (const json& item : rest) {
    if (!item.contains(key)) return NoMergeKey(item, key);
    int found = IndexIn(merged, item, key);
    StatusOr<json> value = found < 0 ? Fresh(item, items_schema) : MergeMap(merged[found], item, items_schema);
    if (!value.ok()) return value.status();
    if (found < 0) {
      merged.push_back(std::move(*value));
    } else {
      merged[found] = std::move(*value);
    }
  }
  return NormalizeElementOrder(merged, rest, live, key);
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
  if (auto d = patch.find(kPatchDirective); d != patch.end()) {
    if (*d == "replace") {
      json rest = patch;
      rest.erase(std::string(kPatchDirective));
      return MergeMap(json::object(), rest, schema);
    }
    if (*d == "delete") return json::object();
    return InvalidArgumentError("unknown patch type: " + GoV(*d) + " in map: " + GoV(patch));
  }
  // $retainKeys: only the listed keys survive from the original, and the patch may set no others.
  if (auto retain = patch.find(kRetainKeys); retain != patch.end()) {
    if (!retain->is_array()) return InvalidArgumentError("invalid patch format of retainKeys");
    for (auto it = patch.begin(); it != patch.end(); ++it) {
      const std::string& k = it.key();
      if (k == kRetainKeys || it->is_null() || StartsWith(k, kDeleteFromPrimitiveList) || StartsWith(k, kSetElementOrder)) {
        continue;
      }
      if (std::find(retain->begin(), retain->end(), json(k)) == retain->end()) {
        return InvalidArgumentError("invalid patch format of retainKeys");
      }
    }
    for (auto it = result.begin(); it != result.end();) {
      if (std::find(retain->begin(), retain->end(), json(it.key())) == retain->end()) {
        it = result.erase(it);
      } else {
        ++it;
      }
    }
  }
  // $deleteFromPrimitiveList/<field>: remove values from a merged list of scalars.
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!StartsWith(it.key(), kDeleteFromPrimitiveList)) continue;
    std::string field = it.key().substr(kDeleteFromPrimitiveList.size());
    if (field.empty() || !it->is_array()) return InvalidArgumentError("invalid patch format of primitive list");
    auto target = result.find(field);
    if (target == result.end() || !target->is_array()) continue;
    json kept = json::array();
    for (const json& v : *target) {
      if (std::find(it->begin(), it->end(), v) == it->end()) kept.push_back(v);
    }
    *target = std::move(kept);
  }
  // $setElementOrder/<field>: merge that list now and give it the order the client asked for.
  std::vector<std::string> ordered_fields;
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!StartsWith(it.key(), kSetElementOrder)) continue;
    std::string field = it.key().substr(kSetElementOrder.size());
    if (field.empty() || !it->is_array()) return InvalidArgumentError("invalid patch format of setElementOrder list");
    const json& field_schema = PropertySchema(schema, field);
    auto live = result.find(field);
    auto change = patch.find(field);
    bool have_live = live != result.end() && live->is_array();
    bool have_change = change != patch.end() && change->is_array();
    if (!have_live && !have_change) continue;
    json live_list = have_live ? *live : json::array();
    StatusOr<json> merged = have_change ? MergeList(live_list, *change, field_schema) : StatusOr<json>(live_list);
    if (!merged.ok()) return merged.status();
    result[field] = NormalizeElementOrder(*merged, *it, live_list, StrategyOf(field_schema).merge_key);
    ordered_fields.push_back(field);
  }
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    const std::string& key = it.key();
    if (key == kRetainKeys || StartsWith(key, kSetElementOrder) || StartsWith(key, kDeleteFromPrimitiveList)) continue;
    if (std::find(ordered_fields.begin(), ordered_fields.end(), key) != ordered_fields.end()) continue;
    if (it->is_null()) {
      result.erase(key);
      continue;
    }
    const json& field_schema = PropertySchema(schema, key);
    auto existing = result.find(key);
    StatusOr<json> merged = existing == result.end() ? Fresh(*it, field_schema)
                                                     : MergeValue(*existing, *it, field_schema);
    if (!merged.ok()) return merged.status();
    result[key] = std::move(*merged);
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
