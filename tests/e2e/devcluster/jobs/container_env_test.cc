#include "e2e/devcluster/jobs/container_env.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

const json kPod = {{"metadata",
                    {{"name", "backup-x1"},
                     {"namespace", "shop"},
                     {"uid", "u-1"},
                     {"labels", {{"app", "db"}, {"tier", "data"}}},
                     {"annotations", {{"owner", "ops"}}}}},
                   {"spec", {{"nodeName", "lifeboat-devcluster"}}}};

PodObjectLookup Lookup() {
  return [](std::string_view kind, std::string_view name) -> std::optional<json> {
    if (kind == "Secret" && name == "db") {
      return json{{"data", {{"password", "czNjcjN0"}, {"user", "YWRtaW4="}}}};  // s3cr3t, admin
    }
    if (kind == "ConfigMap" && name == "settings") return json{{"data", {{"HOST", "127.0.0.1"}, {"PORT", "5432"}}}};
    return std::nullopt;
  };
}

EnvList Resolve(const json& container) {
  auto env = ResolveContainerEnv(kPod, container, Lookup());
  EXPECT_TRUE(env.ok()) << env.status();
  return env.ok() ? *env : EnvList{};
}

TEST(ContainerEnvTest, ValuesAndReferencesResolve) {
  json container = {{"env",
                     json::array({{{"name", "A"}, {"value", "1"}},
                                  {{"name", "PW"}, {"valueFrom", {{"secretKeyRef", {{"name", "db"}, {"key", "password"}}}}}},
                                  {{"name", "HOST"}, {"valueFrom", {{"configMapKeyRef", {{"name", "settings"}, {"key", "HOST"}}}}}},
                                  {{"name", "POD"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
                                  {{"name", "NS"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}},
                                  {{"name", "APP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.labels['app']"}}}}}},
                                  {{"name", "OWNER"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.annotations['owner']"}}}}}},
                                  {{"name", "IP"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "status.podIP"}}}}}}})}};
  EXPECT_EQ(Resolve(container), (EnvList{{"A", "1"}, {"PW", "s3cr3t"}, {"HOST", "127.0.0.1"}, {"POD", "backup-x1"},
                                         {"NS", "shop"}, {"APP", "db"}, {"OWNER", "ops"}, {"IP", "127.0.0.1"}}));
}

TEST(ContainerEnvTest, EnvFromComesFirstWithPrefixAndEnvOverrides) {
  json container = {{"envFrom", json::array({{{"configMapRef", {{"name", "settings"}}}},
                                             {{"secretRef", {{"name", "db"}}}, {"prefix", "DB_"}}})},
                    {"env", json::array({{{"name", "PORT"}, {"value", "6543"}}})}};
  EXPECT_EQ(Resolve(container),
            (EnvList{{"HOST", "127.0.0.1"}, {"PORT", "6543"}, {"DB_password", "s3cr3t"}, {"DB_user", "admin"}}));
}

TEST(ContainerEnvTest, MissingSecretAndKeyGiveTheKubeletsMessages) {
  json missing_secret = {{"env", json::array({{{"name", "X"}, {"valueFrom", {{"secretKeyRef", {{"name", "nope"}, {"key", "k"}}}}}}})}};
  auto env = ResolveContainerEnv(kPod, missing_secret, Lookup());
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(env.status().message(), "secret \"nope\" not found");

  json missing_key = {{"env", json::array({{{"name", "X"}, {"valueFrom", {{"secretKeyRef", {{"name", "db"}, {"key", "k"}}}}}}})}};
  env = ResolveContainerEnv(kPod, missing_key, Lookup());
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(), "couldn't find key k in Secret shop/db");

  json missing_cm_key = {{"env", json::array({{{"name", "X"}, {"valueFrom", {{"configMapKeyRef", {{"name", "settings"}, {"key", "k"}}}}}}})}};
  env = ResolveContainerEnv(kPod, missing_cm_key, Lookup());
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(), "couldn't find key k in ConfigMap shop/settings");

  json missing_cm = {{"envFrom", json::array({{{"configMapRef", {{"name", "gone"}}}}})}};
  env = ResolveContainerEnv(kPod, missing_cm, Lookup());
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().message(), "configmap \"gone\" not found");
}

TEST(ContainerEnvTest, OptionalReferencesAreSkipped) {
  json container = {{"env", json::array({{{"name", "X"}, {"valueFrom", {{"secretKeyRef", {{"name", "nope"}, {"key", "k"}, {"optional", true}}}}}},
                                         {{"name", "Y"}, {"valueFrom", {{"secretKeyRef", {{"name", "db"}, {"key", "k"}, {"optional", true}}}}}}})},
                    {"envFrom", json::array({{{"secretRef", {{"name", "gone"}, {"optional", true}}}}})}};
  EXPECT_EQ(Resolve(container), EnvList{});
}

TEST(ContainerEnvTest, DependentVariablesExpand) {
  json container = {{"env", json::array({{{"name", "USER"}, {"value", "app"}},
                                         {{"name", "URL"}, {"value", "postgres://$(USER)@h/$(DB)"}},
                                         {{"name", "LIT"}, {"value", "$$(USER)"}}})}};
  EXPECT_EQ(Resolve(container), (EnvList{{"USER", "app"}, {"URL", "postgres://app@h/$(DB)"}, {"LIT", "$(USER)"}}));
}

TEST(ContainerEnvTest, ExpandVariablesHandlesEdges) {
  std::map<std::string, std::string> vars = {{"A", "x"}};
  EXPECT_EQ(ExpandVariables("$(A)$(A)", vars), "xx");
  EXPECT_EQ(ExpandVariables("$(A", vars), "$(A");
  EXPECT_EQ(ExpandVariables("cost $5", vars), "cost $5");
  EXPECT_EQ(ExpandVariables("$", vars), "$");
}

TEST(ContainerEnvTest, Base64AndStringDataDecode) {
  EXPECT_EQ(*DecodeBase64("aGVsbG8gd29ybGQ="), "hello world");
  EXPECT_EQ(*DecodeBase64("YQ"), "a");
  EXPECT_FALSE(DecodeBase64("a*b").ok());
  auto data = ObjectData(json{{"data", {{"a", "YQ=="}}}, {"stringData", {{"b", "plain"}}}}, "Secret");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, (std::map<std::string, std::string>{{"a", "a"}, {"b", "plain"}}));
}

TEST(ContainerEnvTest, UnsupportedFieldPathIsAnError) {
  EXPECT_FALSE(PodFieldValue(kPod, "spec.bogus").ok());
  EXPECT_EQ(*PodFieldValue(kPod, "metadata.labels['missing']"), "");
  EXPECT_EQ(*PodFieldValue(kPod, "metadata.labels"), "app=\"db\"\ntier=\"data\"");
}

}  // namespace
}  // namespace lifeboat::devcluster
