#include "operator/agent/role_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

using ::testing::ElementsAre;

// What pg_dumpall 15 --globals-only writes (trimmed).
constexpr char kGlobals[] = R"(--
-- PostgreSQL database cluster dump
--

\restrict abc

SET default_transaction_read_only = off;

CREATE ROLE analysts;
ALTER ROLE analysts WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE app_owner;
ALTER ROLE app_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS PASSWORD 'SCRAM-SHA-256$4096:c2FsdA==$a2V5:c2Vy';
COMMENT ON ROLE app_owner IS 'owns the shop';
CREATE ROLE "Report ""Team""";
ALTER ROLE "Report ""Team""" WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;

--
-- User Configurations
--
ALTER ROLE app_owner SET search_path TO 'sales', 'public';
ALTER ROLE app_owner IN DATABASE shop SET work_mem TO '64MB';

--
-- Role memberships
--
GRANT analysts TO "Report ""Team""" GRANTED BY postgres;
GRANT analysts TO postgres GRANTED BY postgres;
)";

TEST(RolePlanTest, ReadsEachRolesStatementsFromTheGlobals) {
  ParsedGlobals g = ParseGlobals(kGlobals);
  ASSERT_EQ(g.roles.count("app_owner"), 1u);
  const RoleDefinition& owner = g.roles.at("app_owner");
  EXPECT_TRUE(owner.login);
  EXPECT_TRUE(owner.password);
  EXPECT_THAT(owner.statements, ElementsAre("CREATE ROLE app_owner;", ::testing::StartsWith("ALTER ROLE app_owner WITH"),
                                            "COMMENT ON ROLE app_owner IS 'owns the shop';",
                                            "ALTER ROLE app_owner SET search_path TO 'sales', 'public';"));
  EXPECT_FALSE(g.roles.at("analysts").login);
}

TEST(RolePlanTest, ReadsQuotedIdentifiers) {
  ParsedGlobals g = ParseGlobals(kGlobals);
  ASSERT_EQ(g.roles.count("Report \"Team\""), 1u);
  EXPECT_FALSE(g.roles.at("Report \"Team\"").password);
  ASSERT_EQ(g.memberships.size(), 2u);
  EXPECT_EQ(g.memberships[0].role, "analysts");
  EXPECT_EQ(g.memberships[0].member, "Report \"Team\"");
}

TEST(RolePlanTest, LeavesOutSettingsForADatabaseThatMayNotExistAndTheGrantor) {
  ParsedGlobals g = ParseGlobals(kGlobals);
  for (const auto& s : g.roles.at("app_owner").statements) EXPECT_EQ(s.find("IN DATABASE"), std::string::npos) << s;
  EXPECT_EQ(g.memberships[0].statement, "GRANT analysts TO \"Report \"\"Team\"\"\";");
}

TEST(RolePlanTest, CreatesOnlyTheNeededRolesTheTargetLacks) {
  RolePlan plan = PlanRoles({"app_owner", "postgres"}, {"postgres"}, ParseGlobals(kGlobals));
  EXPECT_THAT(plan.create, ElementsAre("app_owner"));
  EXPECT_TRUE(plan.undefined.empty());
  EXPECT_TRUE(plan.without_password.empty());
  for (const auto& s : plan.statements) EXPECT_EQ(s.find("postgres"), std::string::npos) << "an existing role is touched: " << s;
}

TEST(RolePlanTest, GrantsMembershipsOnlyToRolesItCreates) {
  RolePlan plan = PlanRoles({"Report \"Team\"", "analysts"}, {"postgres"}, ParseGlobals(kGlobals));
  EXPECT_THAT(plan.create, ElementsAre("Report \"Team\"", "analysts"));
  EXPECT_EQ(plan.statements.back(), "GRANT analysts TO \"Report \"\"Team\"\"\";");
  // `GRANT analysts TO postgres` would alter an existing role: never planned.
  for (const auto& s : plan.statements) EXPECT_EQ(s.find("TO postgres"), std::string::npos) << s;
  EXPECT_THAT(plan.without_password, ElementsAre("Report \"Team\""));
}

TEST(RolePlanTest, AMembershipInARoleThatWillNotExistIsLeftOut) {
  RolePlan plan = PlanRoles({"Report \"Team\""}, {"postgres"}, ParseGlobals(kGlobals));
  for (const auto& s : plan.statements) EXPECT_EQ(s.find("GRANT"), std::string::npos) << s;
}

TEST(RolePlanTest, ANeededRoleWithoutADefinitionIsReportedNotInvented) {
  RolePlan plan = PlanRoles({"ghost", "app_owner"}, {}, ParseGlobals(kGlobals));
  EXPECT_THAT(plan.undefined, ElementsAre("ghost"));
  EXPECT_THAT(plan.create, ElementsAre("app_owner"));
}

TEST(RolePlanTest, EmptyGlobalsDefineNothing) {
  ParsedGlobals g = ParseGlobals("");
  EXPECT_TRUE(g.roles.empty());
  EXPECT_THAT(PlanRoles({"a"}, {}, g).undefined, ElementsAre("a"));
}

}  // namespace
}  // namespace lifeboat::agent
