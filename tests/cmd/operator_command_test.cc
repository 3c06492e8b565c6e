#include "operator/cmd/operator_command.h"

#include <gtest/gtest.h>

namespace lifeboat::cmd {
namespace {

using namespace std::chrono_literals;

TEST(ParseDurationTest, AcceptsGoStyleDurationsAndPlainSeconds) {
  EXPECT_EQ(*ParseDuration("15s"), 15s);
  EXPECT_EQ(*ParseDuration("10m"), 10min);
  EXPECT_EQ(*ParseDuration("1h30m"), 90min);
  EXPECT_EQ(*ParseDuration("250ms"), 250ms);
  EXPECT_EQ(*ParseDuration("20"), 20s);
  for (const char* bad : {"", "s", "10x", "1.5s", "-1s", "10 s"}) EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
}

TEST(OperatorCommandTest, EveryFlagIsDocumentedAndHasAnEnvironmentVariable) {
  CLI::App app;
  CommandRegistry registry;
  AddOperatorCommand(app, registry, {});
  CLI::App* cmd = app.get_subcommand("operator");
  ASSERT_NE(cmd, nullptr);
  int flags = 0;
  for (const CLI::Option* option : cmd->get_options()) {
    if (option->get_name() == "--help") continue;
    ++flags;
    EXPECT_FALSE(option->get_description().empty()) << option->get_name();
    EXPECT_FALSE(option->get_envname().empty()) << option->get_name() << " has no environment variable";
  }
  EXPECT_GE(flags, 17);
}

TEST(OperatorCommandTest, FlagsCanComeFromTheEnvironment) {
  CLI::App app;
  CommandRegistry registry;
  AddOperatorCommand(app, registry, {});
  ::setenv("LIFEBOAT_WORKERS", "7", 1);
  ::setenv("LIFEBOAT_LOG_FORMAT", "text", 1);
  const char* argv[] = {"lifeboat", "operator"};
  app.parse(2, const_cast<char**>(argv));
  ::unsetenv("LIFEBOAT_WORKERS");
  ::unsetenv("LIFEBOAT_LOG_FORMAT");
  CLI::App* cmd = app.get_subcommand("operator");
  EXPECT_EQ(cmd->get_option("--workers")->as<int>(), 7);
  EXPECT_EQ(cmd->get_option("--log-format")->as<std::string>(), "text");
}

}  // namespace
}  // namespace lifeboat::cmd
