#include "e2e/devcluster/semantics/json_patch.h"

#include <charconv>
#include <string>
#include <vector>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

// Splits an RFC 6901 pointer into unescaped reference tokens ("" is the whole document).
StatusOr<std::vector<std::string>> SplitPointer(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/') return InvalidArgumentError("JSON pointer must be empty or start with a \"/\": " + pointer);
  size_t start = 1;
  while (true) {
    size_t slash = pointer.find('/', start);
    std::string raw = pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    std::string token;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~') {
        if (i + 1 < raw.size() && raw[i + 1] == '0') token.push_back('~');
        else if (i + 1 < raw.size() && raw[i + 1] == '1') token.push_back('/');
        else return InvalidArgumentError("invalid JSON pointer escape in " + pointer);
        ++i;
      } else {
        token.push_back(raw[i]);
      }
    }
    tokens.push_back(token);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return tokens;
}

// An array index token: digits only, no leading zeros (RFC 6901). -1 if invalid.
long long ParseIndex(const std::string& token) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return -1;
  long long n = 0;
  auto res = std::from_chars(token.data(), token.data() + token.size(), n);
  if (res.ec != std::errc() || res.ptr != token.data() + token.size()) return -1;
  return n;
}

Status Missing(const std::string& op, const std::string& what, const std::string& path) {
  return FailedPreconditionError(op + " operation does not apply: doc is missing " + what + ": " + path +
                                 ": missing value");
}

// Navigates to the container holding the last token. Returns nullptr if a step is missing.
json* Parent(json& doc, const std::vector<std::string>& tokens) {
  json* node = &doc;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (node->is_object()) {
      auto it = node->find(tokens[i]);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      long long idx = ParseIndex(tokens[i]);
      if (idx < 0 || idx >= static_cast<long long>(node->size())) return nullptr;
      node = &(*node)[static_cast<size_t>(idx)];
    } else {
      return nullptr;
    }
  }
  return node;
}

const json* Find(const json& doc, const std::vector<std::string>& tokens) {
  const json* node = &doc;
  for (const std::string& t : tokens) {
    if (node->is_object()) {
      auto it = node->find(t);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      long long idx = ParseIndex(t);
      if (idx < 0 || idx >= static_cast<long long>(node->size())) return nullptr;
      node = &(*node)[static_cast<size_t>(idx)];
    } else {
      return nullptr;
    }
  }
  return node;
}

Status Add(json& doc, const std::vector<std::string>& tokens, const std::string& path, json value) {
  if (tokens.empty()) {
    doc = std::move(value);
    return Status::Ok();
  }
  json* parent = Parent(doc, tokens);
  if (parent == nullptr) return Missing("add", "path", "\"" + path + "\"");
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    (*parent)[last] = std::move(value);
    return Status::Ok();
  }
  if (parent->is_array()) {
    if (last == "-") {
      parent->push_back(std::move(value));
      return Status::Ok();
    }
    long long idx = ParseIndex(last);
    if (idx < 0 || idx > static_cast<long long>(parent->size())) {
      return FailedPreconditionError("Unable to access invalid index: " + last + ": invalid index referenced");
    }
    parent->insert(parent->begin() + idx, std::move(value));
    return Status::Ok();
  }
  return Missing("add", "path", "\"" + path + "\"");
}

StatusOr<json> Remove(json& doc, const std::vector<std::string>& tokens, const std::string& path,
                      const std::string& op) {
  if (tokens.empty()) {
    json old = std::move(doc);
    doc = json();
    return old;
  }
  json* parent = Parent(doc, tokens);
  if (parent == nullptr) return Missing(op, "path", "\"" + path + "\"");
  const std::string& last = tokens.back();
  if (parent->is_object()) {
    auto it = parent->find(last);
    if (it == parent->end()) {
      return FailedPreconditionError("Unable to remove nonexistent key: " + last + ": missing value");
    }
    json old = std::move(*it);
    parent->erase(it);
    return old;
  }
  if (parent->is_array()) {
    long long idx = ParseIndex(last);
    if (idx < 0 || idx >= static_cast<long long>(parent->size())) {
      return FailedPreconditionError("Unable to remove invalid index: " + last + ": invalid index referenced");
    }
    json old = std::move((*parent)[static_cast<size_t>(idx)]);
    parent->erase(parent->begin() + idx);
    return old;
  }
  return Missing(op, "path", "\"" + path + "\"");
}

}  // namespace

StatusOr<json> ApplyJsonPatch(const json& doc, const json& ops) {
  if (!ops.is_array()) {
    return InvalidArgumentError("invalid JSON Patch: the patch must be a JSON array of operations");
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    if (!ops[i].is_object()) {
      return InvalidArgumentError("invalid JSON Patch: operation " + std::to_string(i) + " is not an object");
    }
  }
  json result = doc;
  for (const json& op : ops) {
    // As the real server's JSON Patch library: a missing "op" is an unknown kind, a missing
    // "path"/"from" a missing value, a missing "value" is null.
    std::string k = op.contains("op") && op["op"].is_string() ? op["op"].get<std::string>() : "";
    if (k != "add" && k != "remove" && k != "replace" && k != "move" && k != "copy" && k != "test") {
      return FailedPreconditionError("Unexpected kind: " + k);
    }
    if (!op.contains("path") || !op["path"].is_string()) {
      return FailedPreconditionError("operation missing path field: missing value");
    }
    const std::string path = op["path"].get<std::string>();
    auto tokens = SplitPointer(path);
    if (!tokens.ok()) return tokens.status();
    const json value = op.contains("value") ? op["value"] : json();
    const json* parent = tokens->empty() ? nullptr : Parent(result, *tokens);
    bool parent_missing = !tokens->empty() && (parent == nullptr || !(parent->is_object() || parent->is_array()));
    if (k == "add") {
      LIFEBOAT_RETURN_IF_ERROR(Add(result, *tokens, path, value));
    } else if (k == "remove") {
      auto removed = Remove(result, *tokens, path, "remove");
      if (!removed.ok()) return removed.status();
    } else if (k == "replace") {
      if (parent_missing) {
        return FailedPreconditionError("replace operation does not apply: doc is missing path: " + path + ": missing value");
      }
      if (Find(result, *tokens) == nullptr) {
        return FailedPreconditionError("replace operation does not apply: doc is missing key: " + path + ": missing value");
      }
      auto removed = Remove(result, *tokens, path, "replace");
      if (!removed.ok()) return removed.status();
      LIFEBOAT_RETURN_IF_ERROR(Add(result, *tokens, path, value));
    } else if (k == "move" || k == "copy") {
      if (!op.contains("from") || !op["from"].is_string()) {
        return FailedPreconditionError("operation, missing from field: missing value");
      }
      const std::string from = op["from"].get<std::string>();
      auto from_tokens = SplitPointer(from);
      if (!from_tokens.ok()) return from_tokens.status();
      const json* source = Find(result, *from_tokens);
      if (source == nullptr) {
        return FailedPreconditionError(k + " operation does not apply: doc is missing from path: " + from +
                                       ": missing value");
      }
      if (k == "move") {
        if (path.size() > from.size() && path.compare(0, from.size(), from) == 0 && path[from.size()] == '/') {
          return FailedPreconditionError("move operation does not apply: cannot move " + from + " into its own child " +
                                         path);
        }
        auto moved = Remove(result, *from_tokens, from, "move");
        if (!moved.ok()) return moved.status();
        LIFEBOAT_RETURN_IF_ERROR(Add(result, *tokens, path, std::move(*moved)));
      } else {
        json copy = *source;
        LIFEBOAT_RETURN_IF_ERROR(Add(result, *tokens, path, std::move(copy)));
      }
    } else {  // test
      if (parent_missing) {
        return FailedPreconditionError("test operation does not apply: is missing path: " + path + ": missing value");
      }
      const json* actual = Find(result, *tokens);
      if (actual == nullptr ? !value.is_null() : *actual != value) {
        return FailedPreconditionError("testing value " + path + " failed: test failed");
      }
    }
  }
  return result;
}

}  // namespace lifeboat::devcluster
