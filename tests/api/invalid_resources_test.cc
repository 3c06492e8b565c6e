// Every manifest in tests/api/invalid/ is rejected by the operator's validation with exactly the
// message in its "# Operator:" header line (the "# Schema:" line is checked at apply time against an
// API server by tests/e2e/api, and offline by tests/crds/check_crds.py).
#include <gtest/gtest.h>

#include <filesystem>

#include "operator/api/backup_policy.h"
#include "operator/api/dr_drill.h"
#include "operator/api/failover.h"
#include "operator/api/restore_request.h"
#include "tests/api/test_files.h"

namespace lifeboat::api {
namespace {

std::string HeaderValue(const std::string& text, const std::string& key) {
  const std::string prefix = "# " + key + ": ";
  size_t pos = text.find(prefix);
  if (pos == std::string::npos) return "";
  size_t end = text.find('\n', pos);
  return text.substr(pos + prefix.size(), end - pos - prefix.size());
}

FieldErrors Check(const nlohmann::json& object) {
  std::string kind = object.value("kind", "");
  if (kind == kBackupPolicyKind) return CheckBackupPolicy(object);
  if (kind == kRestoreRequestKind) return CheckRestoreRequest(object);
  if (kind == kDRDrillKind) return CheckDRDrill(object);
  if (kind == kFailoverKind) return CheckFailover(object);
  FieldErrors errors;
  errors.NotSupported("kind", Quote(kind), {kBackupPolicyKind, kRestoreRequestKind, kDRDrillKind, kFailoverKind});
  return errors;
}

TEST(InvalidResourcesTest, EachIsRejectedWithItsDocumentedMessage) {
  const std::filesystem::path dir = testing::SourcePath("tests/api/invalid");
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().filename().string());
    std::string text = testing::ReadFile(entry.path().string());
    std::string expected = HeaderValue(text, "Operator");
    ASSERT_FALSE(expected.empty()) << "missing '# Operator:' header";
    ASSERT_FALSE(HeaderValue(text, "Invalid").empty()) << "missing '# Invalid:' header";
    StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson(text);
    ASSERT_TRUE(docs.ok() && docs->size() == 1);
    EXPECT_EQ(Check((*docs)[0]).ToString(), expected);
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

TEST(InvalidResourcesTest, EverySampleIsValid) {
  for (const char* file : {"lifeboat_v1alpha1_backuppolicy.yaml", "lifeboat_v1alpha1_restorerequest.yaml",
                           "lifeboat_v1alpha1_drdrill.yaml", "lifeboat_v1alpha1_failover.yaml"}) {
    nlohmann::json object = testing::LoadManifest(std::string("config/samples/") + file);
    EXPECT_EQ(Check(object).ToString(), "") << file;
  }
}

TEST(InvalidResourcesTest, EveryReadmeExampleIsValid) {
  std::string readme = testing::ReadFile(testing::SourcePath("README.md"));
  int examples = 0;
  for (size_t pos = readme.find("```yaml\n"); pos != std::string::npos; pos = readme.find("```yaml\n", pos)) {
    pos += 8;
    size_t end = readme.find("```", pos);
    std::string block = readme.substr(pos, end - pos);
    if (block.find("apiVersion: lifeboat.dev/") == std::string::npos) continue;
    StatusOr<std::vector<nlohmann::json>> docs = YamlDocumentsToJson(block);
    ASSERT_TRUE(docs.ok() && docs->size() == 1) << block;
    EXPECT_EQ(Check((*docs)[0]).ToString(), "") << block;
    ++examples;
  }
  EXPECT_GE(examples, 4);
}

}  // namespace
}  // namespace lifeboat::api
