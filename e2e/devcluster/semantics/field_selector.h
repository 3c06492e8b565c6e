// FieldSelector: a parsed Kubernetes field selector (the `fieldSelector` query parameter), with the
// grammar and error texts of apimachinery's fields.ParseSelector: comma-separated terms `path=value`,
// `path==value` or `path!=value` (`\,` `\=` `\\` escape). `metadata.name` and `metadata.namespace` are
// always supported; a kind adds its own (e.g. `status.phase`, `spec.nodeName` for Pods, `type` for
// Secrets); any other path is rejected with "field label not supported: X".
// Immutable after Parse; safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

class FieldSelector {
 public:
  struct Term {
    std::string field;  // dotted path, e.g. "metadata.name"
    bool equals;        // false for "!="
    std::string value;
  };

  // Parses `selector`, accepting only metadata.name, metadata.namespace and `supported_fields`.
  // Errors are InvalidArgument with the real texts (the http layer answers 400 BadRequest):
  //   "invalid selector: 'x'; can't understand 'x'", "field label not supported: spec.foo".
  static StatusOr<FieldSelector> Parse(std::string_view selector,
                                       const std::vector<std::string>& supported_fields = {});

  // True when every term holds. A field missing from the object compares as the empty string, and
  // non-string scalars compare by their text (true/false, numbers), as the real field sets do.
  bool Matches(const nlohmann::json& object) const;
  bool Empty() const { return terms_.empty(); }
  const std::vector<Term>& terms() const { return terms_; }
  // If the selector requires `field` to equal one value (e.g. metadata.name=x), returns it.
  const std::string* RequiredValue(std::string_view field) const;

 private:
  std::vector<Term> terms_;
};

}  // namespace lifeboat::devcluster
