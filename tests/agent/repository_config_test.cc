#include "operator/agent/repository_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

const std::map<std::string, std::string> kPassword = {{"RESTIC_PASSWORD", "s3cret"}};

TEST(RepositoryConfigTest, LocalPathBecomesTheRepository) {
  RepositoryConfig c;
  c.path = "/backups/repo";
  auto inv = BuildResticInvocation(c, kPassword);
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->env.at("RESTIC_REPOSITORY"), "/backups/repo");
  EXPECT_EQ(inv->local_path, "/backups/repo");
  EXPECT_TRUE(inv->global_flags.empty());
}

TEST(RepositoryConfigTest, S3LocationBuildsTheResticUrlRegionAndCaFlag) {
  RepositoryConfig c;
  c.s3 = {"minio.example:9000/", "backups", "/prod/shop/", "eu-west-1"};
  c.ca_bundle = "/etc/ca/ca.pem";
  auto env = kPassword;
  env["AWS_ACCESS_KEY_ID"] = "id";
  env["AWS_SECRET_ACCESS_KEY"] = "key";
  auto inv = BuildResticInvocation(c, env);
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->env.at("RESTIC_REPOSITORY"), "s3:https://minio.example:9000/backups/prod/shop");
  EXPECT_EQ(inv->env.at("AWS_DEFAULT_REGION"), "eu-west-1");
  EXPECT_THAT(inv->global_flags, ::testing::ElementsAre("--cacert", "/etc/ca/ca.pem"));
  // Secrets never become part of what the agent passes itself.
  for (const auto& [k, v] : inv->env) EXPECT_EQ(v.find("key"), std::string::npos) << k;
}

TEST(RepositoryConfigTest, S3WithoutCredentialsNamesTheMissingVariables) {
  RepositoryConfig c;
  c.s3 = {"http://127.0.0.1:9000", "b", "", ""};
  auto inv = BuildResticInvocation(c, kPassword);
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(RepositoryConfigTest, MissingPasswordNamesTheEnvironmentVariables) {
  RepositoryConfig c;
  c.path = "/r";
  auto inv = BuildResticInvocation(c, {});
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(inv.status().message().find("RESTIC_PASSWORD"), std::string::npos);
  EXPECT_TRUE(BuildResticInvocation(c, {{"RESTIC_PASSWORD_FILE", "/secret/pw"}}).ok());
}

TEST(RepositoryConfigTest, ExactlyOneLocationIsRequired) {
  EXPECT_FALSE(BuildResticInvocation(RepositoryConfig{}, kPassword).ok());
  RepositoryConfig both;
  both.path = "/r";
  both.url = "rest:http://x/";
  EXPECT_FALSE(BuildResticInvocation(both, kPassword).ok());
  RepositoryConfig relative;
  relative.path = "repo";
  EXPECT_FALSE(BuildResticInvocation(relative, kPassword).ok());
  RepositoryConfig bad_scheme;
  bad_scheme.s3 = {"ftp://x", "b", "", ""};
  EXPECT_FALSE(BuildResticInvocation(bad_scheme, {{"RESTIC_PASSWORD", "p"}, {"AWS_ACCESS_KEY_ID", "a"}, {"AWS_SECRET_ACCESS_KEY", "b"}}).ok());
}

TEST(RepositoryConfigTest, RedactsUserinfoFromDisplayedLocations) {
  EXPECT_EQ(RedactRepositoryLocation("rest:https://user:pw@host:8000/repo"), "rest:https://host:8000/repo");
  EXPECT_EQ(RedactRepositoryLocation("/local/path"), "/local/path");
  RepositoryConfig c;
  c.url = "rest:https://user:pw@host/";
  EXPECT_EQ(BuildResticInvocation(c, kPassword)->display_location, "rest:https://host/");
}

}  // namespace
}  // namespace lifeboat::agent
