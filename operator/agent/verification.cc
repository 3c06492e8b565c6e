#include "operator/agent/verification.h"

#include <map>
#include <nlohmann/json.hpp>

namespace lifeboat::agent {
namespace {

std::string Key(const TableStats& t) { return t.schema + "." + t.name; }

std::string Show(const std::optional<std::string>& v) { return v ? "\"" + *v + "\"" : "NULL"; }

std::string ShowRows(const QueryRows& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& row : rows) {
    nlohmann::json r = nlohmann::json::array();
    for (const auto& v : row) r.push_back(v ? nlohmann::json(*v) : nlohmann::json(nullptr));
    j.push_back(r);
  }
  std::string s = j.dump();
  if (s.size() > 200) s = s.substr(0, 200) + "...";
  return s;
}

}  // namespace

std::string PsqlUnalignedText(const QueryRows& rows) {
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (r > 0) out += '\n';
    for (size_t c = 0; c < rows[r].size(); ++c) {
      if (c > 0) out += '|';
      if (rows[r][c]) out += *rows[r][c];
    }
  }
  return out;
}

std::string Mismatch::ToString() const {
  if (what == "missing") return object + " is missing";
  if (what == "unexpected") return object + " is not in the backup";
  return object + " " + what + ": expected " + expected + ", got " + actual;
}

std::vector<Mismatch> CompareTables(const std::vector<TableStats>& expected, const std::vector<TableStats>& observed) {
  std::map<std::string, const TableStats*> seen;
  for (const auto& t : observed) seen[Key(t)] = &t;
  std::vector<Mismatch> out;
  for (const auto& want : expected) {
    auto it = seen.find(Key(want));
    if (it == seen.end()) {
      out.push_back({Key(want), "missing", "", ""});
      continue;
    }
    const TableStats& got = *it->second;
    if (got.rows != want.rows) out.push_back({Key(want), "rows", std::to_string(want.rows), std::to_string(got.rows)});
    if (!want.checksum.empty() && !got.checksum.empty() && want.checksum != got.checksum) {
      out.push_back({Key(want), "checksum", want.checksum, got.checksum});
    }
    seen.erase(it);
  }
  for (const auto& [key, table] : seen) out.push_back({key, "unexpected", "", ""});
  return out;
}

std::vector<Mismatch> CompareMediaFiles(const std::vector<MediaFile>& expected, const std::vector<MediaFile>& observed) {
  std::map<std::string, const MediaFile*> seen;
  for (const auto& f : observed) seen[f.path] = &f;
  std::vector<Mismatch> out;
  for (const auto& want : expected) {
    auto it = seen.find(want.path);
    if (it == seen.end()) {
      out.push_back({want.path, "missing", "", ""});
      continue;
    }
    const MediaFile& got = *it->second;
    if (got.size != want.size) out.push_back({want.path, "size", std::to_string(want.size), std::to_string(got.size)});
    if (!want.sha256.empty() && !got.sha256.empty() && want.sha256 != got.sha256) {
      out.push_back({want.path, "sha256", want.sha256, got.sha256});
    }
    seen.erase(it);
  }
  for (const auto& [path, file] : seen) out.push_back({path, "unexpected", "", ""});
  return out;
}

StatusOr<std::vector<SqlCheck>> ParseSqlChecks(const std::string& json_text) {
  auto j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return InvalidArgumentError("checks must be a JSON array of {name, sql, expect | expectRows}");
  std::vector<SqlCheck> out;
  int index = 0;
  for (const auto& item : j) {
    std::string where = "checks[" + std::to_string(index++) + "]";
    if (!item.is_object()) return InvalidArgumentError(where + " must be an object");
    SqlCheck c;
    c.name = item.value("name", where);
    if (!item.contains("sql") || !item["sql"].is_string() || item["sql"].get<std::string>().empty()) {
      return InvalidArgumentError(where + ".sql is required");
    }
    c.sql = item["sql"].get<std::string>();
    if (item.contains("database")) {
      if (!item["database"].is_string()) return InvalidArgumentError(where + ".database must be a string");
      c.database = item["database"].get<std::string>();
    }
    bool has_expect = item.contains("expect"), has_rows = item.contains("expectRows"), has_text = item.contains("expectText");
    if (int(has_expect) + int(has_rows) + int(has_text) != 1) {
      return InvalidArgumentError(where + " needs exactly one of expect, expectRows and expectText");
    }
    if (has_text) {
      if (!item["expectText"].is_string()) return InvalidArgumentError(where + ".expectText must be a string");
      c.expect_text = item["expectText"].get<std::string>();
      out.push_back(std::move(c));
      continue;
    }
    auto text = [&](const nlohmann::json& v) -> std::optional<std::string> {
      if (v.is_null()) return std::nullopt;
      if (v.is_string()) return v.get<std::string>();
      return v.dump();  // Numbers and booleans compare as PostgreSQL prints them (42, true -> "true").
    };
    if (has_expect) {
      c.expect = text(item["expect"]);
      if (!c.expect) c.expect_rows = std::vector<std::vector<std::optional<std::string>>>{{std::nullopt}};
    } else {
      if (!item["expectRows"].is_array()) return InvalidArgumentError(where + ".expectRows must be an array of arrays");
      std::vector<std::vector<std::optional<std::string>>> rows;
      for (const auto& row : item["expectRows"]) {
        if (!row.is_array()) return InvalidArgumentError(where + ".expectRows must be an array of arrays");
        std::vector<std::optional<std::string>> r;
        for (const auto& v : row) r.push_back(text(v));
        rows.push_back(std::move(r));
      }
      c.expect_rows = std::move(rows);
    }
    out.push_back(std::move(c));
  }
  return out;
}

CheckOutcome EvaluateCheck(const SqlCheck& check, const StatusOr<QueryRows>& result) {
  CheckOutcome out;
  out.name = check.name;
  if (!result.ok()) {
    out.message = "query failed: " + result.status().message();
    return out;
  }
  const QueryRows& rows = *result;
  if (check.expect_text) {
    auto trimmed = [](std::string t) {
      while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
      return t;
    };
    std::string expected = trimmed(*check.expect_text);
    std::string actual = PsqlUnalignedText(rows);
    out.passed = actual == expected;
    auto shown = [](std::string t) { return "\"" + (t.size() > 200 ? t.substr(0, 200) + "..." : t) + "\""; };
    out.message = out.passed ? "ok" : "expected " + shown(expected) + ", got " + shown(actual);
    return out;
  }
  if (check.expect) {
    if (rows.size() != 1 || rows[0].empty()) {
      out.message = "expected one value \"" + *check.expect + "\", got " + std::to_string(rows.size()) + " rows";
      return out;
    }
    out.passed = rows[0][0] == check.expect;
    out.message = out.passed ? "ok" : "expected \"" + *check.expect + "\", got " + Show(rows[0][0]);
    return out;
  }
  out.passed = check.expect_rows && rows == *check.expect_rows;
  out.message = out.passed ? "ok" : "expected rows " + ShowRows(*check.expect_rows) + ", got " + ShowRows(rows);
  return out;
}

}  // namespace lifeboat::agent
