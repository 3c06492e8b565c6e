#include "operator/agent/verification.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

TEST(VerificationTest, EqualTablesHaveNoMismatch) {
  std::vector<TableStats> t = {{"public", "a", 3, "10"}, {"s", "b", 0, "0"}};
  EXPECT_TRUE(CompareTables(t, t).empty());
}

TEST(VerificationTest, ReportsRowChecksumMissingAndUnexpectedTables) {
  std::vector<TableStats> want = {{"public", "a", 3, "10"}, {"public", "b", 1, "5"}, {"public", "c", 1, ""}};
  std::vector<TableStats> got = {{"public", "a", 2, "10"}, {"public", "b", 1, "6"}, {"public", "d", 1, ""}};
  auto m = CompareTables(want, got);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[0].ToString(), "public.a rows: expected 3, got 2");
  EXPECT_EQ(m[1].ToString(), "public.b checksum: expected 5, got 6");
  EXPECT_EQ(m[2].ToString(), "public.c is missing");
  EXPECT_EQ(m[3].ToString(), "public.d is not in the backup");
}

TEST(VerificationTest, ChecksumsAreComparedOnlyWhereBothSidesHaveOne) {
  std::vector<TableStats> want = {{"public", "a", 3, ""}};
  std::vector<TableStats> got = {{"public", "a", 3, "99"}};
  EXPECT_TRUE(CompareTables(want, got).empty());
}

TEST(VerificationTest, ComparesMediaFilesBySizeAndSha256) {
  std::vector<MediaFile> want = {{"a", 1, 0, "x"}, {"b", 2, 0, "y"}, {"c", 3, 0, ""}};
  std::vector<MediaFile> got = {{"a", 1, 5, "x"}, {"b", 2, 0, "z"}, {"e", 1, 0, ""}};
  auto m = CompareMediaFiles(want, got);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].ToString(), "b sha256: expected y, got z");
  EXPECT_EQ(m[1].ToString(), "c is missing");
  EXPECT_EQ(m[2].ToString(), "e is not in the backup");
}

TEST(VerificationTest, ParsesChecksAndRejectsMalformedOnes) {
  auto checks = ParseSqlChecks(R"([{"name":"users","sql":"select count(*) from users","expect":42},
                                   {"sql":"select a, b from t","expectRows":[["1",null],["2","x"]]}])");
  ASSERT_TRUE(checks.ok()) << checks.status();
  ASSERT_EQ(checks->size(), 2u);
  EXPECT_EQ(*(*checks)[0].expect, "42");
  EXPECT_EQ((*checks)[1].name, "checks[1]");
  EXPECT_FALSE(ParseSqlChecks(R"([{"name":"x"}])").ok());
  EXPECT_FALSE(ParseSqlChecks(R"([{"sql":"select 1"}])").ok());
  EXPECT_FALSE(ParseSqlChecks(R"([{"sql":"select 1","expect":"1","expectRows":[]}])").ok());
  EXPECT_FALSE(ParseSqlChecks("{}").ok());
}

TEST(VerificationTest, EvaluatesSingleValueAndRowChecks) {
  SqlCheck one{.name = "n", .sql = "q", .expect = std::string("42")};
  EXPECT_TRUE(EvaluateCheck(one, QueryRows{{std::string("42")}}).passed);
  CheckOutcome wrong = EvaluateCheck(one, QueryRows{{std::string("41")}});
  EXPECT_FALSE(wrong.passed);
  EXPECT_EQ(wrong.message, "expected \"42\", got \"41\"");
  EXPECT_FALSE(EvaluateCheck(one, QueryRows{}).passed);
  EXPECT_FALSE(EvaluateCheck(one, StatusOr<QueryRows>(InvalidArgumentError("boom"))).passed);
  SqlCheck rows{.name = "r", .sql = "q", .expect_rows = QueryRows{{std::string("1"), std::nullopt}}};
  EXPECT_TRUE(EvaluateCheck(rows, QueryRows{{std::string("1"), std::nullopt}}).passed);
  EXPECT_FALSE(EvaluateCheck(rows, QueryRows{{std::string("1"), std::string("")}}).passed);
  auto null_check = ParseSqlChecks(R"([{"sql":"q","expect":null}])");
  ASSERT_TRUE(null_check.ok());
  EXPECT_TRUE(EvaluateCheck((*null_check)[0], QueryRows{{std::nullopt}}).passed);
}

TEST(VerificationTest, TextChecksCompareWhatPsqlUnalignedPrints) {
  auto checks = ParseSqlChecks(R"([{"name":"t","database":"billing","sql":"q","expectText":"1|a\n2|\n"}])");
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  const SqlCheck& check = (*checks)[0];
  EXPECT_EQ(check.database, "billing");
  // NULL prints as empty; the trailing newline of a YAML block scalar does not matter.
  EXPECT_TRUE(EvaluateCheck(check, QueryRows{{std::string("1"), std::string("a")}, {std::string("2"), std::nullopt}}).passed);
  CheckOutcome wrong = EvaluateCheck(check, QueryRows{{std::string("1"), std::string("a")}});
  EXPECT_FALSE(wrong.passed);
  EXPECT_EQ(wrong.message, "expected \"1|a\n2|\", got \"1|a\"");
  EXPECT_EQ(PsqlUnalignedText(QueryRows{}), "");
}

TEST(VerificationTest, ACheckHasExactlyOneExpectation) {
  EXPECT_FALSE(ParseSqlChecks(R"([{"sql":"q","expect":"1","expectText":"1"}])").ok());
  EXPECT_FALSE(ParseSqlChecks(R"([{"sql":"q"}])").ok());
  EXPECT_FALSE(ParseSqlChecks(R"([{"sql":"q","expectText":1}])").ok());
  EXPECT_FALSE(ParseSqlChecks(R"([{"sql":"q","expect":"1","database":7}])").ok());
}

}  // namespace
}  // namespace lifeboat::agent
