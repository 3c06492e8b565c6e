// LabelSelector: a parsed Kubernetes label selector (the `labelSelector` query parameter), with the
// grammar and error texts of apimachinery's labels.Parse:
//   a=b, a==b, a!=b, a in (x,y), a notin (x), a, !a, a>5, a<5 (integer comparisons)
// Requirements are ANDed. An empty selector matches everything.
// Immutable after Parse; safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

class LabelSelector {
 public:
  enum class Operator { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist, kGreaterThan, kLessThan };
  struct Requirement {
    std::string key;
    Operator op;
    std::vector<std::string> values;  // sorted, unique
  };

  // Parses `selector`. Errors are InvalidArgument with the real server's text, e.g.
  // "unable to parse requirement: found '', expected: identifier" (the http layer answers 400 BadRequest).
  static StatusOr<LabelSelector> Parse(std::string_view selector);

  // Converts a structured metav1.LabelSelector ({matchLabels, matchExpressions}) as the real
  // LabelSelectorAsSelector does: null selects nothing, {} selects everything; operators In, NotIn,
  // Exists, DoesNotExist. Errors are InvalidArgument, e.g. "\"Foo\" is not a valid label selector operator".
  static StatusOr<LabelSelector> FromObject(const nlohmann::json& selector);

  // True when every requirement holds for `labels` (a JSON object of string → string, or null).
  bool Matches(const nlohmann::json& labels) const;
  // True when the selector has no requirements (matches everything).
  bool Empty() const { return !nothing_ && requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  // Canonical text form, e.g. "app=web,tier in (a,b)".
  std::string ToString() const;

 private:
  std::vector<Requirement> requirements_;  // sorted by key
  bool nothing_ = false;                   // a null structured selector: matches no object
};

}  // namespace lifeboat::devcluster
