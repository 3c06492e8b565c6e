// ObjectMeta: the parts of a resource's metadata the controllers read (identity, generation,
// annotations for on-demand triggers). Read-only view parsed from the API object; plain value,
// thread-compatible.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/api/field_errors.h"
#include "operator/core/clock.h"

namespace lifeboat::api {

inline constexpr char kGroup[] = "lifeboat.dev";
inline constexpr char kVersion[] = "v1alpha1";
inline constexpr char kApiVersion[] = "lifeboat.dev/v1alpha1";

// Annotations a user sets to run something now; the operator acts once per distinct value and
// records the value in status (it never writes annotations itself).
inline constexpr char kBackupNowAnnotation[] = "lifeboat.dev/backup-now";
inline constexpr char kDrillNowAnnotation[] = "lifeboat.dev/drill-now";

struct ObjectMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;
  std::int64_t generation = 0;
  std::optional<WallTime> creation_timestamp;
  std::optional<WallTime> deletion_timestamp;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> finalizers;

  // "namespace/name".
  std::string Key() const { return namespace_ + "/" + name; }
};

// Reads .metadata; records errors (e.g. a missing name) under "metadata".
ObjectMeta ParseObjectMeta(const nlohmann::json& object, FieldErrors* errors);

// Checks apiVersion and kind of `object` against the expected kind.
void CheckTypeMeta(const nlohmann::json& object, const std::string& kind, FieldErrors* errors);

}  // namespace lifeboat::api
