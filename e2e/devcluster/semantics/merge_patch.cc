#include "e2e/devcluster/semantics/merge_patch.h"

namespace lifeboat::devcluster {

nlohmann::json MergePatchValue(const nlohmann::json& target, const nlohmann::json& patch) {
  if (!patch.is_object()) return patch;
  nlohmann::json result = target.is_object() ? target : nlohmann::json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_null()) {
      result.erase(it.key());
    } else {
      auto existing = result.find(it.key());
      result[it.key()] = MergePatchValue(existing != result.end() ? *existing : nlohmann::json(), *it);
    }
  }
  return result;
}

StatusOr<nlohmann::json> ApplyMergePatch(const nlohmann::json& doc, const nlohmann::json& patch) {
  if (!patch.is_object()) return InvalidArgumentError("patch must be a JSON object");
  return MergePatchValue(doc, patch);
}

}  // namespace lifeboat::devcluster
