#include "e2e/devcluster/server/json_path.h"

#include <cctype>
#include <functional>

namespace lifeboat::devcluster {
namespace {

using Step = JsonPath::Step;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Status ParseSteps(std::vector<Step>& steps, bool in_filter) {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (in_filter && (c == ' ' || c == '=' || c == '!' || c == '<' || c == '>' || c == ')')) {
        return Status::Ok();
      }
      if (c == '.') {
        ++pos_;
        if (pos_ < text_.size() && text_[pos_] == '.') {
          ++pos_;
          Step step;
          step.type = Step::Type::kRecursive;
          steps.push_back(step);
        }
        if (pos_ < text_.size() && text_[pos_] == '*') {
          ++pos_;
          Step step;
          step.type = Step::Type::kWildcard;
          steps.push_back(step);
          continue;
        }
        std::string name;
        while (pos_ < text_.size()) {
          char d = text_[pos_];
          if (d == '\\' && pos_ + 1 < text_.size()) {
            name.push_back(text_[pos_ + 1]);
            pos_ += 2;
            continue;
          }
          if (d == '.' || d == '[' || (in_filter && (d == ' ' || d == '=' || d == '!' || d == '<' || d == '>' || d == ')'))) break;
          name.push_back(d);
          ++pos_;
        }
        if (name.empty()) {
          if (!steps.empty() && steps.back().type == Step::Type::kRecursive) continue;
          if (pos_ >= text_.size()) return Status::Ok();  // "." alone selects the root
          if (text_[pos_] == '[') continue;
          return InvalidArgumentError("empty field name in JSONPath at offset " + std::to_string(pos_));
        }
        Step step;
        step.type = Step::Type::kField;
        step.field = name;
        steps.push_back(step);
        continue;
      }
      if (c == '[') {
        LIFEBOAT_RETURN_IF_ERROR(ParseBracket(steps));
        continue;
      }
      if (steps.empty() && pos_ == 0 && (std::isalpha(static_cast<unsigned char>(c)) || c == '_')) {
        // "spec.size" without the leading dot: accepted like kubectl does for custom columns.
        text_ = std::string(".") + text_;
        continue;
      }
      return InvalidArgumentError(std::string("unexpected character '") + c + "' in JSONPath at offset " +
                                  std::to_string(pos_));
    }
    return Status::Ok();
  }

  Status ParseBracket(std::vector<Step>& steps) {
    ++pos_;  // '['
    if (pos_ >= text_.size()) return InvalidArgumentError("unterminated [ in JSONPath");
    char c = text_[pos_];
    Step step;
    if (c == '\'' || c == '"') {
      size_t end = text_.find(c, pos_ + 1);
      if (end == std::string::npos) return InvalidArgumentError("unterminated quoted key in JSONPath");
      step.type = Step::Type::kField;
      step.field = text_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
    } else if (c == '*') {
      step.type = Step::Type::kWildcard;
      ++pos_;
    } else if (c == '?') {
      ++pos_;
      if (pos_ >= text_.size() || text_[pos_] != '(') return InvalidArgumentError("expected ( after ? in JSONPath");
      ++pos_;
      JsonPath::Filter filter;
      SkipSpaces();
      if (pos_ >= text_.size() || text_[pos_] != '@') return InvalidArgumentError("filter must start with @ in JSONPath");
      ++pos_;
      LIFEBOAT_RETURN_IF_ERROR(ParseSteps(filter.path, true));
      SkipSpaces();
      if (pos_ < text_.size() && text_[pos_] != ')') {
        std::string op;
        while (pos_ < text_.size() && (text_[pos_] == '=' || text_[pos_] == '!' || text_[pos_] == '<' || text_[pos_] == '>')) {
          op.push_back(text_[pos_++]);
        }
        if (op != "==" && op != "!=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
          return InvalidArgumentError("unsupported filter operator '" + op + "' in JSONPath");
        }
        filter.op = op;
        SkipSpaces();
        auto literal = ParseLiteral();
        if (!literal.ok()) return literal.status();
        filter.literal = *literal;
        SkipSpaces();
      }
      if (pos_ >= text_.size() || text_[pos_] != ')') return InvalidArgumentError("unterminated filter in JSONPath");
      ++pos_;
      step.type = Step::Type::kFilter;
      step.filter.push_back(std::move(filter));
    } else {
      size_t end = pos_;
      if (end < text_.size() && text_[end] == '-') ++end;
      while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
      if (end == pos_ || (end < text_.size() && text_[end] != ']')) {
        return InvalidArgumentError("unsupported index in JSONPath at offset " + std::to_string(pos_));
      }
      step.type = Step::Type::kIndex;
      step.index = std::stol(text_.substr(pos_, end - pos_));
      pos_ = end;
    }
    if (pos_ >= text_.size() || text_[pos_] != ']') return InvalidArgumentError("expected ] in JSONPath");
    ++pos_;
    steps.push_back(std::move(step));
    return Status::Ok();
  }

  StatusOr<nlohmann::json> ParseLiteral() {
    if (pos_ >= text_.size()) return InvalidArgumentError("missing filter value in JSONPath");
    char c = text_[pos_];
    if (c == '\'' || c == '"') {
      size_t end = text_.find(c, pos_ + 1);
      if (end == std::string::npos) return InvalidArgumentError("unterminated string in JSONPath filter");
      std::string value = text_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return nlohmann::json(value);
    }
    size_t end = pos_;
    while (end < text_.size() && text_[end] != ')' && text_[end] != ' ') ++end;
    std::string word = text_.substr(pos_, end - pos_);
    pos_ = end;
    if (word == "true") return nlohmann::json(true);
    if (word == "false") return nlohmann::json(false);
    if (word == "null") return nlohmann::json(nullptr);
    try {
      size_t used = 0;
      if (word.find_first_of(".eE") != std::string::npos) {
        double d = std::stod(word, &used);
        if (used == word.size()) return nlohmann::json(d);
      } else {
        long long i = std::stoll(word, &used);
        if (used == word.size()) return nlohmann::json(i);
      }
    } catch (const std::exception&) {
    }
    return InvalidArgumentError("unsupported filter value '" + word + "' in JSONPath");
  }

  void SkipSpaces() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }

 private:
  std::string text_;
  size_t pos_ = 0;
};

void Collect(const nlohmann::json& node, std::vector<const nlohmann::json*>& out) {
  out.push_back(&node);
  if (node.is_object() || node.is_array()) {
    for (const auto& child : node) Collect(child, out);
  }
}

std::vector<const nlohmann::json*> Apply(const std::vector<Step>& steps, const nlohmann::json& root);

bool Compare(const nlohmann::json& value, const std::string& op, const nlohmann::json& literal) {
  if (op == "==") {
    if (value.is_number() && literal.is_number()) return value.get<double>() == literal.get<double>();
    return value == literal;
  }
  if (op == "!=") {
    if (value.is_number() && literal.is_number()) return value.get<double>() != literal.get<double>();
    return value != literal;
  }
  if (value.is_number() && literal.is_number()) {
    double a = value.get<double>(), b = literal.get<double>();
    if (op == "<") return a < b;
    if (op == "<=") return a <= b;
    if (op == ">") return a > b;
    if (op == ">=") return a >= b;
  }
  if (value.is_string() && literal.is_string()) {
    const auto& a = value.get_ref<const std::string&>();
    const auto& b = literal.get_ref<const std::string&>();
    if (op == "<") return a < b;
    if (op == "<=") return a <= b;
    if (op == ">") return a > b;
    if (op == ">=") return a >= b;
  }
  return false;
}

bool FilterMatches(const JsonPath::Filter& filter, const nlohmann::json& item) {
  std::vector<const nlohmann::json*> values = Apply(filter.path, item);
  if (filter.op.empty()) return !values.empty();
  for (const nlohmann::json* value : values) {
    if (Compare(*value, filter.op, filter.literal)) return true;
  }
  return false;
}

std::vector<const nlohmann::json*> Apply(const std::vector<Step>& steps, const nlohmann::json& root) {
  std::vector<const nlohmann::json*> current{&root};
  for (const Step& step : steps) {
    std::vector<const nlohmann::json*> next;
    for (const nlohmann::json* node : current) {
      switch (step.type) {
        case Step::Type::kField:
          if (node->is_object()) {
            auto it = node->find(step.field);
            if (it != node->end()) next.push_back(&*it);
          }
          break;
        case Step::Type::kIndex:
          if (node->is_array()) {
            long size = static_cast<long>(node->size());
            long index = step.index < 0 ? size + step.index : step.index;
            if (index >= 0 && index < size) next.push_back(&(*node)[static_cast<size_t>(index)]);
          }
          break;
        case Step::Type::kWildcard:
          if (node->is_array() || node->is_object()) {
            for (const auto& child : *node) next.push_back(&child);
          }
          break;
        case Step::Type::kRecursive:
          Collect(*node, next);
          break;
        case Step::Type::kFilter:
          if (node->is_array()) {
            for (const auto& item : *node) {
              if (FilterMatches(step.filter[0], item)) next.push_back(&item);
            }
          }
          break;
      }
    }
    current = std::move(next);
  }
  return current;
}

}  // namespace

StatusOr<JsonPath> JsonPath::Parse(std::string_view expression) {
  std::string text(expression);
  while (!text.empty() && text.front() == ' ') text.erase(0, 1);
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (!text.empty() && text.front() == '{') {
    if (text.back() != '}') return InvalidArgumentError("unclosed { in JSONPath " + std::string(expression));
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty()) return InvalidArgumentError("empty JSONPath");
  if (text[0] == '$') text.erase(0, 1);
  JsonPath path;
  Parser parser(text);
  Status status = parser.ParseSteps(path.steps_, false);
  if (!status.ok()) return InvalidArgumentError(status.message() + " (" + std::string(expression) + ")");
  return path;
}

std::vector<nlohmann::json> JsonPath::Evaluate(const nlohmann::json& document) const {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json* value : Apply(steps_, document)) out.push_back(*value);
  return out;
}

}  // namespace lifeboat::devcluster
