#include "operator/logging/log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <sstream>

#include "operator/kube/http_api_client.h"
#include "operator/runtime/controller.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_http_transport.h"

namespace lifeboat::log {
namespace {

class CapturedLog {
 public:
  explicit CapturedLog(Format format, Level level = Level::kTrace) {
    SetSinkForTesting(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_), format, level);
  }
  ~CapturedLog() { Setup(Format::kJson, Level::kInfo); }
  std::string Text() const { return stream_.str(); }

 private:
  std::ostringstream stream_;
};

TEST(LogTest, JsonLinesCarryTimestampLevelMessageAndFields) {
  std::string line = FormatRecord(Format::kJson, "2026-11-22T01:02:03.000001Z", Level::kInfo, "Backup finished",
                                  nullptr, nullptr);
  auto parsed = nlohmann::json::parse(line);
  EXPECT_EQ(parsed["ts"], "2026-11-22T01:02:03.000001Z");
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_EQ(parsed["msg"], "Backup finished");
  CapturedLog captured(Format::kJson);
  Info("Reconciled", {{"controller", "backuppolicy"}, {"count", 3}, {"ok", true}, {"seconds", 0.25}});
  auto record = nlohmann::json::parse(captured.Text());
  EXPECT_EQ(record["controller"], "backuppolicy");
  EXPECT_EQ(record["count"], 3);
  EXPECT_EQ(record["ok"], true);
  EXPECT_DOUBLE_EQ(record["seconds"].get<double>(), 0.25);
}

TEST(LogTest, TextFormatIsKeyValueForPeople) {
  CapturedLog captured(Format::kText);
  Warn("Watch broken", {{"resource", "jobs.batch"}, {"error", "connection reset by peer"}});
  std::string text = captured.Text();
  EXPECT_NE(text.find(" WARN Watch broken resource=jobs.batch error=\"connection reset by peer\""), std::string::npos)
      << text;
}

TEST(LogTest, LevelsBelowTheThresholdAreDropped) {
  CapturedLog captured(Format::kJson, Level::kWarn);
  Info("hidden");
  Debug("hidden");
  Error("shown");
  EXPECT_EQ(captured.Text().find("hidden"), std::string::npos);
  EXPECT_NE(captured.Text().find("shown"), std::string::npos);
}

TEST(LogTest, ParsesFormatsAndLevels) {
  EXPECT_EQ(*ParseFormat("text"), Format::kText);
  EXPECT_FALSE(ParseFormat("xml").ok());
  EXPECT_EQ(*ParseLevel("DEBUG"), Level::kDebug);
  EXPECT_FALSE(ParseLevel("loud").ok());
}

TEST(LogTest, SecretFieldsAndCredentialsNeverAppear) {
  for (Format format : {Format::kJson, Format::kText}) {
    CapturedLog captured(format);
    Info("Connecting with Authorization: Bearer abc.def.ghi",
         {{"token", "tok-123"}, {"password", "hunter2"}, {"dbPassword", "pw-9"}, {"header", "Basic dXNlcjpwdw=="}});
    std::string text = captured.Text();
    for (const char* secret : {"abc.def.ghi", "tok-123", "hunter2", "pw-9", "dXNlcjpwdw=="}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << text;
    }
    EXPECT_NE(text.find("[redacted]"), std::string::npos);
  }
}

TEST(LogTest, RedactObjectMasksSecretDataAndDropsManagedFields) {
  nlohmann::json secret = {{"apiVersion", "v1"},
                           {"kind", "Secret"},
                           {"metadata", {{"name", "db"}, {"managedFields", {{{"manager", "x"}}}}}},
                           {"data", {{"password", "aHVudGVyMg=="}}},
                           {"stringData", {{"url", "postgres://u:hunter2@db"}}}};
  auto redacted = RedactObject(secret);
  EXPECT_EQ(redacted.dump().find("aHVudGVyMg=="), std::string::npos);
  EXPECT_EQ(redacted.dump().find("hunter2"), std::string::npos);
  EXPECT_EQ(redacted["data"]["password"], "[redacted]");
  EXPECT_FALSE(redacted["metadata"].contains("managedFields"));
}

TEST(LogTest, ApiTrafficAtTraceLevelNeverLogsTheTokenOrSecretData) {
  CapturedLog captured(Format::kJson, Level::kTrace);
  testing::FakeClock clock;
  testing::FakeHttpTransport transport;
  kube::HttpApiClient client(transport, clock);
  const kube::ResourceRef secrets{"", "v1", "secrets", "Secret", true};
  transport.Respond(201, R"({"kind":"Secret","metadata":{"name":"db"},"data":{"password":"c3VwZXJzZWNyZXQ="}})");
  transport.Respond(403, R"({"kind":"Status","reason":"Forbidden","message":"secrets \"db\" is forbidden","code":403})");
  transport.Respond(429, "", {{"retry-after", "0"}});
  transport.Respond(200, R"({"kind":"Secret","metadata":{"name":"db"},"data":{"password":"c3VwZXJzZWNyZXQ="}})");
  nlohmann::json secret = {{"metadata", {{"name", "db"}}}, {"stringData", {{"password", "supersecret"}}}};
  ASSERT_TRUE(client.Create(secrets, "ns", secret).ok());
  EXPECT_FALSE(client.Get(secrets, "ns", "db").ok());
  ASSERT_TRUE(client.Get(secrets, "ns", "db").ok());
  std::string text = captured.Text();
  EXPECT_FALSE(text.empty());
  EXPECT_EQ(text.find("supersecret"), std::string::npos) << text;
  EXPECT_EQ(text.find("c3VwZXJzZWNyZXQ="), std::string::npos) << text;
}

TEST(LogTest, EveryReconcileLineNamesControllerNamespaceNameAndReconcileId) {
  CapturedLog captured(Format::kJson);
  runtime::ReconcileRequest request{{"team-a", "nightly"}, "3f1c0b2e-0000-4000-8000-000000000001", "backuppolicy"};
  runtime::ReconcileLog reconcile_log(request);
  reconcile_log.Info("Created backup job", {{"job", "nightly-20261122"}});
  auto record = nlohmann::json::parse(captured.Text());
  EXPECT_EQ(record["controller"], "backuppolicy");
  EXPECT_EQ(record["namespace"], "team-a");
  EXPECT_EQ(record["name"], "nightly");
  EXPECT_EQ(record["reconcileID"], "3f1c0b2e-0000-4000-8000-000000000001");
  EXPECT_EQ(record["job"], "nightly-20261122");
}

}  // namespace
}  // namespace lifeboat::log
