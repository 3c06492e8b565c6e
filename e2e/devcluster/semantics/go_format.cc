#include "e2e/devcluster/semantics/go_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace lifeboat::devcluster {
namespace {

std::string GoFloat(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  // Shortest round-trip digits in scientific form, e.g. "1.5e+00".
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), f, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits.push_back(c);
  }
  std::string out;
  if (exponent < -4 || exponent >= 21) {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[16];
    std::snprintf(exp, sizeof(exp), "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp;
  } else if (exponent < 0) {
    out = "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  } else {
    size_t int_digits = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= int_digits) {
      out = digits + std::string(int_digits - digits.size(), '0');
    } else {
      out = digits.substr(0, int_digits) + "." + digits.substr(int_digits);
    }
  }
  return negative ? "-" + out : out;
}

std::string GoSharpV(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: {
      std::string out = "map[string]interface {}{";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        out += GoQuote(it.key()) + ":" + GoSharpV(*it);
      }
      return out + "}";
    }
    case nlohmann::json::value_t::array: {
      std::string out = "[]interface {}{";
      for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + GoSharpV(v[i]);
      return out + "}";
    }
    case nlohmann::json::value_t::string: return GoQuote(v.get_ref<const std::string&>());
    case nlohmann::json::value_t::null: return "interface {}(nil)";
    case nlohmann::json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    default: return GoNumber(v);
  }
}

}  // namespace

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out + "\"";
}

std::string GoNumber(const nlohmann::json& number) {
  if (number.is_number_integer()) return number.dump();
  if (number.is_number_float()) return GoFloat(number.get<double>());
  return number.dump();
}

std::string GoV(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {  // nlohmann keeps keys sorted, as Go prints them
        if (!first) out += " ";
        first = false;
        out += it.key() + ":" + GoV(*it);
      }
      return out + "]";
    }
    case nlohmann::json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < value.size(); ++i) out += (i ? " " : "") + GoV(value[i]);
      return out + "]";
    }
    case nlohmann::json::value_t::string: return value.get<std::string>();
    case nlohmann::json::value_t::null: return "<nil>";
    case nlohmann::json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    default: return GoNumber(value);
  }
}

std::string GoFieldValue(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string: return GoQuote(value.get_ref<const std::string&>());
    case nlohmann::json::value_t::null: return "\"null\"";
    case nlohmann::json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::object:
    case nlohmann::json::value_t::array: return GoSharpV(value);
    default: return GoNumber(value);
  }
}

}  // namespace lifeboat::devcluster
