#include "e2e/devcluster/jobs/container_process.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class ContainerProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/container-process-test-XXXXXX";
    dir_ = mkdtemp(pattern);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string ReadLog(const std::string& name = "c.log") {
    std::ifstream in(dir_ / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  ProcessSpec Shell(const std::string& script) {
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script};
    spec.env = {{"PATH", "/usr/bin:/bin"}, {"GREETING", "hello"}};
    spec.log_path = dir_ / "c.log";
    return spec;
  }
  // Running (a zombie waiting for init to reap it does not count).
  static bool Alive(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    return line.substr(line.rfind(')') + 2, 1) != "Z";
  }

  std::filesystem::path dir_;
};

TEST_F(ContainerProcessTest, CapturesStdoutAndStderrAndTheExitCode) {
  std::atomic<bool> notified{false};
  auto process = ContainerProcess::Start(Shell("echo $GREETING; echo oops >&2; exit 3"), [&] { notified = true; });
  ASSERT_TRUE(process.ok()) << process.status();
  ASSERT_TRUE((*process)->WaitFor(seconds(10)));
  EXPECT_EQ((*process)->ExitCode(), 3);
  EXPECT_TRUE(notified);
  EXPECT_EQ(ReadLog(), "hello\noops\n");
}

TEST_F(ContainerProcessTest, EnvironmentIsExactlyTheGivenOne) {
  auto process = ContainerProcess::Start(Shell("env | sort | grep -v '^PWD=' | grep -v '^SHLVL=' | grep -v '^_='"), nullptr);
  ASSERT_TRUE(process.ok());
  ASSERT_TRUE((*process)->WaitFor(seconds(10)));
  EXPECT_EQ(ReadLog(), "GREETING=hello\nPATH=/usr/bin:/bin\n");
}

TEST_F(ContainerProcessTest, TerminateLetsTheProcessHandleSigterm) {
  auto process = ContainerProcess::Start(Shell("trap 'echo bye; exit 7' TERM; echo ready; while true; do sleep 0.05; done"), nullptr);
  ASSERT_TRUE(process.ok());
  for (int i = 0; i < 200 && ReadLog().find("ready") == std::string::npos; ++i) std::this_thread::sleep_for(milliseconds(10));
  (*process)->Terminate(seconds(5));
  EXPECT_TRUE((*process)->Exited());
  EXPECT_EQ((*process)->ExitCode(), 7);
  EXPECT_NE(ReadLog().find("bye"), std::string::npos);
}

TEST_F(ContainerProcessTest, TerminateKillsAfterTheGracePeriodIncludingChildren) {
  auto process = ContainerProcess::Start(Shell("trap '' TERM; sleep 300 & echo $! > " + (dir_ / "child").string() + "; wait"), nullptr);
  ASSERT_TRUE(process.ok());
  for (int i = 0; i < 200 && !std::filesystem::exists(dir_ / "child"); ++i) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(50));
  pid_t child = 0;
  std::ifstream(dir_ / "child") >> child;
  ASSERT_GT(child, 0);
  (*process)->Terminate(milliseconds(200));
  EXPECT_TRUE((*process)->Exited());
  EXPECT_EQ((*process)->ExitCode(), 128 + SIGKILL);
  for (int i = 0; i < 100 && Alive(child); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_FALSE(Alive(child));
}

TEST_F(ContainerProcessTest, LogIsBoundedAndKeepsTheNewestOutput) {
  ProcessSpec spec = Shell("i=0; while [ $i -lt 3000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; echo the-end");
  spec.log_max_bytes = 8192;
  auto process = ContainerProcess::Start(spec, nullptr);
  ASSERT_TRUE(process.ok());
  ASSERT_TRUE((*process)->WaitFor(seconds(20)));
  const std::string log = ReadLog();
  EXPECT_LE(log.size(), 8192u);
  EXPECT_NE(log.find("the-end"), std::string::npos) << "exit " << (*process)->ExitCode() << ", log: " << log.substr(0, 300);
  EXPECT_EQ(log.find("line-0-"), std::string::npos);
  EXPECT_GE(log.size(), 4096u);  // the newest half is kept, not everything dropped
  EXPECT_NE(log.find("line-2999-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nthe-end\n"), std::string::npos);
}

TEST_F(ContainerProcessTest, MissingProgramExitsWith127) {
  ProcessSpec spec = Shell("");
  spec.argv = {"/nonexistent/program"};
  auto process = ContainerProcess::Start(spec, nullptr);
  ASSERT_TRUE(process.ok());
  ASSERT_TRUE((*process)->WaitFor(seconds(10)));
  EXPECT_EQ((*process)->ExitCode(), 127);
}

TEST_F(ContainerProcessTest, DestructorKillsARunningProcess) {
  pid_t pid = 0;
  {
    auto process = ContainerProcess::Start(Shell("sleep 300"), nullptr);
    ASSERT_TRUE(process.ok());
    pid = (*process)->pid();
    EXPECT_TRUE(Alive(pid));
  }
  EXPECT_FALSE(Alive(pid));  // reaped, so not even a zombie
}

TEST_F(ContainerProcessTest, SandboxedProcessSeesItsVolumesAndLosesItsChildrenWhenKilled) {
  if (FindProgram("bwrap", "/usr/bin:/bin").empty()) GTEST_SKIP() << "bwrap not installed";
  std::filesystem::create_directories(dir_ / "vol");
  std::ofstream(dir_ / "termination-log").close();
  SandboxSpec sandbox;
  sandbox.root_entries = ReadHostRootEntries();
  sandbox.mounts = {{(dir_ / "vol").string(), "/backups", false, false},
                    {(dir_ / "termination-log").string(), "/dev/termination-log", false, true}};
  sandbox.working_dir = "/backups";
  sandbox.hostname = "pod-xyz";
  sandbox.argv = {"sh", "-c",
                  "echo written > data.txt; hostname; printf done > /dev/termination-log; "
                  "sleep 300 & echo $! > /backups/child; wait"};
  ProcessSpec spec = Shell("");
  spec.leader_is_supervisor = true;
  spec.argv = BuildSandboxCommand(FindProgram("bwrap", "/usr/bin:/bin"), sandbox);
  auto process = ContainerProcess::Start(spec, nullptr);
  ASSERT_TRUE(process.ok());
  for (int i = 0; i < 500 && !std::filesystem::exists(dir_ / "vol" / "child"); ++i) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(50));
  // The sleep's host pid: the only process in the group whose command is "sleep".
  pid_t sleeper = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream comm(entry.path() / "comm");
    std::string command;
    comm >> command;
    if (command != "sleep") continue;
    if (getpgid(std::stoi(name)) == (*process)->pid()) sleeper = std::stoi(name);
  }
  ASSERT_GT(sleeper, 0);
  (*process)->Terminate(milliseconds(300));
  EXPECT_TRUE((*process)->Exited());
  for (int i = 0; i < 100 && Alive(sleeper); ++i) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_FALSE(Alive(sleeper));
  EXPECT_EQ(ReadLog(), "pod-xyz\n");
  std::ifstream data(dir_ / "vol" / "data.txt");
  std::string written;
  data >> written;
  EXPECT_EQ(written, "written");
  std::ifstream message(dir_ / "termination-log");
  std::string done;
  message >> done;
  EXPECT_EQ(done, "done");
}

}  // namespace
}  // namespace lifeboat::devcluster
