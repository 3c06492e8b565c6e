#include "operator/agent/pg_session.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

TEST(PgSessionTest, ConnectionStringsQuoteValuesAndNeverHoldAPassword) {
  PgConnectionConfig config{"db.example", "5433", "o'brien", "require"};
  EXPECT_EQ(BuildConnectionString(config, "shop"),
            "dbname='shop' application_name='lifeboat-agent' host='db.example' port='5433' user='o\\'brien' "
            "sslmode='require'");
  EXPECT_EQ(BuildConnectionString({}, "x"), "dbname='x' application_name='lifeboat-agent'");
}

TEST(PgSessionTest, ARefusedLoginIsAccessDeniedNotAnOutage) {
  EXPECT_EQ(ConnectionFailureReason(PermissionDeniedError("FATAL: role \"intruder\" does not exist")), "DatabaseAccessDenied");
  EXPECT_EQ(ConnectionFailureReason(UnavailableError("connection refused")), "DatabaseUnavailable");
}

}  // namespace
}  // namespace lifeboat::agent
