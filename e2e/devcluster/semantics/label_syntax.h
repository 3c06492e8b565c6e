// Label syntax: the validation rules (and exact messages) of apimachinery's IsQualifiedName and
// IsValidLabelValue, shared by the label selector parser and object validation. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace lifeboat::devcluster {

// "" when `name` is a valid qualified name ([prefix/]name, e.g. "app.kubernetes.io/name"); otherwise
// the real message(s), joined by "; ".
std::string ValidateQualifiedName(std::string_view name);

// "" when `value` is a valid label value (empty, or ≤ 63 alphanumerics, '-', '_', '.', starting and
// ending alphanumeric); otherwise the real message(s), joined by "; ".
std::string ValidateLabelValue(std::string_view value);

// "" when `value` is a DNS-1123 subdomain (lowercase, ≤ 253); otherwise the real message(s).
std::string ValidateDns1123Subdomain(std::string_view value);

}  // namespace lifeboat::devcluster
