// CommandFixture: a CommandContext made of fakes (processes, PostgreSQL, clock, cancellation), so a
// test runs an agent command in-process exactly as `lifeboat agent` would, and reads what it logged,
// listed and ran.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "operator/agent/command_context.h"
#include "tests/agent/fake_pg_session.h"
#include "tests/agent/fake_process_runner.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::agent::testing {

class CommandFixture : public ::testing::Test {
 protected:
  // Every process answers `answer` (default: success, no output).
  FakeProcessRunner::Handler answer = [](const FakeCall&) { return FakeResponse{}; };
  FakeProcessRunner runner{[this](const FakeCall& call) { return answer(call); }};
  FakeServer server;
  lifeboat::testing::FakeClock clock;
  Cancellation cancellation;
  std::ostringstream listing;
  std::vector<std::string> log_lines;  // "level: message"
  std::map<std::string, std::string> environment = {{"RESTIC_PASSWORD", "s3cret"}};

  CommandContext Context() {
    return CommandContext{clock,
                          environment,
                          [this](const std::string& level, const std::string& message) { log_lines.push_back(level + ": " + message); },
                          runner,
                          [this](const PgConnectionConfig&) { return std::make_unique<FakePgConnector>(server); },
                          cancellation,
                          listing,
                          [](std::chrono::milliseconds) {}};
  }

  static RepositoryConfig LocalRepository() {
    RepositoryConfig repository;
    repository.path = "/repo";
    return repository;
  }
};

}  // namespace lifeboat::agent::testing
