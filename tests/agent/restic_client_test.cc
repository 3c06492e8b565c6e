// ResticClient's reading commands wait out another process's exclusive lock (a backup's prune or
// check), as restic 0.14 cannot: a drill and a backup run at the same time. Other failures, and a
// lock held longer than kLockWait, still fail.
#include "operator/agent/restic_client.h"

#include <gtest/gtest.h>

#include "tests/agent/fake_process_runner.h"

namespace lifeboat::agent {
namespace {

using testing::FakeCall;
using testing::FakeProcessRunner;
using testing::FakeResponse;

FakeResponse Locked() {
  FakeResponse r;
  r.result.exit_code = 1;
  r.result.stderr_tail =
      "unable to create lock in backend: repository is already locked exclusively by PID 7 on backup-1 by lifeboat\n"
      "the `unlock` command can be used to remove stale locks\n";
  return r;
}

TEST(ResticClientTest, AReadWaitsForAnExclusiveLockToGo) {
  int calls = 0;
  FakeProcessRunner runner([&](const FakeCall&) {
    ++calls;
    if (calls <= 2) return Locked();
    FakeResponse r;
    r.stdout_lines = {"{\"manifest\": 1}"};
    return r;
  });
  std::vector<std::chrono::milliseconds> slept;
  ResticClient restic(runner, ResticInvocation{}, nullptr, [&](std::chrono::milliseconds d) { slept.push_back(d); });
  auto text = restic.DumpToString("abc", "/lifeboat/manifest.json");
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(slept, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(1000), std::chrono::milliseconds(2000)}));
}

TEST(ResticClientTest, ALockHeldLongerThanTheWaitStillFailsAsUnavailable) {
  FakeProcessRunner runner([](const FakeCall&) { return Locked(); });
  std::chrono::milliseconds total{0};
  ResticClient restic(runner, ResticInvocation{}, nullptr, [&](std::chrono::milliseconds d) { total += d; });
  auto listed = restic.Snapshots({"lifeboat"});
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), StatusCode::kUnavailable);
  EXPECT_GE(total, kLockWait);
}

TEST(ResticClientTest, OtherFailuresAreNotRetried) {
  int calls = 0;
  FakeProcessRunner runner([&](const FakeCall&) {
    ++calls;
    FakeResponse r;
    r.result.exit_code = 1;
    r.result.stderr_tail = "Fatal: wrong password or no key found\n";
    return r;
  });
  ResticClient restic(runner, ResticInvocation{}, nullptr, [](std::chrono::milliseconds) { FAIL() << "no wait"; });
  EXPECT_EQ(restic.Snapshots({}).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace lifeboat::agent
