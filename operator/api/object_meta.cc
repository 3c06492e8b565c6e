#include "operator/api/object_meta.h"

#include "operator/api/json_fields.h"

namespace lifeboat::api {

ObjectMeta ParseObjectMeta(const nlohmann::json& object, FieldErrors* errors) {
  ObjectMeta meta;
  FieldReader root(object, "", errors);
  std::optional<FieldReader> m = root.Object("metadata", true);
  if (!m) return meta;
  meta.name = m->String("name", true).value_or("");
  meta.namespace_ = m->String("namespace").value_or("");
  meta.uid = m->String("uid").value_or("");
  meta.resource_version = m->String("resourceVersion").value_or("");
  meta.generation = m->Int("generation").value_or(0);
  meta.creation_timestamp = m->Time("creationTimestamp");
  meta.deletion_timestamp = m->Time("deletionTimestamp");
  meta.labels = m->StringMap("labels");
  meta.annotations = m->StringMap("annotations");
  meta.finalizers = m->StringList("finalizers");
  return meta;
}

void CheckTypeMeta(const nlohmann::json& object, const std::string& kind, FieldErrors* errors) {
  FieldReader root(object, "", errors);
  std::optional<std::string> api_version = root.String("apiVersion", true);
  if (api_version && *api_version != kApiVersion) errors->NotSupported("apiVersion", Quote(*api_version), {kApiVersion});
  std::optional<std::string> actual_kind = root.String("kind", true);
  if (actual_kind && *actual_kind != kind) errors->NotSupported("kind", Quote(*actual_kind), {kind});
}

}  // namespace lifeboat::api
