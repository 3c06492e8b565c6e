#include "e2e/devcluster/semantics/schema.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>

#include "e2e/devcluster/semantics/builtin_schemas.h"
#include "e2e/devcluster/semantics/cel.h"
#include "e2e/devcluster/semantics/go_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Schema accessors

bool Flag(const json& schema, const char* name) {
  auto it = schema.find(name);
  return it != schema.end() && it->is_boolean() && it->get<bool>();
}

const json* Member(const json& schema, const char* name) {
  if (!schema.is_object()) return nullptr;
  auto it = schema.find(name);
  return it == schema.end() ? nullptr : &*it;
}

std::string TypeOf(const json& schema) {
  const json* t = Member(schema, "type");
  return t != nullptr && t->is_string() ? t->get<std::string>() : "";
}

const json* Properties(const json& schema) {
  const json* p = Member(schema, "properties");
  return p != nullptr && p->is_object() ? p : nullptr;
}

// The schema of map values (additionalProperties: {schema}); nullptr for none / a boolean.
const json* AdditionalProperties(const json& schema) {
  const json* a = Member(schema, "additionalProperties");
  return a != nullptr && a->is_object() ? a : nullptr;
}

const json* Items(const json& schema) {
  const json* i = Member(schema, "items");
  return i != nullptr && i->is_object() ? i : nullptr;
}

std::string Child(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }
std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

// ---------------------------------------------------------------------------------------------
// Defaulting

void Default(const json& schema, json& value);

void DefaultObject(const json& schema, json& object) {
  if (const json* props = Properties(schema)) {
    for (auto it = props->begin(); it != props->end(); ++it) {
      const json& prop = *it;
      auto existing = object.find(it.key());
      const json* def = Member(prop, "default");
      if (existing == object.end()) {
        if (def != nullptr) object[it.key()] = *def;
      } else if (existing->is_null() && !Flag(prop, "nullable")) {
        // Non-nullable nulls are pruned; a default replaces them.
        if (def != nullptr) *existing = *def;
        else object.erase(existing);
      }
    }
    for (auto it = props->begin(); it != props->end(); ++it) {
      auto existing = object.find(it.key());
      if (existing != object.end()) Default(*it, *existing);
    }
  }
  if (const json* additional = AdditionalProperties(schema)) {
    const json* props = Properties(schema);
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (props != nullptr && props->contains(it.key())) continue;
      Default(*additional, *it);
    }
  }
}

void Default(const json& schema, json& value) {
  if (!schema.is_object()) return;
  if (value.is_object()) {
    DefaultObject(schema, value);
  } else if (value.is_array()) {
    if (const json* items = Items(schema)) {
      for (json& item : value) {
        if (item.is_null() && !Flag(*items, "nullable") && Member(*items, "default") != nullptr) {
          item = (*items)["default"];
        }
        Default(*items, item);
      }
    }
  }
  if (const json* all_of = Member(schema, "allOf"); all_of != nullptr && all_of->is_array()) {
    for (const json& sub : *all_of) Default(sub, value);
  }
}

// ---------------------------------------------------------------------------------------------
// Pruning

void Prune(const json& schema, json& value, const std::string& path, bool is_root_like,
           std::vector<std::string>& pruned);

void PruneMetadata(json& metadata, const std::string& path, std::vector<std::string>& pruned) {
  const json* object_meta = BuiltinDefinition("ObjectMeta");
  if (object_meta != nullptr) Prune(*object_meta, metadata, path, false, pruned);
}

void Prune(const json& schema, json& value, const std::string& path, bool is_root_like,
           std::vector<std::string>& pruned) {
  if (!schema.is_object()) return;
  bool embedded = Flag(schema, "x-kubernetes-embedded-resource");
  bool resource_like = is_root_like || embedded;
  if (value.is_object()) {
    bool preserve = Flag(schema, "x-kubernetes-preserve-unknown-fields");
    const json* props = Properties(schema);
    const json* additional = AdditionalProperties(schema);
    for (auto it = value.begin(); it != value.end();) {
      const std::string key = it.key();
      const std::string child = Child(path, key);
      if (resource_like && key == "metadata") {
        // A resource's metadata is always ObjectMeta (a CRD schema may only restrict name and
        // generateName there), so it is pruned to ObjectMeta's fields.
        PruneMetadata(*it, child, pruned);
        ++it;
      } else if (props != nullptr && props->contains(key)) {
        Prune((*props)[key], *it, child, false, pruned);
        ++it;
      } else if (resource_like && (key == "apiVersion" || key == "kind")) {
        ++it;
      } else if (additional != nullptr) {
        Prune(*additional, *it, child, false, pruned);
        ++it;
      } else if (preserve || Member(schema, "additionalProperties") != nullptr) {
        // additionalProperties: true keeps everything (not structural, but tolerated).
        ++it;
      } else {
        pruned.push_back(child);
        it = value.erase(it);
      }
    }
  } else if (value.is_array()) {
    if (const json* items = Items(schema)) {
      for (size_t i = 0; i < value.size(); ++i) Prune(*items, value[i], Index(path, i), false, pruned);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

std::string JsonTypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::string: return "string";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    default: return "unknown";
  }
}

bool IsIntegral(const json& v) {
  if (v.is_number_integer()) return true;
  if (v.is_number_float()) {
    double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

bool TypeMatches(const std::string& type, const json& v) {
  if (type == "integer") return IsIntegral(v);
  if (type == "number") return v.is_number();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  if (type == "null") return v.is_null();
  return true;
}

class Validator {
 public:
  std::vector<FieldError> errors;

  void Validate(const json& schema, const json& v, const std::string& path) {
    if (!schema.is_object()) return;
    std::string type = TypeOf(schema);
    bool int_or_string = Flag(schema, "x-kubernetes-int-or-string");

    if (v.is_null()) {
      if (Flag(schema, "nullable")) return;
      if (int_or_string) {
        TypeInvalid(path, "null", "integer,string");
      } else if (!type.empty()) {
        TypeInvalid(path, "null", type);
      }
      return;
    }
    if (int_or_string) {
      if (!IsIntegral(v) && !v.is_string()) {
        TypeInvalid(path, JsonTypeName(v), "integer,string");
        return;
      }
    } else if (!type.empty() && !TypeMatches(type, v)) {
      TypeInvalid(path, JsonTypeName(v), type);
      return;
    }

    ValidateComposition(schema, v, path);
    if (v.is_string()) ValidateString(schema, v, path);
    if (v.is_number()) ValidateNumber(schema, v, path);
    ValidateEnum(schema, v, path);
    if (v.is_array()) ValidateArray(schema, v, path);
    if (v.is_object()) ValidateObject(schema, v, path);
  }

 private:
  static std::string In(const std::string& path) { return (path.empty() ? std::string("body") : path) + " in body"; }

  void Add(const char* reason, const std::string& path, std::string message) {
    errors.push_back(FieldError{reason, path, std::move(message)});
  }
  void Invalid(const std::string& path, const json& value, const std::string& detail) {
    Add("FieldValueInvalid", path, "Invalid value: " + GoFieldValue(value) + ": " + detail);
  }
  void TypeInvalid(const std::string& path, const std::string& actual, const std::string& expected) {
    Add("FieldValueTypeInvalid", path,
        "Invalid value: " + GoQuote(actual) + ": " + In(path) + " must be of type " + expected + ": " + GoQuote(actual));
  }

  void ValidateString(const json& schema, const json& v, const std::string& path) {
    const std::string& s = v.get_ref<const std::string&>();
    size_t runes = 0;
    for (unsigned char c : s) {
      if ((c & 0xC0) != 0x80) ++runes;
    }
    if (const json* max = Member(schema, "maxLength"); max != nullptr && max->is_number()) {
      if (runes > max->get<double>()) {
        // Kubernetes 1.32 wording (field.TooLong); 1.24 said "may not be longer than N".
        Add("FieldValueTooLong", path, "Too long: may not be more than " + GoNumber(*max) + " bytes");
      }
    }
    if (const json* min = Member(schema, "minLength"); min != nullptr && min->is_number()) {
      if (runes < min->get<double>()) {
        Invalid(path, v, In(path) + " should be at least " + GoNumber(*min) + " chars long");
      }
    }
    if (const json* pattern = Member(schema, "pattern"); pattern != nullptr && pattern->is_string()) {
      const std::regex* re = CompiledPattern(pattern->get<std::string>());
      if (re != nullptr && !std::regex_search(s, *re)) {
        Invalid(path, v, In(path) + " should match '" + pattern->get<std::string>() + "'");
      }
    }
    if (const json* format = Member(schema, "format"); format != nullptr && format->is_string()) {
      const std::string& f = format->get_ref<const std::string&>();
      if (!FormatMatches(f, s)) {
        Add("FieldValueTypeInvalid", path,
            "Invalid value: " + GoQuote(s) + ": " + In(path) + " must be of type " + f + ": " + GoQuote(s));
      }
    }
  }

  void ValidateNumber(const json& schema, const json& v, const std::string& path) {
    double d = v.get<double>();
    if (const json* m = Member(schema, "multipleOf"); m != nullptr && m->is_number() && m->get<double>() > 0) {
      double q = d / m->get<double>();
      if (std::fabs(q - std::round(q)) > 1e-9) Invalid(path, v, In(path) + " should be a multiple of " + GoNumber(*m));
    }
    if (const json* max = Member(schema, "maximum"); max != nullptr && max->is_number()) {
      bool exclusive = Flag(schema, "exclusiveMaximum");
      double limit = max->get<double>();
      if (exclusive ? d >= limit : d > limit) {
        Invalid(path, v, In(path) + (exclusive ? " should be less than " : " should be less than or equal to ") +
                             GoNumber(*max));
      }
    }
    if (const json* min = Member(schema, "minimum"); min != nullptr && min->is_number()) {
      bool exclusive = Flag(schema, "exclusiveMinimum");
      double limit = min->get<double>();
      if (exclusive ? d <= limit : d < limit) {
        Invalid(path, v, In(path) + (exclusive ? " should be greater than " : " should be greater than or equal to ") +
                             GoNumber(*min));
      }
    }
  }

  void ValidateEnum(const json& schema, const json& v, const std::string& path) {
    const json* values = Member(schema, "enum");
    if (values == nullptr || !values->is_array() || values->empty()) return;
    for (const json& allowed : *values) {
      if (allowed == v) return;
    }
    std::string detail;
    for (size_t i = 0; i < values->size(); ++i) {
      const json& allowed = (*values)[i];
      detail += (i ? ", " : "") + GoQuote(allowed.is_string() ? allowed.get<std::string>() : allowed.dump());
    }
    Add("FieldValueNotSupported", path, "Unsupported value: " + GoFieldValue(v) + ": supported values: " + detail);
  }

  void ValidateArray(const json& schema, const json& v, const std::string& path) {
    if (const json* items = Items(schema)) {
      for (size_t i = 0; i < v.size(); ++i) Validate(*items, v[i], Index(path, i));
    }
    if (const json* min = Member(schema, "minItems"); min != nullptr && min->is_number() && v.size() < min->get<double>()) {
      Invalid(path, json(v.size()), In(path) + " should have at least " + GoNumber(*min) + " items");
    }
    if (const json* max = Member(schema, "maxItems"); max != nullptr && max->is_number() && v.size() > max->get<double>()) {
      Add("FieldValueTooMany", path,
          "Too many: " + std::to_string(v.size()) + ": must have at most " + GoNumber(*max) + " items");
    }
    if (Flag(schema, "uniqueItems")) {
      for (size_t i = 0; i < v.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (v[i] == v[j]) {
            Invalid(path, json(""), In(path) + " shouldn't contain duplicates");
            i = v.size();
            break;
          }
        }
      }
    }
    const json* list_type = Member(schema, "x-kubernetes-list-type");
    if (list_type != nullptr && list_type->is_string()) {
      const std::string& lt = list_type->get_ref<const std::string&>();
      if (lt == "set") {
        for (size_t i = 0; i < v.size(); ++i) {
          for (size_t j = 0; j < i; ++j) {
            if (v[i] == v[j]) {
              Add("FieldValueDuplicate", Index(path, i), "Duplicate value: " + GoFieldValue(v[i]));
              break;
            }
          }
        }
      } else if (lt == "map") {
        const json* keys = Member(schema, "x-kubernetes-list-map-keys");
        if (keys != nullptr && keys->is_array()) {
          auto key_of = [&](const json& item) {
            json k = json::object();
            for (const json& name : *keys) {
              if (name.is_string() && item.is_object() && item.contains(name.get<std::string>())) {
                k[name.get<std::string>()] = item[name.get<std::string>()];
              }
            }
            return k;
          };
          for (size_t i = 0; i < v.size(); ++i) {
            json ki = key_of(v[i]);
            for (size_t j = 0; j < i; ++j) {
              if (key_of(v[j]) == ki) {
                Add("FieldValueDuplicate", Index(path, i), "Duplicate value: " + GoFieldValue(ki));
                break;
              }
            }
          }
        }
      }
    }
  }

  // As kube-openapi's object validator: property-count limits end the check of this object; then
  // map values and properties (in name order), then required properties.
  void ValidateObject(const json& schema, const json& v, const std::string& path) {
    if (const json* min = Member(schema, "minProperties"); min != nullptr && min->is_number() && v.size() < min->get<double>()) {
      Invalid(path, *min, In(path) + " should have at least " + GoNumber(*min) + " properties");
      return;
    }
    if (const json* max = Member(schema, "maxProperties"); max != nullptr && max->is_number() && v.size() > max->get<double>()) {
      Add("FieldValueTooMany", path, "Too many: " + GoNumber(*max) + ": must have at most " + GoNumber(*max) + " items");
      return;
    }
    const json* props = Properties(schema);
    const json* additional = AdditionalProperties(schema);
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (props != nullptr && props->contains(it.key())) {
        Validate((*props)[it.key()], *it, Child(path, it.key()));
      } else if (additional != nullptr) {
        Validate(*additional, *it, Child(path, it.key()));
      }
    }
    if (const json* required = Member(schema, "required"); required != nullptr && required->is_array()) {
      for (const json& name : *required) {
        if (name.is_string() && !v.contains(name.get<std::string>())) {
          std::string message = "Required value";
          const json* prop = props != nullptr ? Member(*props, name.get_ref<const std::string&>().c_str()) : nullptr;
          if (prop != nullptr) {
            if (const json* detail = Member(*prop, "x-lifeboat-required-detail"); detail != nullptr && detail->is_string()) {
              message += ": " + detail->get<std::string>();
            }
          }
          Add("FieldValueRequired", Child(path, name.get<std::string>()), message);
        }
      }
    }
    if (Flag(schema, "x-kubernetes-embedded-resource")) {
      for (const char* key : {"apiVersion", "kind"}) {
        auto it = v.find(key);
        if (it == v.end() || (it->is_string() && it->get<std::string>().empty())) {
          Add("FieldValueRequired", Child(path, key), "Required value: must not be empty");
        }
      }
    }
  }

  void ValidateComposition(const json& schema, const json& v, const std::string& path) {
    if (const json* all_of = Member(schema, "allOf"); all_of != nullptr && all_of->is_array()) {
      for (const json& sub : *all_of) Validate(sub, v, path);
    }
    if (const json* any_of = Member(schema, "anyOf"); any_of != nullptr && any_of->is_array() && !any_of->empty()) {
      bool any = false;
      for (const json& sub : *any_of) {
        if (Passes(sub, v, path)) {
          any = true;
          break;
        }
      }
      if (!any) Invalid(path, v, In(path) + " must validate at least one schema (anyOf)");
    }
    if (const json* one_of = Member(schema, "oneOf"); one_of != nullptr && one_of->is_array() && !one_of->empty()) {
      int passing = 0;
      for (const json& sub : *one_of) passing += Passes(sub, v, path) ? 1 : 0;
      if (passing != 1) Invalid(path, v, In(path) + " must validate one and only one schema (oneOf)");
    }
    if (const json* not_schema = Member(schema, "not"); not_schema != nullptr && not_schema->is_object()) {
      if (Passes(*not_schema, v, path)) Invalid(path, v, In(path) + " must not validate the schema (not)");
    }
  }


 public:
  // The x-kubernetes-validations pass, as the real server runs it after the schema checks: rules of
  // a node are evaluated before those of its children. A rule the CEL subset cannot compile or
  // evaluate (or a transition rule using oldSelf) is skipped rather than failing valid objects.
  void ValidateRules(const json& schema, const json& v, const std::string& path) {
    if (!schema.is_object() || v.is_null()) return;
    std::string type = TypeOf(schema);
    if (!type.empty() && !TypeMatches(type, v)) return;
    if (const json* rules = Member(schema, "x-kubernetes-validations"); rules != nullptr && rules->is_array()) {
      for (const json& rule : *rules) EvaluateRule(rule, type, v, path, schema);
    }
    if (v.is_object()) {
      const json* props = Properties(schema);
      const json* additional = AdditionalProperties(schema);
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (props != nullptr && props->contains(it.key())) {
          ValidateRules((*props)[it.key()], *it, Child(path, it.key()));
        } else if (additional != nullptr) {
          ValidateRules(*additional, *it, Child(path, it.key()));
        }
      }
    } else if (v.is_array()) {
      if (const json* items = Items(schema)) {
        for (size_t i = 0; i < v.size(); ++i) ValidateRules(*items, v[i], Index(path, i));
      }
    }
  }

 private:
  static std::shared_ptr<const CelProgram> CompiledRule(const std::string& text) {
    static std::mutex mu;
    static std::map<std::string, std::shared_ptr<const CelProgram>> cache;
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(text);
    if (it == cache.end()) {
      auto program = CelProgram::Compile(text);
      it = cache.emplace(text, program.ok() ? std::make_shared<const CelProgram>(*program) : nullptr).first;
    }
    return it->second;
  }

  static std::string Trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
  }

  // The value as CEL sees it: `number` fields are doubles and `integer` fields ints, whatever the
  // JSON spelling (5 vs 5.0).
  static json CelValue(const json& schema, const json& v) {
    if (!schema.is_object()) return v;
    std::string type = TypeOf(schema);
    if (type == "number" && v.is_number_integer()) return json(v.get<double>());
    if (type == "integer" && v.is_number_float() && IsIntegral(v)) return json(static_cast<long long>(v.get<double>()));
    if (v.is_object()) {
      const json* props = Properties(schema);
      const json* additional = AdditionalProperties(schema);
      if (props == nullptr && additional == nullptr) return v;
      json out = json::object();
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (props != nullptr && props->contains(it.key())) out[it.key()] = CelValue((*props)[it.key()], *it);
        else if (additional != nullptr) out[it.key()] = CelValue(*additional, *it);
        else out[it.key()] = *it;
      }
      return out;
    }
    if (v.is_array()) {
      const json* items = Items(schema);
      if (items == nullptr) return v;
      json out = json::array();
      for (const json& item : v) out.push_back(CelValue(*items, item));
      return out;
    }
    return v;
  }

  void EvaluateRule(const json& rule, const std::string& type, const json& v, const std::string& path,
                    const json& schema) {
    const json* text = Member(rule, "rule");
    if (text == nullptr || !text->is_string()) return;
    std::shared_ptr<const CelProgram> program = CompiledRule(text->get<std::string>());
    if (program == nullptr || program->ReferencesOldSelf()) return;
    const json self = CelValue(schema, v);
    auto result = program->Evaluate(self);
    if (!result.ok() || !result->is_boolean() || result->get<bool>()) return;
    std::string detail;
    if (const json* expr = Member(rule, "messageExpression"); expr != nullptr && expr->is_string()) {
      if (auto message_program = CompiledRule(expr->get<std::string>())) {
        auto message = message_program->Evaluate(self);
        if (message.ok() && message->is_string()) detail = Trim(message->get<std::string>());
      }
    }
    if (detail.empty()) {
      const json* message = Member(rule, "message");
      detail = message != nullptr && message->is_string() && !Trim(message->get<std::string>()).empty()
                   ? Trim(message->get<std::string>())
                   : "failed rule: " + Trim(text->get<std::string>());
    }
    std::string field = path;
    if (const json* field_path = Member(rule, "fieldPath"); field_path != nullptr && field_path->is_string()) {
      std::string relative = field_path->get<std::string>();
      if (!relative.empty() && relative[0] == '.' && relative.find('[') == std::string::npos) {
        field = path.empty() ? relative.substr(1) : path + relative;
      }
    }
    std::string reason = "FieldValueInvalid";
    if (const json* r = Member(rule, "reason"); r != nullptr && r->is_string()) reason = r->get<std::string>();
    if (reason == "FieldValueForbidden") {
      Add("FieldValueForbidden", field, "Forbidden: " + detail);
    } else if (reason == "FieldValueRequired") {
      Add("FieldValueRequired", field, "Required value: " + detail);
    } else if (reason == "FieldValueDuplicate") {
      Add("FieldValueDuplicate", field, "Duplicate value: " + GoQuote(type));
    } else {
      Add("FieldValueInvalid", field, "Invalid value: " + GoQuote(type) + ": " + detail);
    }
  }

  static bool Passes(const json& schema, const json& v, const std::string& path) {
    Validator sub;
    sub.Validate(schema, v, path);
    return sub.errors.empty();
  }

  static const std::regex* CompiledPattern(const std::string& pattern) {
    static std::mutex mu;
    static std::map<std::string, std::optional<std::regex>> cache;
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(pattern);
    if (it == cache.end()) {
      std::optional<std::regex> re;
      try {
        re.emplace(pattern, std::regex::ECMAScript);
      } catch (const std::regex_error&) {
        // An invalid pattern is rejected when the CRD is created; here it simply does not apply.
      }
      it = cache.emplace(pattern, std::move(re)).first;
    }
    return it->second.has_value() ? &*it->second : nullptr;
  }

  static bool FormatMatches(const std::string& format, const std::string& s) {
    static const std::regex kDateTime(
        R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
    static const std::regex kDate(R"(^\d{4}-\d{2}-\d{2}$)");
    static const std::regex kUuid(R"(^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$)");
    static const std::regex kByte(R"(^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$)");
    static const std::regex kIpv4(R"(^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$)");
    if (format == "date-time") return std::regex_match(s, kDateTime);
    if (format == "date") return std::regex_match(s, kDate);
    if (format == "uuid") return std::regex_match(s, kUuid);
    if (format == "byte") return std::regex_match(s, kByte);
    if (format == "ipv4") return std::regex_match(s, kIpv4);
    return true;  // int32, int64, double, and formats we do not check
  }
};

}  // namespace

std::string FieldError::ToString() const { return field.empty() ? message : field + ": " + message; }

std::string InvalidObjectMessage(const std::string& kind, const std::string& group, const std::string& name,
                                 const std::vector<FieldError>& errors) {
  std::string head = kind + (group.empty() ? "" : "." + group) + " \"" + name + "\" is invalid: ";
  if (errors.size() == 1) return head + errors[0].ToString();
  std::string list;
  for (size_t i = 0; i < errors.size(); ++i) list += (i ? ", " : "") + errors[i].ToString();
  return head + "[" + list + "]";
}

void ApplyDefaults(const json& schema, json& object) { Default(schema, object); }

std::vector<std::string> PruneUnknownFields(const json& schema, json& object) {
  std::vector<std::string> pruned;
  Prune(schema, object, "", true, pruned);
  std::sort(pruned.begin(), pruned.end());
  return pruned;
}

std::vector<FieldError> Validate(const json& schema, const json& object) {
  Validator validator;
  validator.Validate(schema, object, "");
  validator.ValidateRules(schema, object, "");
  return validator.errors;
}

}  // namespace lifeboat::devcluster
