// Drill reports and their hash chain: a report records the run with every check and links to the
// SHA-256 of the drill's previous report; reading a drill's reports back finds a deleted, altered or
// unlinked report, and a newest report that is not the one the drill's status names.
#include "operator/agent/drill_report.h"

#include <gtest/gtest.h>

#include "operator/agent/sha256.h"

namespace lifeboat::agent {
namespace {

using nlohmann::json;

DrillReport Report(const std::string& run, std::optional<ReportLink> previous) {
  DrillReport r;
  r.drill = {"shop", "weekly"};
  r.run = run;
  r.trigger = "Scheduled";
  r.result = "Succeeded";
  r.start_time = "2026-11-22T04:00:00Z";
  r.completion_time = "2026-11-22T04:03:10Z";
  r.agent_version = "0.4.0";
  r.rto_objective = "10m";
  r.rpo_objective = "1h";
  r.fields.policy = "shop";
  r.fields.sources = {{"database:shop", "shop-1", "2026-11-22T02:00:00Z"}};
  r.fields.rto_seconds = 190;
  r.fields.rpo_seconds = 7200;
  r.checks = {{"public.orders_pkey", "Amcheck", "consistent", "consistent", true, ""}};
  r.previous = std::move(previous);
  return r;
}

// Three chained reports as stored: snapshot ids s1..s3, an hour apart.
std::vector<StoredReport> Chain(int count) {
  std::vector<StoredReport> out;
  std::optional<ReportLink> previous;
  for (int i = 1; i <= count; ++i) {
    const std::string id = "s" + std::to_string(i) + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const std::string content = SerializeDrillReport(Report("weekly-" + std::to_string(i), previous));
    out.push_back({id, "2026-11-2" + std::to_string(i) + "T04:03:10Z", content});
    previous = ReportLink{id, Sha256Hex(content)};
  }
  return out;
}

TEST(DrillReportTest, RecordsTheRunWithEveryCheckTheObjectivesAndThePreviousLink) {
  const json r = json::parse(SerializeDrillReport(Report("weekly-2", ReportLink{"s1", "abc"})));
  EXPECT_EQ(r["kind"], "DrillReport");
  EXPECT_EQ(r["drill"], (json{{"namespace", "shop"}, {"name", "weekly"}}));
  EXPECT_EQ(r["run"], "weekly-2");
  EXPECT_EQ(r["agentVersion"], "0.4.0");
  EXPECT_EQ(r["sources"][0]["backupId"], "shop-1");
  EXPECT_EQ(r["checks"][0]["name"], "public.orders_pkey");
  EXPECT_EQ(r["measurements"]["rtoSeconds"], 190);
  EXPECT_EQ(r["objectives"]["met"], false);
  EXPECT_EQ(r["objectives"]["missed"], "RPO 2h > objective 1h");
  EXPECT_EQ(r["previousReport"], (json{{"snapshotId", "s1"}, {"sha256", "abc"}}));
}

TEST(DrillReportTest, TheFirstReportLinksToNothing) {
  EXPECT_TRUE(json::parse(SerializeDrillReport(Report("weekly-1", std::nullopt)))["previousReport"].is_null());
}

TEST(DrillReportTest, SerialisationIsStableSoTheHashIs) {
  EXPECT_EQ(SerializeDrillReport(Report("weekly-1", std::nullopt)), SerializeDrillReport(Report("weekly-1", std::nullopt)));
}

TEST(DrillReportTest, AnIntactChainHasNoProblems) {
  const ReportChain chain = VerifyReportChain(Chain(3), "");
  EXPECT_TRUE(chain.intact());
  ASSERT_EQ(chain.reports.size(), 3u);
  EXPECT_EQ(chain.reports[2].previous_sha256, chain.reports[1].sha256);
  EXPECT_EQ(chain.reports[0].run, "weekly-1");
  EXPECT_EQ(chain.reports[0].rto_seconds, 190);
  EXPECT_EQ(chain.reports[0].objectives_met, false);
}

TEST(DrillReportTest, OrderOfReadingDoesNotMatter) {
  std::vector<StoredReport> reports = Chain(3);
  std::swap(reports[0], reports[2]);
  EXPECT_TRUE(VerifyReportChain(reports, "").intact());
}

TEST(DrillReportTest, ADeletedReportInTheMiddleIsNamed) {
  std::vector<StoredReport> reports = Chain(3);
  reports.erase(reports.begin() + 1);
  const ReportChain chain = VerifyReportChain(reports, "");
  ASSERT_EQ(chain.problems.size(), 1u);
  EXPECT_NE(chain.problems[0].find("report s3aaaaaa"), std::string::npos) << chain.problems[0];
  EXPECT_NE(chain.problems[0].find("follows report s2aaaaaa"), std::string::npos) << chain.problems[0];
  EXPECT_NE(chain.problems[0].find("not in the repository"), std::string::npos) << chain.problems[0];
  EXPECT_EQ(chain.reports[1].problem.empty(), false);
}

TEST(DrillReportTest, ADeletedFirstReportIsNamed) {
  std::vector<StoredReport> reports = Chain(2);
  reports.erase(reports.begin());
  const ReportChain chain = VerifyReportChain(reports, "");
  ASSERT_EQ(chain.problems.size(), 1u);
  EXPECT_NE(chain.problems[0].find("follows report s1aaaaaa"), std::string::npos) << chain.problems[0];
}

TEST(DrillReportTest, AnAlteredReportBreaksTheLinkToIt) {
  std::vector<StoredReport> reports = Chain(3);
  const auto at = reports[1].content.find("\"rtoSeconds\": 190");
  ASSERT_NE(at, std::string::npos);
  reports[1].content.replace(at, 17, "\"rtoSeconds\": 100");
  const ReportChain chain = VerifyReportChain(reports, "");
  ASSERT_EQ(chain.problems.size(), 1u);
  EXPECT_NE(chain.problems[0].find("altered"), std::string::npos) << chain.problems[0];
}

TEST(DrillReportTest, AReportThatIsNotAReportIsNamed) {
  std::vector<StoredReport> reports = Chain(2);
  reports[0].content = "not json";
  const ReportChain chain = VerifyReportChain(reports, "");
  EXPECT_FALSE(chain.intact());
  EXPECT_NE(chain.problems[0].find("not a readable drill report"), std::string::npos) << chain.problems[0];
}

TEST(DrillReportTest, AnUnlinkedReportAfterAnotherIsNamed) {
  std::vector<StoredReport> reports = Chain(1);
  reports.push_back({"s9bbbbbbbb", "2026-11-29T04:00:00Z", SerializeDrillReport(Report("weekly-9", std::nullopt))});
  const ReportChain chain = VerifyReportChain(reports, "");
  ASSERT_EQ(chain.problems.size(), 1u);
  EXPECT_NE(chain.problems[0].find("names no previous report"), std::string::npos) << chain.problems[0];
}

TEST(DrillReportTest, ADeletedNewestReportIsFoundAgainstTheStatus) {
  std::vector<StoredReport> reports = Chain(3);
  const std::string newest = Sha256Hex(reports[2].content);
  EXPECT_TRUE(VerifyReportChain(reports, newest).intact());
  reports.pop_back();
  const ReportChain chain = VerifyReportChain(reports, newest);
  ASSERT_EQ(chain.problems.size(), 1u);
  EXPECT_NE(chain.problems[0].find("is not the one the drill's status names"), std::string::npos) << chain.problems[0];
  EXPECT_FALSE(VerifyReportChain({}, newest).intact());
}

TEST(DrillReportTest, DrillIdentityIsNamespaceSlashName) {
  auto id = ParseDrillIdentity("shop/weekly.restore");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->TagValue(), "shop.weekly.restore");
  EXPECT_FALSE(ParseDrillIdentity("weekly").ok());
  EXPECT_FALSE(ParseDrillIdentity("a/b/c").ok());
  EXPECT_FALSE(ParseDrillIdentity("/weekly").ok());
}

TEST(DrillReportTest, ChainJsonSaysWhetherItIsIntact) {
  const json j = ReportChainToJson(VerifyReportChain(Chain(2), ""));
  EXPECT_EQ(j["chainIntact"], true);
  EXPECT_EQ(j["reports"].size(), 2u);
  EXPECT_EQ(j["problems"], json::array());
}

}  // namespace
}  // namespace lifeboat::agent
