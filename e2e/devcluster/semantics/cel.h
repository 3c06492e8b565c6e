// CelProgram: a subset of the Common Expression Language, enough to evaluate the
// `x-kubernetes-validations` rules CRDs commonly carry: `self` (the value the rule sits on), field
// selection and indexing, has(), literals (int, uint, double, string, bool, null, lists, maps),
// arithmetic, comparisons, && || ! ?:, `in`, size(), string functions (startsWith, endsWith,
// contains, matches, lowerAscii, upperAscii, trim), conversions int()/double()/string(), and the
// macros all, exists, exists_one, map, filter.
// Anything outside the subset (oldSelf transition rules, timestamps, durations, quantities, optional
// fields, ...) is reported as Unimplemented by Compile or Evaluate, so the caller can skip the rule
// instead of rejecting valid objects. Compiled programs are immutable; safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

namespace cel_internal {
struct Node;
}

class CelProgram {
 public:
  // Parses `expression`. Syntax errors are InvalidArgument; expressions the subset cannot evaluate
  // are FailedPrecondition with a message starting "unsupported".
  static StatusOr<CelProgram> Compile(std::string_view expression);

  // Evaluates with `self` bound to `self_value`. Evaluation errors (no such key, no matching
  // overload, division by zero) are InvalidArgument; unsupported features FailedPrecondition.
  StatusOr<nlohmann::json> Evaluate(const nlohmann::json& self_value) const;

  // True when the expression mentions `oldSelf` (a transition rule, skipped on create).
  bool ReferencesOldSelf() const { return references_old_self_; }

 private:
  std::shared_ptr<const cel_internal::Node> root_;
  bool references_old_self_ = false;
};

}  // namespace lifeboat::devcluster
