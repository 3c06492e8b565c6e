#include "operator/agent/posix_process_runner.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>

namespace lifeboat::agent {
namespace {

ProcessSpec Sh(const std::string& script) {
  ProcessSpec s;
  s.argv = {"sh", "-c", script};
  return s;
}

TEST(PosixProcessRunnerTest, PipelineTransfersEveryByte) {
  PosixProcessRunner runner;
  std::vector<std::string> lines;
  auto r = runner.RunPipeline(Sh("head -c 3000000 /dev/zero"), Sh("wc -c"), [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->producer.Succeeded());
  EXPECT_TRUE(r->consumer.Succeeded());
  EXPECT_EQ(r->bytes_transferred, 3000000u);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(std::stoul(lines[0]), 3000000u);
}

TEST(PosixProcessRunnerTest, AFailingProducerTerminatesTheConsumerInsteadOfEndingItsInput) {
  PosixProcessRunner runner;
  std::vector<std::string> lines;
  // The consumer would print "complete" only after a clean end of input.
  auto r = runner.RunPipeline(Sh("echo partial; echo oops >&2; exit 3"), Sh("cat >/dev/null && echo complete"),
                              [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->producer.exit_code, 3);
  EXPECT_EQ(r->producer.stderr_tail, "oops\n");
  EXPECT_EQ(r->consumer.term_signal, SIGTERM);
  EXPECT_TRUE(lines.empty());
}

TEST(PosixProcessRunnerTest, AFailingConsumerStopsTheProducer) {
  PosixProcessRunner runner;
  auto r = runner.RunPipeline(Sh("yes"), Sh("head -c 10 >/dev/null; exit 1"), nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->producer.Succeeded());
  EXPECT_EQ(r->consumer.exit_code, 1);
}

TEST(PosixProcessRunnerTest, EnvironmentOverridesAndRemovalsReachTheChild) {
  ::setenv("LIFEBOAT_TEST_INHERITED", "yes", 1);
  ::setenv("LIFEBOAT_TEST_REMOVED", "no", 1);
  PosixProcessRunner runner;
  ProcessSpec s = Sh("echo \"$LIFEBOAT_TEST_INHERITED-$LIFEBOAT_TEST_SET-${LIFEBOAT_TEST_REMOVED:-gone}\"");
  s.env["LIFEBOAT_TEST_SET"] = "set";
  s.unset_env = {"LIFEBOAT_TEST_REMOVED"};
  std::vector<std::string> lines;
  auto r = runner.Run(s, "", [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "yes-set-gone");
}

TEST(PosixProcessRunnerTest, RunFeedsStdinAndWritesStdoutToAFile) {
  PosixProcessRunner runner;
  std::string path = ::testing::TempDir() + "/lifeboat-runner-out";
  ProcessSpec s = Sh("cat");
  s.stdout_path = path;
  auto r = runner.Run(s, "hello\n", nullptr);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Succeeded());
  std::vector<std::string> lines;
  ASSERT_TRUE(runner.Run(Sh("cat " + path), "", [&](const std::string& l) { lines.push_back(l); }).ok());
  EXPECT_EQ(lines, std::vector<std::string>{"hello"});
}

TEST(PosixProcessRunnerTest, StartedProcessGetsItsInputOnFinishOrIsStoppedByAbort) {
  PosixProcessRunner runner;
  std::vector<std::string> lines;
  auto p = runner.Start(Sh("read x; echo got-$x"), [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(p.ok());
  auto r = (*p)->Finish("data\n");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Succeeded());
  EXPECT_EQ(lines, std::vector<std::string>{"got-data"});
  auto q = runner.Start(Sh("cat >/dev/null && echo complete"), [&](const std::string& l) { lines.push_back(l); });
  ASSERT_TRUE(q.ok());
  ProcessResult aborted = (*q)->Abort();
  EXPECT_EQ(aborted.term_signal, SIGTERM);
  EXPECT_EQ(lines.size(), 1u);
}

TEST(PosixProcessRunnerTest, AMissingProgramIsAnError) {
  PosixProcessRunner runner;
  ProcessSpec s;
  s.argv = {"lifeboat-no-such-program"};
  auto r = runner.Run(s, "", nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("lifeboat-no-such-program"), std::string::npos);
}

TEST(PosixProcessRunnerTest, DescribesExitsAndSignals) {
  ProcessResult r;
  r.exit_code = 2;
  EXPECT_EQ(r.Describe(), "exited with status 2");
  r.term_signal = 9;
  EXPECT_EQ(r.Describe(), "killed by signal 9 (Killed)");
}

}  // namespace
}  // namespace lifeboat::agent
