#include "e2e/devcluster/semantics/field_selector.h"

#include <algorithm>

namespace lifeboat::devcluster {
namespace {

// Splits on commas that are not escaped with a backslash (the escape stays in the term).
std::vector<std::string> SplitTerms(std::string_view s) {
  std::vector<std::string> terms;
  std::string current;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size()) {
      current.push_back(c);
      current.push_back(s[++i]);
    } else if (c == ',') {
      terms.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  terms.push_back(current);
  return terms;
}

// Finds the first unescaped operator; "!=" and "==" are tried before "=" at each position.
bool SplitTerm(const std::string& term, std::string* lhs, std::string* op, std::string* rhs) {
  for (size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '\\') {
      ++i;
      continue;
    }
    for (const char* candidate : {"!=", "==", "="}) {
      std::string_view c(candidate);
      if (term.compare(i, c.size(), c) == 0) {
        *lhs = term.substr(0, i);
        *op = std::string(c);
        *rhs = term.substr(i + c.size());
        return true;
      }
    }
  }
  return false;
}

StatusOr<std::string> UnescapeValue(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 >= s.size()) return InvalidArgumentError("invalid field selector: invalid escape sequence: \\");
      char n = s[++i];
      if (n != '\\' && n != ',' && n != '=') {
        return InvalidArgumentError(std::string("invalid field selector: invalid escape sequence: \\") + n);
      }
      out.push_back(n);
    } else if (c == ',' || c == '=') {
      return InvalidArgumentError(std::string("invalid field selector: unescaped character: ") + c);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FieldText(const nlohmann::json& object, const std::string& path) {
  const nlohmann::json* node = &object;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!node->is_object()) return "";
    auto it = node->find(part);
    if (it == node->end()) return "";
    node = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_string()) return node->get<std::string>();
  if (node->is_null()) return "";
  return node->dump();
}

}  // namespace

StatusOr<FieldSelector> FieldSelector::Parse(std::string_view selector,
                                             const std::vector<std::string>& supported_fields) {
  FieldSelector result;
  std::vector<std::string> parts = SplitTerms(selector);
  std::sort(parts.begin(), parts.end());
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    std::string lhs, op, rhs;
    if (!SplitTerm(part, &lhs, &op, &rhs)) {
      return InvalidArgumentError("invalid selector: '" + std::string(selector) + "'; can't understand '" + part + "'");
    }
    auto value = UnescapeValue(rhs);
    if (!value.ok()) return value.status();
    if (lhs != "metadata.name" && lhs != "metadata.namespace" &&
        std::find(supported_fields.begin(), supported_fields.end(), lhs) == supported_fields.end()) {
      return InvalidArgumentError("field label not supported: " + lhs);
    }
    result.terms_.push_back(Term{lhs, op != "!=", *value});
  }
  return result;
}

bool FieldSelector::Matches(const nlohmann::json& object) const {
  for (const Term& t : terms_) {
    bool equal = FieldText(object, t.field) == t.value;
    if (equal != t.equals) return false;
  }
  return true;
}

const std::string* FieldSelector::RequiredValue(std::string_view field) const {
  for (const Term& t : terms_) {
    if (t.equals && t.field == field) return &t.value;
  }
  return nullptr;
}

}  // namespace lifeboat::devcluster
