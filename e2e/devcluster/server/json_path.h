// JsonPath: the JSONPath subset Kubernetes uses in CRD additionalPrinterColumns (and kubectl's
// custom columns): `.a.b`, `.a[0]`, `.a[-1]`, `.a[*].b`, `.a['dotted.key']`, `..b` (recursive),
// and filters `[?(@.type=="Ready")]` with ==, !=, <, <=, >, >= or bare existence `[?(@.x)]`. An
// optional surrounding `{...}` is accepted. Immutable after Parse; Evaluate is thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

class JsonPath {
 public:
  // InvalidArgument for malformed expressions (unclosed brackets, unknown operators, slices).
  static StatusOr<JsonPath> Parse(std::string_view expression);

  // Every value the path selects, in document order (empty when nothing matches).
  std::vector<nlohmann::json> Evaluate(const nlohmann::json& document) const;

  struct Step;
  struct Filter;

 private:
  std::vector<Step> steps_;
};

struct JsonPath::Filter {
  std::vector<JsonPath::Step> path;  // relative to @
  std::string op;                    // "" for an existence test
  nlohmann::json literal;
};

struct JsonPath::Step {
  enum class Type { kField, kIndex, kWildcard, kRecursive, kFilter } type = Type::kField;
  std::string field;
  long index = 0;
  std::vector<Filter> filter;  // exactly one element for kFilter (vector keeps the type complete)
};

}  // namespace lifeboat::devcluster
