#include "e2e/devcluster/semantics/label_selector.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "e2e/devcluster/semantics/label_syntax.h"

namespace lifeboat::devcluster {
namespace {

// Tokens of the selector language, as apimachinery's lexer produces them.
enum class Token {
  kEnd,
  kIdentifier,
  kDoesNotExist,  // !
  kEquals,        // =
  kDoubleEquals,  // ==
  kNotEquals,     // !=
  kGreaterThan,   // >
  kLessThan,      // <
  kIn,
  kNotIn,
  kOpenParen,
  kCloseParen,
  kComma,
  kError,
};

struct Scanned {
  Token token;
  std::string literal;
};

bool IsWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsSpecialSymbol(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

bool SymbolToken(std::string_view s, Token* token) {
  if (s == "!") *token = Token::kDoesNotExist;
  else if (s == "=") *token = Token::kEquals;
  else if (s == "==") *token = Token::kDoubleEquals;
  else if (s == "!=") *token = Token::kNotEquals;
  else if (s == ">") *token = Token::kGreaterThan;
  else if (s == "<") *token = Token::kLessThan;
  else if (s == "(") *token = Token::kOpenParen;
  else if (s == ")") *token = Token::kCloseParen;
  else if (s == ",") *token = Token::kComma;
  else return false;
  return true;
}

std::vector<Scanned> Scan(std::string_view s) {
  std::vector<Scanned> items;
  size_t pos = 0;
  while (true) {
    while (pos < s.size() && IsWhitespace(s[pos])) ++pos;
    if (pos >= s.size()) {
      items.push_back({Token::kEnd, ""});
      return items;
    }
    if (IsSpecialSymbol(s[pos])) {
      // Longest run of special symbols that still forms a known token.
      std::string buffer;
      Scanned last{Token::kError, ""};
      bool have_last = false;
      while (pos < s.size() && IsSpecialSymbol(s[pos])) {
        buffer.push_back(s[pos]);
        Token t;
        if (SymbolToken(buffer, &t)) {
          last = {t, buffer};
          have_last = true;
          ++pos;
        } else if (have_last) {
          break;
        } else {
          ++pos;
        }
      }
      if (!have_last) {
        items.push_back({Token::kError, "error expected: keyword found '" + buffer + "'"});
      } else {
        items.push_back(last);
      }
      continue;
    }
    std::string buffer;
    while (pos < s.size() && !IsSpecialSymbol(s[pos]) && !IsWhitespace(s[pos])) buffer.push_back(s[pos++]);
    if (buffer == "in") items.push_back({Token::kIn, buffer});
    else if (buffer == "notin") items.push_back({Token::kNotIn, buffer});
    else items.push_back({Token::kIdentifier, buffer});
  }
}

class Parser {
 public:
  explicit Parser(std::string_view s) : items_(Scan(s)) {}

  StatusOr<std::vector<LabelSelector::Requirement>> Parse() {
    std::vector<LabelSelector::Requirement> requirements;
    while (true) {
      auto [tok, lit] = Lookahead(true);
      if (tok == Token::kIdentifier || tok == Token::kDoesNotExist) {
        auto r = ParseRequirement();
        if (!r.ok()) return InvalidArgumentError("unable to parse requirement: " + r.status().message());
        requirements.push_back(std::move(*r));
        auto [t, l] = Consume(true);
        if (t == Token::kEnd) return requirements;
        if (t == Token::kComma) {
          auto [t2, l2] = Lookahead(true);
          if (t2 != Token::kIdentifier && t2 != Token::kDoesNotExist) {
            return InvalidArgumentError("found '" + l2 + "', expected: identifier after ','");
          }
          continue;
        }
        return InvalidArgumentError("found '" + l + "', expected: ',' or 'end of string'");
      }
      if (tok == Token::kEnd) return requirements;
      return InvalidArgumentError("found '" + lit + "', expected: !, identifier, or 'end of string'");
    }
  }

 private:
  // In a values context, `in` and `notin` are plain identifiers.
  std::pair<Token, std::string> Lookahead(bool values) const {
    const Scanned& s = items_[std::min(position_, items_.size() - 1)];
    Token t = s.token;
    if (values && (t == Token::kIn || t == Token::kNotIn)) t = Token::kIdentifier;
    return {t, s.literal};
  }
  std::pair<Token, std::string> Consume(bool values) {
    auto r = Lookahead(values);
    if (position_ < items_.size() - 1) ++position_;
    return r;
  }

  StatusOr<LabelSelector::Requirement> ParseRequirement() {
    LabelSelector::Requirement r;
    bool does_not_exist = false;
    auto [tok, lit] = Consume(true);
    if (tok == Token::kDoesNotExist) {
      does_not_exist = true;
      std::tie(tok, lit) = Consume(true);
    }
    if (tok != Token::kIdentifier) return InvalidArgumentError("found '" + lit + "', expected: identifier");
    // The real parser validates the key with a nil field path, hence the "<nil>: " prefix.
    if (std::string err = ValidateQualifiedName(lit); !err.empty()) {
      return InvalidArgumentError("<nil>: Invalid value: \"" + lit + "\": " + err);
    }
    r.key = lit;
    auto [next, next_lit] = Lookahead(true);
    if (next == Token::kEnd || next == Token::kComma || does_not_exist) {
      if (does_not_exist) {
        r.op = LabelSelector::Operator::kDoesNotExist;
        return r;
      }
      r.op = LabelSelector::Operator::kExists;
      return r;
    }
    auto [op_tok, op_lit] = Consume(false);
    switch (op_tok) {
      case Token::kIn: r.op = LabelSelector::Operator::kIn; break;
      case Token::kNotIn: r.op = LabelSelector::Operator::kNotIn; break;
      case Token::kEquals:
      case Token::kDoubleEquals: r.op = LabelSelector::Operator::kEquals; break;
      case Token::kNotEquals: r.op = LabelSelector::Operator::kNotEquals; break;
      case Token::kGreaterThan: r.op = LabelSelector::Operator::kGreaterThan; break;
      case Token::kLessThan: r.op = LabelSelector::Operator::kLessThan; break;
      default:
        return InvalidArgumentError("found '" + op_lit + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    std::set<std::string> values;
    if (r.op == LabelSelector::Operator::kIn || r.op == LabelSelector::Operator::kNotIn) {
      auto [t, l] = Consume(true);
      if (t != Token::kOpenParen) return InvalidArgumentError("found '" + l + "' expected: '('");
      auto [t2, l2] = Lookahead(true);
      if (t2 == Token::kCloseParen) {
        Consume(true);
        values.insert("");
      } else if (t2 == Token::kIdentifier || t2 == Token::kComma) {
        LIFEBOAT_RETURN_IF_ERROR(ParseIdentifiersList(values));
        auto [t3, l3] = Consume(true);
        if (t3 != Token::kCloseParen) return InvalidArgumentError("found '" + l2 + "', expected: ')'");
      } else {
        return InvalidArgumentError("found '" + l2 + "', expected: ',', ')' or identifier");
      }
    } else {
      auto [t, l] = Lookahead(true);
      if (t == Token::kEnd || t == Token::kComma) {
        values.insert("");
      } else {
        Consume(true);
        if (t != Token::kIdentifier) return InvalidArgumentError("found '" + l + "', expected: identifier");
        values.insert(l);
      }
    }
    r.values.assign(values.begin(), values.end());
    if (r.op == LabelSelector::Operator::kGreaterThan || r.op == LabelSelector::Operator::kLessThan) {
      long long n = 0;
      const std::string& v = r.values[0];
      auto res = std::from_chars(v.data(), v.data() + v.size(), n);
      if (res.ec != std::errc() || res.ptr != v.data() + v.size()) {
        return InvalidArgumentError("values[0]: Invalid value: \"" + v +
                                    "\": for 'Gt', 'Lt' operators, the value must be an integer");
      }
      return r;
    }
    for (size_t i = 0; i < r.values.size(); ++i) {
      if (std::string err = ValidateLabelValue(r.values[i]); !err.empty()) {
        return InvalidArgumentError("values[" + std::to_string(i) + "][" + r.key + "]: Invalid value: \"" +
                                    r.values[i] + "\": " + err);
      }
    }
    return r;
  }

  Status ParseIdentifiersList(std::set<std::string>& values) {
    while (true) {
      auto [tok, lit] = Consume(true);
      if (tok == Token::kIdentifier) {
        values.insert(lit);
        auto [t2, l2] = Lookahead(true);
        if (t2 == Token::kComma) continue;
        if (t2 == Token::kCloseParen) return Status::Ok();
        return InvalidArgumentError("found '" + l2 + "', expected: ',' or ')'");
      }
      if (tok == Token::kComma) {
        if (values.empty()) values.insert("");
        auto [t2, l2] = Lookahead(true);
        if (t2 == Token::kCloseParen) {
          values.insert("");
          return Status::Ok();
        }
        if (t2 == Token::kComma) {
          Consume(true);
          values.insert("");
        }
        continue;
      }
      return InvalidArgumentError("found '" + lit + "', expected: ',', or identifier");
    }
  }

  std::vector<Scanned> items_;
  size_t position_ = 0;
};

}  // namespace

StatusOr<LabelSelector> LabelSelector::Parse(std::string_view selector) {
  Parser parser(selector);
  auto requirements = parser.Parse();
  if (!requirements.ok()) return requirements.status();
  LabelSelector result;
  result.requirements_ = std::move(*requirements);
  std::stable_sort(result.requirements_.begin(), result.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return result;
}

StatusOr<LabelSelector> LabelSelector::FromObject(const nlohmann::json& selector) {
  LabelSelector result;
  if (selector.is_null()) {
    result.nothing_ = true;
    return result;
  }
  if (!selector.is_object()) return InvalidArgumentError("a label selector must be an object");
  auto fail = [](const std::string& path, const std::string& message) {
    return InvalidArgumentError(path + ": " + message);
  };
  if (auto labels = selector.find("matchLabels"); labels != selector.end() && !labels->is_null()) {
    if (!labels->is_object()) return InvalidArgumentError("matchLabels must be an object");
    for (auto it = labels->begin(); it != labels->end(); ++it) {
      if (!it->is_string()) return InvalidArgumentError("matchLabels[" + it.key() + "] must be a string");
      const std::string value = it->get<std::string>();
      if (std::string err = ValidateQualifiedName(it.key()); !err.empty()) {
        return fail("key", "Invalid value: \"" + it.key() + "\": " + err);
      }
      if (std::string err = ValidateLabelValue(value); !err.empty()) {
        return fail("values[0][" + it.key() + "]", "Invalid value: \"" + value + "\": " + err);
      }
      result.requirements_.push_back(Requirement{it.key(), Operator::kEquals, {value}});
    }
  }
  if (auto expressions = selector.find("matchExpressions"); expressions != selector.end() && !expressions->is_null()) {
    if (!expressions->is_array()) return InvalidArgumentError("matchExpressions must be a list");
    for (const nlohmann::json& e : *expressions) {
      if (!e.is_object()) return InvalidArgumentError("matchExpressions items must be objects");
      std::string key = e.value("key", "");
      std::string op = e.value("operator", "");
      std::set<std::string> values;
      if (auto v = e.find("values"); v != e.end() && v->is_array()) {
        for (const nlohmann::json& x : *v) {
          if (!x.is_string()) return InvalidArgumentError("matchExpressions values must be strings");
          values.insert(x.get<std::string>());
        }
      }
      Requirement r{key, Operator::kIn, {values.begin(), values.end()}};
      if (op == "In") r.op = Operator::kIn;
      else if (op == "NotIn") r.op = Operator::kNotIn;
      else if (op == "Exists") r.op = Operator::kExists;
      else if (op == "DoesNotExist") r.op = Operator::kDoesNotExist;
      else return InvalidArgumentError("\"" + op + "\" is not a valid label selector operator");
      if (std::string err = ValidateQualifiedName(key); !err.empty()) {
        return fail("key", "Invalid value: \"" + key + "\": " + err);
      }
      bool set_op = r.op == Operator::kIn || r.op == Operator::kNotIn;
      if (set_op && r.values.empty()) {
        return fail("values", "Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty");
      }
      if (!set_op && !r.values.empty()) {
        return fail("values", "Invalid value: []string{...}: values set must be empty for exists and does not exist");
      }
      for (size_t i = 0; i < r.values.size(); ++i) {
        if (std::string err = ValidateLabelValue(r.values[i]); !err.empty()) {
          return fail("values[" + std::to_string(i) + "][" + key + "]", "Invalid value: \"" + r.values[i] + "\": " + err);
        }
      }
      result.requirements_.push_back(std::move(r));
    }
  }
  std::stable_sort(result.requirements_.begin(), result.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return result;
}

bool LabelSelector::Matches(const nlohmann::json& labels) const {
  if (nothing_) return false;
  for (const Requirement& r : requirements_) {
    const std::string* value = nullptr;
    std::string holder;
    if (labels.is_object()) {
      auto it = labels.find(r.key);
      if (it != labels.end()) {
        if (it->is_string()) {
          value = &it->get_ref<const std::string&>();
        } else {
          holder = it->dump();
          value = &holder;
        }
      }
    }
    auto contains = [&](const std::string& v) {
      return std::binary_search(r.values.begin(), r.values.end(), v);
    };
    switch (r.op) {
      case Operator::kEquals:
      case Operator::kIn:
        if (value == nullptr || !contains(*value)) return false;
        break;
      case Operator::kNotEquals:
      case Operator::kNotIn:
        if (value != nullptr && contains(*value)) return false;
        break;
      case Operator::kExists:
        if (value == nullptr) return false;
        break;
      case Operator::kDoesNotExist:
        if (value != nullptr) return false;
        break;
      case Operator::kGreaterThan:
      case Operator::kLessThan: {
        if (value == nullptr) return false;
        long long have = 0, want = 0;
        auto res = std::from_chars(value->data(), value->data() + value->size(), have);
        if (res.ec != std::errc() || res.ptr != value->data() + value->size()) return false;
        std::from_chars(r.values[0].data(), r.values[0].data() + r.values[0].size(), want);
        if (r.op == Operator::kGreaterThan ? !(have > want) : !(have < want)) return false;
        break;
      }
    }
  }
  return true;
}

std::string LabelSelector::ToString() const {
  std::string out;
  for (const Requirement& r : requirements_) {
    if (!out.empty()) out += ",";
    auto joined = [&] {
      std::string s;
      for (size_t i = 0; i < r.values.size(); ++i) s += (i ? "," : "") + r.values[i];
      return s;
    };
    switch (r.op) {
      case Operator::kEquals: out += r.key + "=" + r.values[0]; break;
      case Operator::kNotEquals: out += r.key + "!=" + r.values[0]; break;
      case Operator::kIn: out += r.key + " in (" + joined() + ")"; break;
      case Operator::kNotIn: out += r.key + " notin (" + joined() + ")"; break;
      case Operator::kExists: out += r.key; break;
      case Operator::kDoesNotExist: out += "!" + r.key; break;
      case Operator::kGreaterThan: out += r.key + ">" + r.values[0]; break;
      case Operator::kLessThan: out += r.key + "<" + r.values[0]; break;
    }
  }
  return out;
}

}  // namespace lifeboat::devcluster
