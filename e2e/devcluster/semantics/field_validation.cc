#include "e2e/devcluster/semantics/field_validation.h"

#include <cctype>
#include <set>

#include "e2e/devcluster/semantics/go_format.h"

namespace lifeboat::devcluster {
namespace {

// A minimal JSON reader that walks the document only to find repeated keys. It stops (returning
// false) at the first syntax error; the real decoder reports those.
class DuplicateScanner {
 public:
  explicit DuplicateScanner(std::string_view text) : text_(text) {}

  bool Run(std::vector<std::string>& duplicates) {
    duplicates_ = &duplicates;
    SkipSpace();
    if (!Value("")) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  static void AppendUtf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool Hex4(unsigned& value) {
    if (pos_ + 4 > text_.size()) return false;
    value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      value <<= 4;
      if (c >= '0' && c <= '9') value |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') value |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') value |= static_cast<unsigned>(c - 'A' + 10);
      else return false;
    }
    return true;
  }

  bool String(std::string* out) {
    if (pos_ >= text_.size() || text_[pos_] != '"') return false;
    ++pos_;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        if (out) out->push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      char e = text_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': if (out) out->push_back(e); break;
        case 'b': if (out) out->push_back('\b'); break;
        case 'f': if (out) out->push_back('\f'); break;
        case 'n': if (out) out->push_back('\n'); break;
        case 'r': if (out) out->push_back('\r'); break;
        case 't': if (out) out->push_back('\t'); break;
        case 'u': {
          unsigned cp = 0;
          if (!Hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 6 <= text_.size() && text_[pos_] == '\\' && text_[pos_ + 1] == 'u') {
            pos_ += 2;
            unsigned low = 0;
            if (!Hex4(low)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          if (out) AppendUtf8(*out, cp);
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  bool Value(const std::string& path) {
    SkipSpace();
    if (pos_ >= text_.size()) return false;
    char c = text_[pos_];
    if (c == '{') return Object(path);
    if (c == '[') return Array(path);
    if (c == '"') return String(nullptr);
    // Literals and numbers: consume the token.
    size_t start = pos_;
    while (pos_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '-' ||
                                   text_[pos_] == '+' || text_[pos_] == '.')) {
      ++pos_;
    }
    return pos_ > start;
  }

  bool Object(const std::string& path) {
    ++pos_;  // {
    std::set<std::string> seen;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      std::string key;
      if (!String(&key)) return false;
      std::string child = path.empty() ? key : path + "." + key;
      if (!seen.insert(key).second) duplicates_->push_back(child);
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return false;
      ++pos_;
      if (!Value(child)) return false;
      SkipSpace();
      if (pos_ >= text_.size()) return false;
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return false;
    }
  }

  bool Array(const std::string& path) {
    ++pos_;  // [
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (size_t i = 0;; ++i) {
      if (!Value(path + "[" + std::to_string(i) + "]")) return false;
      SkipSpace();
      if (pos_ >= text_.size()) return false;
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return false;
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<std::string>* duplicates_ = nullptr;
};

}  // namespace

StatusOr<FieldValidationMode> ParseFieldValidationMode(std::string_view value) {
  if (value.empty() || value == "Warn") return FieldValidationMode::kWarn;
  if (value == "Strict") return FieldValidationMode::kStrict;
  if (value == "Ignore") return FieldValidationMode::kIgnore;
  return InvalidArgumentError("fieldValidation: Unsupported value: " + GoQuote(value) +
                              ": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"");
}

std::vector<std::string> FindDuplicateFields(std::string_view raw_json) {
  std::vector<std::string> duplicates;
  DuplicateScanner scanner(raw_json);
  if (!scanner.Run(duplicates)) return {};
  // Like the real decoder, report each path once.
  std::vector<std::string> unique;
  std::set<std::string> seen;
  for (std::string& d : duplicates) {
    if (seen.insert(d).second) unique.push_back(std::move(d));
  }
  return unique;
}

std::vector<std::string> FieldValidationProblems(const std::vector<std::string>& unknown_fields,
                                                 const std::vector<std::string>& duplicate_fields) {
  std::vector<std::string> problems;
  for (const std::string& f : unknown_fields) problems.push_back("unknown field " + GoQuote(f));
  for (const std::string& f : duplicate_fields) problems.push_back("duplicate field " + GoQuote(f));
  return problems;
}

std::string StrictDecodingErrorMessage(const std::vector<std::string>& unknown_fields,
                                       const std::vector<std::string>& duplicate_fields) {
  std::string message = "strict decoding error: ";
  std::vector<std::string> problems = FieldValidationProblems(unknown_fields, duplicate_fields);
  for (size_t i = 0; i < problems.size(); ++i) message += (i ? ", " : "") + problems[i];
  return message;
}

std::string WarningHeaderValue(std::string_view text) { return "299 - " + GoQuote(text); }

}  // namespace lifeboat::devcluster
