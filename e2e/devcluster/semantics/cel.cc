#include "e2e/devcluster/semantics/cel.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <vector>

namespace lifeboat::devcluster {
namespace cel_internal {

using nlohmann::json;

// ------------------------------------------------------------------------------------------------
// Syntax tree

struct Node {
  enum class Kind { kLiteral, kIdent, kSelect, kIndex, kCall, kUnary, kBinary, kTernary, kList, kMap };
  Kind kind;
  json literal;                               // kLiteral
  std::string name;                           // kIdent, kSelect field, kCall function, operator
  std::shared_ptr<const Node> target;         // kSelect/kIndex operand, receiver of a kCall
  std::vector<std::shared_ptr<const Node>> args;  // operands / call arguments / list items / map k,v pairs
};

using NodePtr = std::shared_ptr<const Node>;

NodePtr Make(Node::Kind kind, std::string name = "", NodePtr target = nullptr, std::vector<NodePtr> args = {},
             json literal = nullptr) {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->name = std::move(name);
  n->target = std::move(target);
  n->args = std::move(args);
  n->literal = std::move(literal);
  return n;
}

// ------------------------------------------------------------------------------------------------
// Lexer

struct Token {
  enum class Kind { kEnd, kIdent, kInt, kUint, kDouble, kString, kOp };
  Kind kind;
  std::string text;
  json value;
};

Status Unsupported(const std::string& what) { return FailedPreconditionError("unsupported CEL: " + what); }

StatusOr<std::vector<Token>> Lex(std::string_view s) {
  std::vector<Token> tokens;
  size_t i = 0;
  auto is_ident_start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  auto is_ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {  // comment to end of line
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    // String literals, with optional raw (r) prefix; bytes (b) are unsupported.
    bool raw = false;
    if ((c == 'r' || c == 'R') && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\'')) {
      raw = true;
      ++i;
      c = s[i];
    } else if ((c == 'b' || c == 'B') && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\'')) {
      return Unsupported("bytes literals");
    }
    if (c == '"' || c == '\'') {
      bool triple = i + 2 < s.size() && s[i + 1] == c && s[i + 2] == c;
      size_t quote_len = triple ? 3 : 1;
      i += quote_len;
      std::string value;
      while (true) {
        if (i >= s.size()) return InvalidArgumentError("unterminated string literal");
        if (triple ? (s.compare(i, 3, std::string(3, c)) == 0) : s[i] == c) {
          i += quote_len;
          break;
        }
        if (!triple && s[i] == '\n') return InvalidArgumentError("newline in string literal");
        if (s[i] == '\\' && !raw) {
          if (i + 1 >= s.size()) return InvalidArgumentError("bad escape in string literal");
          char e = s[i + 1];
          i += 2;
          switch (e) {
            case 'n': value += '\n'; break;
            case 't': value += '\t'; break;
            case 'r': value += '\r'; break;
            case '\\': value += '\\'; break;
            case '"': value += '"'; break;
            case '\'': value += '\''; break;
            case '`': value += '`'; break;
            case '?': value += '?'; break;
            default: return Unsupported(std::string("string escape \\") + e);
          }
          continue;
        }
        value += s[i++];
      }
      tokens.push_back({Token::Kind::kString, "", json(value)});
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      size_t start = i;
      bool is_double = false;
      if (c == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        i += 2;
        while (i < s.size() && std::isxdigit(static_cast<unsigned char>(s[i]))) ++i;
        long long v = 0;
        std::from_chars(s.data() + start + 2, s.data() + i, v, 16);
        bool is_uint = i < s.size() && (s[i] == 'u' || s[i] == 'U');
        if (is_uint) ++i;
        tokens.push_back({is_uint ? Token::Kind::kUint : Token::Kind::kInt, "", json(v)});
        continue;
      }
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      if (i < s.size() && s[i] == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        is_double = true;
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        is_double = true;
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      }
      std::string text(s.substr(start, i - start));
      if (is_double) {
        tokens.push_back({Token::Kind::kDouble, "", json(std::strtod(text.c_str(), nullptr))});
      } else {
        long long v = 0;
        auto res = std::from_chars(text.data(), text.data() + text.size(), v);
        if (res.ec != std::errc()) return InvalidArgumentError("integer literal out of range: " + text);
        bool is_uint = i < s.size() && (s[i] == 'u' || s[i] == 'U');
        if (is_uint) ++i;
        tokens.push_back({is_uint ? Token::Kind::kUint : Token::Kind::kInt, "", json(v)});
      }
      continue;
    }
    if (is_ident_start(c)) {
      size_t start = i;
      while (i < s.size() && is_ident(s[i])) ++i;
      tokens.push_back({Token::Kind::kIdent, std::string(s.substr(start, i - start)), nullptr});
      continue;
    }
    static const char* kOps[] = {"==", "!=", "<=", ">=", "&&", "||", "<", ">", "+", "-", "*", "/", "%", "!",
                                 "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"};
    bool matched = false;
    for (const char* op : kOps) {
      std::string_view o(op);
      if (s.compare(i, o.size(), o) == 0) {
        tokens.push_back({Token::Kind::kOp, std::string(o), nullptr});
        i += o.size();
        matched = true;
        break;
      }
    }
    if (!matched) return InvalidArgumentError(std::string("unexpected character '") + c + "'");
  }
  tokens.push_back({Token::Kind::kEnd, "", nullptr});
  return tokens;
}

// ------------------------------------------------------------------------------------------------
// Parser (recursive descent following the CEL grammar)

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  StatusOr<NodePtr> ParseAll() {
    auto e = Expr();
    if (!e.ok()) return e;
    if (Peek().kind != Token::Kind::kEnd) return InvalidArgumentError("unexpected '" + Describe(Peek()) + "'");
    return e;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  bool IsOp(const char* op) const { return Peek().kind == Token::Kind::kOp && Peek().text == op; }
  bool AcceptOp(const char* op) {
    if (!IsOp(op)) return false;
    ++pos_;
    return true;
  }
  Status ExpectOp(const char* op) {
    if (AcceptOp(op)) return Status::Ok();
    return InvalidArgumentError(std::string("expected '") + op + "' but found '" + Describe(Peek()) + "'");
  }
  static std::string Describe(const Token& t) {
    if (t.kind == Token::Kind::kEnd) return "end of expression";
    if (t.kind == Token::Kind::kOp || t.kind == Token::Kind::kIdent) return t.text;
    return t.value.dump();
  }

  StatusOr<NodePtr> Expr() {
    auto cond = Or();
    if (!cond.ok()) return cond;
    if (!AcceptOp("?")) return cond;
    auto yes = Or();
    if (!yes.ok()) return yes;
    LIFEBOAT_RETURN_IF_ERROR(ExpectOp(":"));
    auto no = Expr();
    if (!no.ok()) return no;
    return Make(Node::Kind::kTernary, "?:", nullptr, {*cond, *yes, *no});
  }

  StatusOr<NodePtr> Or() {
    auto left = And();
    if (!left.ok()) return left;
    NodePtr node = *left;
    while (AcceptOp("||")) {
      auto right = And();
      if (!right.ok()) return right;
      node = Make(Node::Kind::kBinary, "||", nullptr, {node, *right});
    }
    return node;
  }

  StatusOr<NodePtr> And() {
    auto left = Relation();
    if (!left.ok()) return left;
    NodePtr node = *left;
    while (AcceptOp("&&")) {
      auto right = Relation();
      if (!right.ok()) return right;
      node = Make(Node::Kind::kBinary, "&&", nullptr, {node, *right});
    }
    return node;
  }

  StatusOr<NodePtr> Relation() {
    auto left = Addition();
    if (!left.ok()) return left;
    NodePtr node = *left;
    while (true) {
      std::string op;
      for (const char* candidate : {"==", "!=", "<=", ">=", "<", ">"}) {
        if (IsOp(candidate)) op = candidate;
      }
      if (op.empty() && Peek().kind == Token::Kind::kIdent && Peek().text == "in") op = "in";
      if (op.empty()) return node;
      ++pos_;
      auto right = Addition();
      if (!right.ok()) return right;
      node = Make(Node::Kind::kBinary, op, nullptr, {node, *right});
    }
  }

  StatusOr<NodePtr> Addition() {
    auto left = Multiplication();
    if (!left.ok()) return left;
    NodePtr node = *left;
    while (IsOp("+") || IsOp("-")) {
      std::string op = Peek().text;
      ++pos_;
      auto right = Multiplication();
      if (!right.ok()) return right;
      node = Make(Node::Kind::kBinary, op, nullptr, {node, *right});
    }
    return node;
  }

  StatusOr<NodePtr> Multiplication() {
    auto left = Unary();
    if (!left.ok()) return left;
    NodePtr node = *left;
    while (IsOp("*") || IsOp("/") || IsOp("%")) {
      std::string op = Peek().text;
      ++pos_;
      auto right = Unary();
      if (!right.ok()) return right;
      node = Make(Node::Kind::kBinary, op, nullptr, {node, *right});
    }
    return node;
  }

  StatusOr<NodePtr> Unary() {
    if (AcceptOp("!")) {
      auto operand = Unary();
      if (!operand.ok()) return operand;
      return Make(Node::Kind::kUnary, "!", nullptr, {*operand});
    }
    if (AcceptOp("-")) {
      auto operand = Unary();
      if (!operand.ok()) return operand;
      return Make(Node::Kind::kUnary, "-", nullptr, {*operand});
    }
    return Member();
  }

  StatusOr<std::vector<NodePtr>> Arguments(const char* close) {
    std::vector<NodePtr> args;
    if (AcceptOp(close)) return args;
    while (true) {
      auto e = Expr();
      if (!e.ok()) return e.status();
      args.push_back(*e);
      if (AcceptOp(close)) return args;
      LIFEBOAT_RETURN_IF_ERROR(ExpectOp(","));
      if (AcceptOp(close)) return args;  // trailing comma
    }
  }

  StatusOr<NodePtr> Member() {
    auto primary = Primary();
    if (!primary.ok()) return primary;
    NodePtr node = *primary;
    while (true) {
      if (AcceptOp(".")) {
        if (IsOp("?")) return Unsupported("optional field selection");
        if (Peek().kind != Token::Kind::kIdent) return InvalidArgumentError("expected a field name after '.'");
        std::string field = Peek().text;
        ++pos_;
        if (AcceptOp("(")) {
          auto args = Arguments(")");
          if (!args.ok()) return args.status();
          node = Make(Node::Kind::kCall, field, node, std::move(*args));
        } else {
          node = Make(Node::Kind::kSelect, field, node);
        }
      } else if (AcceptOp("[")) {
        if (IsOp("?")) return Unsupported("optional index");
        auto index = Expr();
        if (!index.ok()) return index;
        LIFEBOAT_RETURN_IF_ERROR(ExpectOp("]"));
        node = Make(Node::Kind::kIndex, "[]", node, {*index});
      } else {
        return node;
      }
    }
  }

  StatusOr<NodePtr> Primary() {
    const Token& t = Peek();
    switch (t.kind) {
      case Token::Kind::kInt:
      case Token::Kind::kUint:
      case Token::Kind::kDouble:
      case Token::Kind::kString: {
        json v = t.value;
        ++pos_;
        return Make(Node::Kind::kLiteral, "", nullptr, {}, std::move(v));
      }
      case Token::Kind::kIdent: {
        std::string name = t.text;
        ++pos_;
        if (name == "true") return Make(Node::Kind::kLiteral, "", nullptr, {}, json(true));
        if (name == "false") return Make(Node::Kind::kLiteral, "", nullptr, {}, json(false));
        if (name == "null") return Make(Node::Kind::kLiteral, "", nullptr, {}, json(nullptr));
        if (AcceptOp("(")) {
          auto args = Arguments(")");
          if (!args.ok()) return args.status();
          return Make(Node::Kind::kCall, name, nullptr, std::move(*args));
        }
        return Make(Node::Kind::kIdent, name);
      }
      case Token::Kind::kOp:
        if (AcceptOp("(")) {
          auto e = Expr();
          if (!e.ok()) return e;
          LIFEBOAT_RETURN_IF_ERROR(ExpectOp(")"));
          return e;
        }
        if (AcceptOp("[")) {
          auto items = Arguments("]");
          if (!items.ok()) return items.status();
          return Make(Node::Kind::kList, "", nullptr, std::move(*items));
        }
        if (AcceptOp("{")) {
          std::vector<NodePtr> pairs;
          if (AcceptOp("}")) return Make(Node::Kind::kMap, "", nullptr, {});
          while (true) {
            auto key = Expr();
            if (!key.ok()) return key;
            LIFEBOAT_RETURN_IF_ERROR(ExpectOp(":"));
            auto value = Expr();
            if (!value.ok()) return value;
            pairs.push_back(*key);
            pairs.push_back(*value);
            if (AcceptOp("}")) break;
            LIFEBOAT_RETURN_IF_ERROR(ExpectOp(","));
            if (AcceptOp("}")) break;
          }
          return Make(Node::Kind::kMap, "", nullptr, std::move(pairs));
        }
        if (IsOp(".")) return Unsupported("leading-dot identifiers");
        break;
      case Token::Kind::kEnd:
        break;
    }
    return InvalidArgumentError("unexpected '" + Describe(t) + "'");
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

// ------------------------------------------------------------------------------------------------
// Evaluation. Values are JSON: int (signed/unsigned integers), double (floats), string, bool, null,
// list (array) and map (object).

using Scope = std::map<std::string, json, std::less<>>;

bool IsInt(const json& v) { return v.is_number_integer(); }
bool IsDouble(const json& v) { return v.is_number_float(); }

Status NoOverload(const std::string& op, const json& a) {
  return InvalidArgumentError("no such overload: " + op + "(" + std::string(a.type_name()) + ")");
}
Status NoOverload(const std::string& op, const json& a, const json& b) {
  return InvalidArgumentError("no such overload: " + op + "(" + std::string(a.type_name()) + ", " +
                              std::string(b.type_name()) + ")");
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

const std::regex* CompileRegex(const std::string& pattern) {
  static std::mutex mu;
  static std::map<std::string, std::optional<std::regex>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    std::optional<std::regex> re;
    try {
      re.emplace(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error&) {
    }
    it = cache.emplace(pattern, std::move(re)).first;
  }
  return it->second ? &*it->second : nullptr;
}

class Evaluator {
 public:
  StatusOr<json> Eval(const Node& n, Scope& scope) {
    switch (n.kind) {
      case Node::Kind::kLiteral: return n.literal;
      case Node::Kind::kIdent: {
        auto it = scope.find(n.name);
        if (it == scope.end()) {
          if (n.name == "oldSelf") return Unsupported("oldSelf");
          return InvalidArgumentError("undeclared reference to '" + n.name + "'");
        }
        return it->second;
      }
      case Node::Kind::kSelect: {
        auto target = Eval(*n.target, scope);
        if (!target.ok()) return target;
        if (!target->is_object()) return NoOverload("select ." + n.name, *target);
        auto it = target->find(n.name);
        if (it == target->end()) return InvalidArgumentError("no such key: " + n.name);
        return *it;
      }
      case Node::Kind::kIndex: {
        auto target = Eval(*n.target, scope);
        if (!target.ok()) return target;
        auto index = Eval(*n.args[0], scope);
        if (!index.ok()) return index;
        if (target->is_array()) {
          if (!IsInt(*index) && !(IsDouble(*index) && std::floor(index->get<double>()) == index->get<double>())) {
            return NoOverload("_[_]", *target, *index);
          }
          long long i = IsInt(*index) ? index->get<long long>() : static_cast<long long>(index->get<double>());
          if (i < 0 || i >= static_cast<long long>(target->size())) {
            return InvalidArgumentError("index out of bounds: " + std::to_string(i));
          }
          return (*target)[static_cast<size_t>(i)];
        }
        if (target->is_object()) {
          if (!index->is_string()) return NoOverload("_[_]", *target, *index);
          auto it = target->find(index->get<std::string>());
          if (it == target->end()) return InvalidArgumentError("no such key: " + index->get<std::string>());
          return *it;
        }
        return NoOverload("_[_]", *target, *index);
      }
      case Node::Kind::kList: {
        json list = json::array();
        for (const NodePtr& item : n.args) {
          auto v = Eval(*item, scope);
          if (!v.ok()) return v;
          list.push_back(std::move(*v));
        }
        return list;
      }
      case Node::Kind::kMap: {
        json map = json::object();
        for (size_t i = 0; i + 1 < n.args.size(); i += 2) {
          auto k = Eval(*n.args[i], scope);
          if (!k.ok()) return k;
          if (!k->is_string()) return Unsupported("map keys other than strings");
          auto v = Eval(*n.args[i + 1], scope);
          if (!v.ok()) return v;
          map[k->get<std::string>()] = std::move(*v);
        }
        return map;
      }
      case Node::Kind::kUnary: {
        auto v = Eval(*n.args[0], scope);
        if (!v.ok()) return v;
        if (n.name == "!") {
          if (!v->is_boolean()) return NoOverload("!_", *v);
          return json(!v->get<bool>());
        }
        if (IsInt(*v)) return json(-v->get<long long>());
        if (IsDouble(*v)) return json(-v->get<double>());
        return NoOverload("-_", *v);
      }
      case Node::Kind::kTernary: {
        auto cond = Eval(*n.args[0], scope);
        if (!cond.ok()) return cond;
        if (!cond->is_boolean()) return NoOverload("_?_:_", *cond);
        return Eval(*n.args[cond->get<bool>() ? 1 : 2], scope);
      }
      case Node::Kind::kBinary: return Binary(n, scope);
      case Node::Kind::kCall: return Call(n, scope);
    }
    return InternalError("unknown CEL node");
  }

 private:
  StatusOr<json> Binary(const Node& n, Scope& scope) {
    const std::string& op = n.name;
    if (op == "&&" || op == "||") {
      // CEL's commutative logic: a decisive operand wins even if the other one errs.
      bool decisive = op == "||";
      auto left = Eval(*n.args[0], scope);
      if (left.ok() && left->is_boolean() && left->get<bool>() == decisive) return json(decisive);
      auto right = Eval(*n.args[1], scope);
      if (right.ok() && right->is_boolean() && right->get<bool>() == decisive) return json(decisive);
      if (!left.ok()) return left;
      if (!right.ok()) return right;
      if (!left->is_boolean() || !right->is_boolean()) return NoOverload(op, *left, *right);
      return json(!decisive);
    }
    auto left = Eval(*n.args[0], scope);
    if (!left.ok()) return left;
    auto right = Eval(*n.args[1], scope);
    if (!right.ok()) return right;
    const json& a = *left;
    const json& b = *right;
    if (op == "==") return json(a == b);
    if (op == "!=") return json(a != b);
    if (op == "in") {
      if (b.is_array()) return json(std::find(b.begin(), b.end(), a) != b.end());
      if (b.is_object()) {
        if (!a.is_string()) return json(false);
        return json(b.contains(a.get<std::string>()));
      }
      return NoOverload("@in", a, b);
    }
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      int cmp = 0;
      if (a.is_number() && b.is_number()) {
        double x = a.get<double>(), y = b.get<double>();
        if (IsInt(a) && IsInt(b)) {
          long long i = a.get<long long>(), j = b.get<long long>();
          cmp = i < j ? -1 : (i > j ? 1 : 0);
        } else {
          cmp = x < y ? -1 : (x > y ? 1 : 0);
        }
      } else if (a.is_string() && b.is_string()) {
        cmp = a.get<std::string>().compare(b.get<std::string>());
        cmp = cmp < 0 ? -1 : (cmp > 0 ? 1 : 0);
      } else if (a.is_boolean() && b.is_boolean()) {
        cmp = static_cast<int>(a.get<bool>()) - static_cast<int>(b.get<bool>());
      } else {
        return NoOverload(op, a, b);
      }
      if (op == "<") return json(cmp < 0);
      if (op == "<=") return json(cmp <= 0);
      if (op == ">") return json(cmp > 0);
      return json(cmp >= 0);
    }
    if (op == "+") {
      if (IsInt(a) && IsInt(b)) {
        long long r = 0;
        if (__builtin_add_overflow(a.get<long long>(), b.get<long long>(), &r)) return InvalidArgumentError("integer overflow");
        return json(r);
      }
      if (IsDouble(a) && IsDouble(b)) return json(a.get<double>() + b.get<double>());
      if (a.is_string() && b.is_string()) return json(a.get<std::string>() + b.get<std::string>());
      if (a.is_array() && b.is_array()) {
        json c = a;
        for (const json& x : b) c.push_back(x);
        return c;
      }
      return NoOverload(op, a, b);
    }
    if (op == "-" || op == "*" || op == "/" || op == "%") {
      if (IsInt(a) && IsInt(b)) {
        long long x = a.get<long long>(), y = b.get<long long>(), r = 0;
        if (op == "-" || op == "*") {
          bool overflow = op == "-" ? __builtin_sub_overflow(x, y, &r) : __builtin_mul_overflow(x, y, &r);
          if (overflow) return InvalidArgumentError("integer overflow");
          return json(r);
        }
        if (y == 0) return InvalidArgumentError(op == "/" ? "division by zero" : "modulus by zero");
        if (x == std::numeric_limits<long long>::min() && y == -1) return InvalidArgumentError("integer overflow");
        return json(op == "/" ? x / y : x % y);
      }
      if (IsDouble(a) && IsDouble(b) && op != "%") {
        double x = a.get<double>(), y = b.get<double>();
        if (op == "-") return json(x - y);
        if (op == "*") return json(x * y);
        return json(x / y);
      }
      return NoOverload(op, a, b);
    }
    return Unsupported("operator " + op);
  }

  // Macros bind a variable: list.all(x, pred), map.exists(k, pred), list.map(x, expr), ...
  StatusOr<json> Macro(const Node& n, Scope& scope) {
    if (n.args.empty() || n.args[0]->kind != Node::Kind::kIdent) {
      return InvalidArgumentError(n.name + "() needs a variable name as its first argument");
    }
    if (n.args.size() != 2) return Unsupported(n.name + "() with " + std::to_string(n.args.size()) + " arguments");
    auto range = Eval(*n.target, scope);
    if (!range.ok()) return range;
    std::vector<json> elements;
    if (range->is_array()) {
      elements.assign(range->begin(), range->end());
    } else if (range->is_object()) {
      for (auto it = range->begin(); it != range->end(); ++it) elements.push_back(json(it.key()));
    } else {
      return NoOverload(n.name, *range);
    }
    const std::string& var = n.args[0]->name;
    std::optional<json> saved;
    if (auto it = scope.find(var); it != scope.end()) saved = it->second;
    auto restore = [&] {
      if (saved) scope[var] = *saved;
      else scope.erase(var);
    };
    json result;
    std::optional<Status> error;
    size_t true_count = 0;
    json mapped = json::array();
    for (const json& element : elements) {
      scope[var] = element;
      auto v = Eval(*n.args[1], scope);
      if (n.name == "map") {
        if (!v.ok()) {
          restore();
          return v;
        }
        mapped.push_back(std::move(*v));
        continue;
      }
      if (!v.ok()) {
        if (!error) error = v.status();
        continue;
      }
      if (!v->is_boolean()) {
        restore();
        return NoOverload(n.name, *v);
      }
      bool b = v->get<bool>();
      if (n.name == "all" && !b) {
        restore();
        return json(false);
      }
      if (n.name == "exists" && b) {
        restore();
        return json(true);
      }
      if (b) {
        ++true_count;
        if (n.name == "filter") mapped.push_back(element);
      }
    }
    restore();
    if (error) return *error;
    if (n.name == "all") return json(true);
    if (n.name == "exists") return json(false);
    if (n.name == "exists_one") return json(true_count == 1);
    return mapped;  // map, filter
  }

  StatusOr<json> Call(const Node& n, Scope& scope) {
    const std::string& f = n.name;
    if (n.target == nullptr && f == "has") {
      if (n.args.size() != 1 || n.args[0]->kind != Node::Kind::kSelect) {
        return InvalidArgumentError("has() needs a field selection argument");
      }
      const Node& select = *n.args[0];
      auto target = Eval(*select.target, scope);
      if (!target.ok()) return target;
      if (!target->is_object()) return NoOverload("has", *target);
      return json(target->contains(select.name));
    }
    if (n.target != nullptr && (f == "all" || f == "exists" || f == "exists_one" || f == "map" || f == "filter")) {
      return Macro(n, scope);
    }
    // Ordinary functions: the receiver (if any) becomes the first argument.
    std::vector<json> args;
    if (n.target != nullptr) {
      auto receiver = Eval(*n.target, scope);
      if (!receiver.ok()) return receiver;
      args.push_back(std::move(*receiver));
    }
    for (const NodePtr& a : n.args) {
      auto v = Eval(*a, scope);
      if (!v.ok()) return v;
      args.push_back(std::move(*v));
    }
    auto arity = [&](size_t k) { return args.size() == k; };
    if (f == "size" && arity(1)) {
      const json& x = args[0];
      if (x.is_string()) return json(static_cast<long long>(CodePoints(x.get<std::string>())));
      if (x.is_array() || x.is_object()) return json(static_cast<long long>(x.size()));
      return NoOverload("size", x);
    }
    if ((f == "startsWith" || f == "endsWith" || f == "contains" || f == "matches") && arity(2)) {
      if (!args[0].is_string() || !args[1].is_string()) return NoOverload(f, args[0], args[1]);
      const std::string& s = args[0].get_ref<const std::string&>();
      const std::string& t = args[1].get_ref<const std::string&>();
      if (f == "startsWith") return json(s.rfind(t, 0) == 0);
      if (f == "endsWith") return json(s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0);
      if (f == "contains") return json(s.find(t) != std::string::npos);
      const std::regex* re = CompileRegex(t);
      if (re == nullptr) return Unsupported("regular expression " + t);
      return json(std::regex_search(s, *re));
    }
    if ((f == "lowerAscii" || f == "upperAscii" || f == "trim") && arity(1)) {
      if (!args[0].is_string()) return NoOverload(f, args[0]);
      std::string s = args[0].get<std::string>();
      if (f == "trim") {
        size_t b = s.find_first_not_of(" \t\n\r\f\v");
        size_t e = s.find_last_not_of(" \t\n\r\f\v");
        return json(b == std::string::npos ? "" : s.substr(b, e - b + 1));
      }
      for (char& c : s) {
        c = static_cast<char>(f == "lowerAscii" ? std::tolower(static_cast<unsigned char>(c))
                                                : std::toupper(static_cast<unsigned char>(c)));
      }
      return json(s);
    }
    if (f == "int" && arity(1) && n.target == nullptr) {
      const json& x = args[0];
      if (IsInt(x)) return x;
      if (IsDouble(x)) return json(static_cast<long long>(x.get<double>()));
      if (x.is_string()) {
        long long v = 0;
        const std::string& s = x.get_ref<const std::string&>();
        auto res = std::from_chars(s.data(), s.data() + s.size(), v);
        if (res.ec != std::errc() || res.ptr != s.data() + s.size()) return InvalidArgumentError("cannot convert to int: " + s);
        return json(v);
      }
      return NoOverload("int", x);
    }
    if (f == "double" && arity(1) && n.target == nullptr) {
      const json& x = args[0];
      if (x.is_number()) return json(x.get<double>());
      return NoOverload("double", x);
    }
    if (f == "string" && arity(1) && n.target == nullptr) {
      const json& x = args[0];
      if (x.is_string()) return x;
      if (IsInt(x) || x.is_boolean()) return json(x.dump());
      return NoOverload("string", x);
    }
    return Unsupported("function " + f);
  }
};

bool IsSupportedFunction(const Node& call) {
  static const char* kMacros[] = {"all", "exists", "exists_one", "map", "filter"};
  static const char* kFunctions[] = {"size", "startsWith", "endsWith", "contains", "matches",
                                     "lowerAscii", "upperAscii", "trim", "int", "double", "string"};
  if (call.target == nullptr && call.name == "has") return true;
  if (call.target != nullptr) {
    for (const char* m : kMacros) {
      if (call.name == m) return true;
    }
  }
  for (const char* f : kFunctions) {
    if (call.name == f) return true;
  }
  return false;
}

// The first function the subset cannot evaluate, or "" if every call is supported.
std::string UnsupportedFunction(const Node& n) {
  if (n.kind == Node::Kind::kCall && !IsSupportedFunction(n)) return n.name;
  if (n.target) {
    if (std::string f = UnsupportedFunction(*n.target); !f.empty()) return f;
  }
  for (const NodePtr& a : n.args) {
    if (std::string f = UnsupportedFunction(*a); !f.empty()) return f;
  }
  return "";
}

bool MentionsOldSelf(const Node& n) {
  if (n.kind == Node::Kind::kIdent && n.name == "oldSelf") return true;
  if (n.target && MentionsOldSelf(*n.target)) return true;
  for (const NodePtr& a : n.args) {
    if (MentionsOldSelf(*a)) return true;
  }
  return false;
}

}  // namespace cel_internal

StatusOr<CelProgram> CelProgram::Compile(std::string_view expression) {
  auto tokens = cel_internal::Lex(expression);
  if (!tokens.ok()) return tokens.status();
  cel_internal::Parser parser(std::move(*tokens));
  auto root = parser.ParseAll();
  if (!root.ok()) return root.status();
  if (std::string f = cel_internal::UnsupportedFunction(**root); !f.empty()) {
    return cel_internal::Unsupported("function " + f);
  }
  CelProgram program;
  program.root_ = *root;
  program.references_old_self_ = cel_internal::MentionsOldSelf(**root);
  return program;
}

StatusOr<nlohmann::json> CelProgram::Evaluate(const nlohmann::json& self_value) const {
  cel_internal::Scope scope;
  scope["self"] = self_value;
  cel_internal::Evaluator evaluator;
  return evaluator.Eval(*root_, scope);
}

}  // namespace lifeboat::devcluster
