// Verification: pure comparison of what a restore produced against the backup's manifest (table
// row counts and checksums, media files) and evaluation of the user's SQL checks.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "operator/agent/manifest.h"
#include "operator/agent/pg_session.h"

namespace lifeboat::agent {

struct Mismatch {
  std::string object;    // "public.accounts" or a media file path.
  std::string what;      // "rows", "checksum", "missing", "unexpected", "size", "sha256".
  std::string expected;
  std::string actual;
  std::string ToString() const;  // "public.accounts rows: expected 10, got 9"
};

// Compares every manifest table with the observed one (checksums only where both have one).
// Tables in `observed` but not in the manifest are reported as "unexpected".
std::vector<Mismatch> CompareTables(const std::vector<TableStats>& expected, const std::vector<TableStats>& observed);

// Compares media files by relative path, size and (where the manifest has one) sha256.
std::vector<Mismatch> CompareMediaFiles(const std::vector<MediaFile>& expected, const std::vector<MediaFile>& observed);

// A user check: SQL plus the expected result, either one value (first column of the only row), all
// rows, or the text `psql -At` would print (rows separated by newlines, columns by '|', NULL as
// empty; trailing newlines ignored: what the RestoreRequest's `expected` field documents). NULL is
// written as the JSON null / nullopt.
struct SqlCheck {
  std::string name;
  std::string database{};  // Empty: the restored database.
  std::string sql{};
  std::optional<std::string> expect{};                                    // Single value.
  std::optional<std::vector<std::vector<std::optional<std::string>>>> expect_rows{};
  std::optional<std::string> expect_text{};                               // psql -At text.
};

// `rows` as `psql -At` prints them (without the final newline).
std::string PsqlUnalignedText(const QueryRows& rows);

// Parses the JSON list [{"name":..,"database":..,"sql":.., and one of "expect":".."|null,
// "expectRows":[[..]], "expectText":".."}].
StatusOr<std::vector<SqlCheck>> ParseSqlChecks(const std::string& json_text);

struct CheckOutcome {
  std::string name;
  bool passed = false;
  std::string message;  // "expected 42, got 41"
};
CheckOutcome EvaluateCheck(const SqlCheck& check, const StatusOr<QueryRows>& result);

}  // namespace lifeboat::agent
