#include "operator/kube/informer.h"

#include "operator/kube/api_error.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/fakes/fake_api_client.h"

namespace lifeboat::kube {
namespace {

using namespace std::chrono_literals;
using testing::FakeApiClient;

const ResourceRef kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};

nlohmann::json ConfigMap(const std::string& ns, const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"managedFields", {{{"manager", "x"}}}}}},
          {"data", {{"value", value}}}};
}

// Records what the handlers were told, thread-safely.
class Recorder {
 public:
  void operator()(const InformerEvent& event) {
    std::lock_guard lock(mutex_);
    const char* type = event.type == InformerEvent::Type::kAdded     ? "add"
                       : event.type == InformerEvent::Type::kUpdated ? "update"
                       : event.type == InformerEvent::Type::kDeleted ? "delete"
                                                                     : "resync";
    std::string value = event.object.contains("data") ? event.object["data"].value("value", "") : "";
    log_.push_back(std::string(type) + " " + KeyOf(event.object).ToString() + (value.empty() ? "" : "=" + value));
  }
  std::vector<std::string> Log() const {
    std::lock_guard lock(mutex_);
    return log_;
  }
  bool Contains(const std::string& entry) const {
    auto log = Log();
    return std::find(log.begin(), log.end(), entry) != log.end();
  }
  // Waits for asynchronous delivery by the informer's thread (bounded; not a timer).
  bool WaitFor(const std::string& entry) const {
    for (int i = 0; i < 2000; ++i) {
      if (Contains(entry)) return true;
      std::this_thread::sleep_for(1ms);
    }
    return false;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> log_;
};

InformerOptions FastOptions(std::chrono::milliseconds backoff = 1ms) {
  InformerOptions options;
  options.page_size = 2;  // Exercise pagination.
  options.initial_backoff = backoff;
  options.max_backoff = backoff * 4;
  return options;
}

TEST(InformerTest, ListsIntoTheCacheThenDeliversWatchEvents) {
  FakeApiClient client;
  for (const char* name : {"a", "b", "c"}) ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", name, "1")).ok());
  Informer informer(client, kConfigMaps, FastOptions());
  Recorder recorder;
  informer.AddHandler(std::ref(recorder));
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  EXPECT_EQ(informer.cache().Size(), 3u);
  EXPECT_TRUE(recorder.Contains("add ns/a=1"));
  EXPECT_FALSE(informer.cache().Get("ns/a")->at("metadata").contains("managedFields"));

  ASSERT_TRUE(client.WaitForOpenWatches(1, 5s));
  ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", "d", "1")).ok());
  ASSERT_TRUE(client.Patch(kConfigMaps, "ns", "a", PatchType::kMerge, {{"data", {{"value", "2"}}}}).ok());
  ASSERT_TRUE(client.Delete(kConfigMaps, "ns", "b").ok());
  EXPECT_TRUE(recorder.WaitFor("add ns/d=1"));
  EXPECT_TRUE(recorder.WaitFor("update ns/a=2"));
  EXPECT_TRUE(recorder.WaitFor("delete ns/b=1"));
  EXPECT_EQ(informer.cache().Size(), 3u);
  EXPECT_EQ(informer.lists(), 1);
}

TEST(InformerTest, ResumesFromTheLastResourceVersionWhenTheServerEndsTheWatch) {
  FakeApiClient client;
  Informer informer(client, kConfigMaps, FastOptions());
  Recorder recorder;
  informer.AddHandler(std::ref(recorder));
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  ASSERT_TRUE(client.WaitForOpenWatches(1, 5s));
  ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", "a", "1")).ok());
  ASSERT_TRUE(recorder.WaitFor("add ns/a=1"));
  client.EndWatches();
  ASSERT_TRUE(client.Patch(kConfigMaps, "ns", "a", PatchType::kMerge, {{"data", {{"value", "2"}}}}).ok());
  EXPECT_TRUE(recorder.WaitFor("update ns/a=2"));
  EXPECT_EQ(informer.lists(), 1) << "resuming a watch must not relist";
  EXPECT_GE(informer.watches(), 2);
}

TEST(InformerTest, ReconnectsAfterABrokenConnectionWithoutMissingChanges) {
  FakeApiClient client;
  ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", "a", "1")).ok());
  Informer informer(client, kConfigMaps, FastOptions(50ms));
  Recorder recorder;
  informer.AddHandler(std::ref(recorder));
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  ASSERT_TRUE(client.WaitForOpenWatches(1, 5s));
  client.FailNext("watch", UnavailableError("connection refused"));
  client.BreakWatches();
  // Changes while disconnected are replayed from the resourceVersion the informer resumes at.
  ASSERT_TRUE(client.Patch(kConfigMaps, "ns", "a", PatchType::kMerge, {{"data", {{"value", "2"}}}}).ok());
  ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", "b", "1")).ok());
  EXPECT_TRUE(recorder.WaitFor("update ns/a=2"));
  EXPECT_TRUE(recorder.WaitFor("add ns/b=1"));
  EXPECT_EQ(informer.lists(), 1);
  EXPECT_GE(client.Calls("watch"), 3);
}

void ExpectRelistCatchesEverything(bool expire_with_http_410) {
  FakeApiClient client;
  client.SetExpireWithHttp410(expire_with_http_410);
  for (const char* name : {"a", "b", "c"}) ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", name, "1")).ok());
  Informer informer(client, kConfigMaps, FastOptions(300ms));
  Recorder recorder;
  informer.AddHandler(std::ref(recorder));
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  ASSERT_TRUE(client.WaitForOpenWatches(1, 5s));
  // Break the watch and keep the reconnect failing while the world changes and history is compacted.
  client.FailNext("watch", UnavailableError("connection refused"));
  client.BreakWatches();
  ASSERT_TRUE(client.Patch(kConfigMaps, "ns", "a", PatchType::kMerge, {{"data", {{"value", "2"}}}}).ok());
  ASSERT_TRUE(client.Patch(kConfigMaps, "ns", "a", PatchType::kMerge, {{"data", {{"value", "3"}}}}).ok());
  ASSERT_TRUE(client.Delete(kConfigMaps, "ns", "b").ok());
  ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", "d", "1")).ok());
  client.CompactHistory();
  // The resumed watch finds its resourceVersion expired (410) and the informer relists.
  EXPECT_TRUE(recorder.WaitFor("update ns/a=3"));
  EXPECT_TRUE(recorder.WaitFor("delete ns/b=1"));
  EXPECT_TRUE(recorder.WaitFor("add ns/d=1"));
  EXPECT_FALSE(recorder.Contains("update ns/a=2")) << "the relist shows the final state only";
  EXPECT_EQ(informer.lists(), 2);
  auto keys = informer.cache().Keys();
  EXPECT_EQ(keys, (std::vector<std::string>{"ns/a", "ns/c", "ns/d"}));
  // And it keeps watching afterwards.
  ASSERT_TRUE(client.WaitForOpenWatches(1, 5s));
  ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", "e", "1")).ok());
  EXPECT_TRUE(recorder.WaitFor("add ns/e=1"));
}

TEST(InformerTest, ExpiredErrorEventLeadsToARelistThatMissesNoChange) { ExpectRelistCatchesEverything(false); }

TEST(InformerTest, Http410OnWatchLeadsToARelistThatMissesNoChange) { ExpectRelistCatchesEverything(true); }

TEST(InformerTest, RetriesAFailedInitialList) {
  FakeApiClient client;
  ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", "a", "1")).ok());
  client.FailNext("list", UnavailableError("connection refused"));
  client.FailNext("list", StatusFromHttp(503, ""));
  Informer informer(client, kConfigMaps, FastOptions());
  informer.Start();
  EXPECT_TRUE(informer.WaitForSync(5s));
  EXPECT_EQ(informer.cache().Size(), 1u);
}

TEST(InformerTest, ResyncReplaysEveryCachedObject) {
  FakeApiClient client;
  for (const char* name : {"a", "b"}) ASSERT_TRUE(client.Create(kConfigMaps, "ns", ConfigMap("ns", name, "1")).ok());
  Informer informer(client, kConfigMaps, FastOptions());
  Recorder recorder;
  informer.AddHandler(std::ref(recorder));
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  informer.Resync();
  EXPECT_TRUE(recorder.Contains("resync ns/a=1"));
  EXPECT_TRUE(recorder.Contains("resync ns/b=1"));
}

TEST(InformerTest, WatchesOnlyItsNamespace) {
  FakeApiClient client;
  InformerOptions options = FastOptions();
  options.ns = "mine";
  ASSERT_TRUE(client.Create(kConfigMaps, "mine", ConfigMap("mine", "a", "1")).ok());
  ASSERT_TRUE(client.Create(kConfigMaps, "other", ConfigMap("other", "b", "1")).ok());
  Informer informer(client, kConfigMaps, options);
  Recorder recorder;
  informer.AddHandler(std::ref(recorder));
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  ASSERT_TRUE(client.WaitForOpenWatches(1, 5s));
  ASSERT_TRUE(client.Create(kConfigMaps, "other", ConfigMap("other", "c", "1")).ok());
  ASSERT_TRUE(client.Create(kConfigMaps, "mine", ConfigMap("mine", "d", "1")).ok());
  ASSERT_TRUE(recorder.WaitFor("add mine/d=1"));
  EXPECT_EQ(informer.cache().Keys(), (std::vector<std::string>{"mine/a", "mine/d"}));
}

TEST(InformerTest, StopReturnsPromptlyWhileTheWatchIsIdle) {
  FakeApiClient client;
  Informer informer(client, kConfigMaps, FastOptions());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(5s));
  ASSERT_TRUE(client.WaitForOpenWatches(1, 5s));
  auto start = std::chrono::steady_clock::now();
  informer.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

}  // namespace
}  // namespace lifeboat::kube
