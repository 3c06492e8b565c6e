#include "e2e/devcluster/semantics/builtin_schemas.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "e2e/devcluster/semantics/builtin_schemas_internal.h"

namespace lifeboat::devcluster {
namespace internal {
namespace {

using nlohmann::json;

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> SplitWords(const std::string& s) {
  std::vector<std::string> words;
  std::istringstream in(s);
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

std::vector<std::string> SplitOn(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    parts.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return parts;
    start = p + 1;
  }
}

StatusOr<json> TypeSchema(const std::string& type) {
  if (type.rfind("[]", 0) == 0) {
    auto items = TypeSchema(type.substr(2));
    if (!items.ok()) return items.status();
    return json{{"type", "array"}, {"items", *items}};
  }
  if (type.rfind("map[", 0) == 0 && type.back() == ']') {
    auto values = TypeSchema(type.substr(4, type.size() - 5));
    if (!values.ok()) return values.status();
    return json{{"type", "object"}, {"additionalProperties", *values}};
  }
  if (type == "string") return json{{"type", "string"}};
  if (type == "boolean") return json{{"type", "boolean"}};
  if (type == "integer") return json{{"type", "integer"}};
  if (type == "int32") return json{{"type", "integer"}, {"format", "int32"}};
  if (type == "int64") return json{{"type", "integer"}, {"format", "int64"}};
  if (type == "number") return json{{"type", "number"}};
  if (type == "double") return json{{"type", "number"}, {"format", "double"}};
  if (type == "time") return json{{"type", "string"}, {"format", "date-time"}};
  if (type == "bytes") return json{{"type", "string"}, {"format", "byte"}};
  if (type == "quantity" || type == "intstr") return json{{"x-kubernetes-int-or-string", true}};
  if (type == "object") return json{{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  if (type == "any") return json{{"x-kubernetes-preserve-unknown-fields", true}};
  if (type.empty() || !std::isupper(static_cast<unsigned char>(type[0]))) {
    return InvalidArgumentError("unknown type \"" + type + "\"");
  }
  return json{{"$ref", type}};
}

}  // namespace

StatusOr<json> ParseSchemaNotation(std::string_view text) {
  json definitions = json::object();
  json kinds = json::array();
  std::string current;
  int line_number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view raw = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    std::string line = Trim(raw.substr(0, raw.find('#')));
    if (line.empty()) continue;
    auto fail = [&](const std::string& why) {
      return InvalidArgumentError("built-in schema line " + std::to_string(line_number) + ": " + why + ": " +
                                  std::string(raw));
    };
    bool indented = raw[0] == ' ';
    size_t colon = line.find(':');
    if (colon == std::string::npos) return fail("missing ':'");
    std::string name = Trim(line.substr(0, colon));
    std::vector<std::string> words = SplitWords(line.substr(colon + 1));
    if (!indented) {
      if (definitions.contains(name)) return fail("duplicate definition");
      current = name;
      json def = {{"type", "object"}, {"properties", json::object()}};
      for (const std::string& w : words) {
        if (w == "preserve") {
          def["x-kubernetes-preserve-unknown-fields"] = true;
        } else if (w.rfind("kind=", 0) == 0) {
          std::string gv = w.substr(5);
          size_t slash = gv.find('/');
          std::string group = slash == std::string::npos ? "" : gv.substr(0, slash);
          std::string version = slash == std::string::npos ? gv : gv.substr(slash + 1);
          kinds.push_back({{"group", group}, {"version", version}, {"kind", name}});
          def["x-kubernetes-group-version-kind"] = json::array({{{"group", group}, {"version", version}, {"kind", name}}});
        } else {
          return fail("unknown definition attribute \"" + w + "\"");
        }
      }
      definitions[name] = def;
      continue;
    }
    if (current.empty()) return fail("property outside a definition");
    if (words.empty()) return fail("missing type");
    auto schema = TypeSchema(words[0]);
    if (!schema.ok()) return fail(schema.status().message());
    json prop = *schema;
    json& def = definitions[current];
    for (size_t i = 1; i < words.size(); ++i) {
      const std::string& w = words[i];
      if (w == "required") {
        def["required"].push_back(name);
      } else if (w.rfind("enum=", 0) == 0) {
        json values = json::array();
        for (const std::string& v : SplitOn(w.substr(5), '|')) values.push_back(v);
        (prop.contains("items") ? prop["items"] : prop)["enum"] = values;
      } else if (w.rfind("merge=", 0) == 0) {
        prop["x-kubernetes-patch-strategy"] = "merge";
        prop["x-kubernetes-patch-merge-key"] = w.substr(6);
      } else if (w.rfind("mergeRetain=", 0) == 0) {
        prop["x-kubernetes-patch-strategy"] = "merge,retainKeys";
        prop["x-kubernetes-patch-merge-key"] = w.substr(12);
      } else if (w == "retainKeys") {
        prop["x-kubernetes-patch-strategy"] = "retainKeys";
      } else if (w == "set") {
        prop["x-kubernetes-patch-strategy"] = "merge";
        prop["x-kubernetes-list-type"] = "set";
      } else if (w == "atomic") {
        prop["x-kubernetes-list-type"] = "atomic";
      } else {
        return fail("unknown property attribute \"" + w + "\"");
      }
    }
    // Go decodes null into a zero value: every built-in field accepts null.
    prop["nullable"] = true;
    if (def["properties"].contains(name)) return fail("duplicate property");
    def["properties"][name] = prop;
  }
  return json{{"definitions", definitions}, {"kinds", kinds}};
}

namespace {

using Memo = std::map<std::string, json, std::less<>>;

Status Inline(json& node, const json& definitions, std::vector<std::string>& stack, Memo& memo) {
  if (node.is_object()) {
    auto ref = node.find("$ref");
    if (ref != node.end()) {
      std::string name = ref->get<std::string>();
      if (!definitions.contains(name)) return InvalidArgumentError("unknown definition \"" + name + "\"");
      for (const std::string& s : stack) {
        if (s == name) return InvalidArgumentError("recursive definition \"" + name + "\"");
      }
      auto done = memo.find(name);
      if (done == memo.end()) {
        json replacement = definitions[name];
        stack.push_back(name);
        LIFEBOAT_RETURN_IF_ERROR(Inline(replacement, definitions, stack, memo));
        stack.pop_back();
        done = memo.emplace(name, std::move(replacement)).first;
      }
      node.erase("$ref");
      // Keywords written next to the reference (patch strategy, nullable, ...) win.
      for (auto it = done->second.begin(); it != done->second.end(); ++it) {
        if (!node.contains(it.key())) node[it.key()] = *it;
      }
      return Status::Ok();
    }
    for (auto& [key, child] : node.items()) LIFEBOAT_RETURN_IF_ERROR(Inline(child, definitions, stack, memo));
  } else if (node.is_array()) {
    for (json& child : node) LIFEBOAT_RETURN_IF_ERROR(Inline(child, definitions, stack, memo));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<json> InlineSchema(const json& schema, const json& definitions) {
  json result = schema;
  std::vector<std::string> stack;
  Memo memo;
  LIFEBOAT_RETURN_IF_ERROR(Inline(result, definitions, stack, memo));
  return result;
}

StatusOr<std::map<std::string, json, std::less<>>> InlineAll(const json& definitions) {
  std::vector<std::string> stack;
  Memo memo;
  for (auto it = definitions.begin(); it != definitions.end(); ++it) {
    json ref = {{"$ref", it.key()}};
    LIFEBOAT_RETURN_IF_ERROR(Inline(ref, definitions, stack, memo).WithContext(it.key()));
  }
  return memo;
}

}  // namespace internal

namespace {

struct Registry {
  std::map<std::string, nlohmann::json, std::less<>> definitions;  // inlined
  std::map<std::string, const nlohmann::json*, std::less<>> kinds;  // "group/version/kind"
  std::vector<BuiltinKind> kind_list;
};

const Registry& GetRegistry() {
  static const Registry* registry = [] {
    auto* r = new Registry();
    auto parsed = internal::ParseSchemaNotation(internal::BuiltinSchemaText());
    if (!parsed.ok()) {
      // The definitions are part of the program: a mistake in them is a bug caught by the tests.
      std::fprintf(stderr, "lifeboat: broken built-in schemas: %s\n", parsed.status().message().c_str());
      std::abort();
    }
    auto inlined = internal::InlineAll((*parsed)["definitions"]);
    if (!inlined.ok()) {
      std::fprintf(stderr, "lifeboat: broken built-in schemas: %s\n", inlined.status().message().c_str());
      std::abort();
    }
    for (auto& [name, schema] : *inlined) r->definitions.emplace(name, std::move(schema));
    for (const nlohmann::json& k : (*parsed)["kinds"]) {
      BuiltinKind kind{k["group"], k["version"], k["kind"]};
      r->kinds[kind.group + "/" + kind.version + "/" + kind.kind] = &r->definitions.at(kind.kind);
      r->kind_list.push_back(kind);
    }
    return r;
  }();
  return *registry;
}

}  // namespace

const nlohmann::json* BuiltinSchema(std::string_view group, std::string_view version, std::string_view kind) {
  const Registry& r = GetRegistry();
  std::string key = std::string(group) + "/" + std::string(version) + "/" + std::string(kind);
  auto it = r.kinds.find(key);
  return it == r.kinds.end() ? nullptr : it->second;
}

const nlohmann::json* BuiltinDefinition(std::string_view name) {
  const Registry& r = GetRegistry();
  auto it = r.definitions.find(name);
  return it == r.definitions.end() ? nullptr : &it->second;
}

std::vector<std::string> BuiltinDefinitionNames() {
  std::vector<std::string> names;
  for (const auto& [name, schema] : GetRegistry().definitions) names.push_back(name);
  return names;
}

const std::vector<BuiltinKind>& BuiltinKinds() { return GetRegistry().kind_list; }

}  // namespace lifeboat::devcluster
