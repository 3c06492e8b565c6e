// `agent rejoin` as a specification: pg_rewind of the version in PG_VERSION against the new primary,
// the server's own configuration put back over what pg_rewind copied, standby.signal and the
// standby settings appended (quoted so a password with quotes cannot break the file), and clear
// reasons when the folder or the binaries are missing or pg_rewind fails.
#include "operator/agent/rejoin_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/agent/command_fixture.h"

namespace lifeboat::agent {
namespace {

namespace fs = std::filesystem;
using testing::FakeCall;
using testing::FakeResponse;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}
void Write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

class RejoinCommandTest : public testing::CommandFixture {
 protected:
  RejoinCommandTest() {
    root_ = fs::temp_directory_path() / ("rejoin-test-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "pgdata");
    fs::create_directories(root_ / "postgresql/15/bin");
    Write(root_ / "pgdata/PG_VERSION", "15\n");
    Write(root_ / "postgresql/15/bin/pg_rewind", "");  // Run through the fake process runner.
    Write(root_ / "pgdata/postgresql.conf", "port = 5433\n");
    Write(root_ / "pgdata/postgresql.auto.conf", "# own\n");
    environment["LIFEBOAT_REPLICATION_USER"] = "replicator";
    environment["LIFEBOAT_REPLICATION_PASSWORD"] = "it's\\secret";
    command_.data_dir = (root_ / "pgdata").string();
    command_.primary_host = "shop-postgres-b";
    command_.primary_port = 5432;
    command_.slot = "shop_postgres_a";
    command_.application_name = "shop-postgres-a";
    command_.source_user = "lifeboat_admin";
    command_.postgres_root = (root_ / "postgresql").string();
  }
  ~RejoinCommandTest() override { fs::remove_all(root_); }

  fs::path root_;
  RejoinCommand command_;
};

TEST_F(RejoinCommandTest, RewindsKeepsItsOwnConfigurationAndBecomesAStandby) {
  answer = [this](const FakeCall& call) {
    // pg_rewind copies the source's configuration files.
    Write(root_ / "pgdata/postgresql.conf", "port = 5432\n");
    Write(root_ / "pgdata/postgresql.auto.conf", "primary_conninfo = 'host=old'\n");
    EXPECT_EQ(call.spec.argv[0], (root_ / "postgresql/15/bin/pg_rewind").string());
    EXPECT_EQ(call.spec.argv[1], "--target-pgdata=" + command_.data_dir);
    EXPECT_NE(call.spec.argv[2].find("host='shop-postgres-b' port=5432 user='lifeboat_admin'"), std::string::npos);
    FakeResponse r;
    r.stdout_lines = {"pg_rewind: servers diverged at WAL location 0/30093C0 on timeline 1", "pg_rewind: Done!"};
    return r;
  };
  const AgentResult result = RunRejoinCommand(command_, Context());
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.fields["rewound"], true);
  EXPECT_EQ(Read(root_ / "pgdata/postgresql.conf"), "port = 5433\n") << "its own port, not the source's";
  EXPECT_TRUE(fs::exists(root_ / "pgdata/standby.signal"));
  const std::string automatic = Read(root_ / "pgdata/postgresql.auto.conf");
  EXPECT_EQ(automatic.rfind("# own\n", 0), 0u);
  EXPECT_NE(automatic.find("primary_slot_name = 'shop_postgres_a'"), std::string::npos);
  EXPECT_NE(automatic.find("recovery_target_timeline = 'latest'"), std::string::npos);
  EXPECT_NE(automatic.find("password=''it\\\\''s\\\\\\\\secret''"), std::string::npos) << automatic;
}

TEST_F(RejoinCommandTest, SaysWhenNoRewindWasNeeded) {
  answer = [](const FakeCall&) {
    FakeResponse r;
    r.stdout_lines = {"pg_rewind: source and target cluster are on the same timeline", "pg_rewind: no rewind required"};
    return r;
  };
  const AgentResult result = RunRejoinCommand(command_, Context());
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.fields["rewound"], false);
}

TEST_F(RejoinCommandTest, AFailedRewindNamesItsErrorAndChangesNothing) {
  answer = [](const FakeCall&) {
    FakeResponse r;
    r.result.exit_code = 1;
    r.result.stderr_tail = "pg_rewind: error: target server needs to use either data checksums or \"wal_log_hints = on\"";
    return r;
  };
  const AgentResult result = RunRejoinCommand(command_, Context());
  EXPECT_EQ(result.reason, "RewindFailed");
  EXPECT_NE(result.status.message().find("wal_log_hints"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ / "pgdata/standby.signal"));
}

TEST_F(RejoinCommandTest, AMissingFolderOrServerVersionIsNamed) {
  command_.postgres_root = (root_ / "nothing").string();
  EXPECT_EQ(RunRejoinCommand(command_, Context()).reason, "DatabaseVersionUnsupported");
  command_.data_dir = (root_ / "missing").string();
  EXPECT_EQ(RunRejoinCommand(command_, Context()).reason, "DataDirectoryNotFound");
}

}  // namespace
}  // namespace lifeboat::agent
