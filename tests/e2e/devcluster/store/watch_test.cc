#include "e2e/devcluster/store/watch.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "e2e/devcluster/store/object_store.h"
#include "tests/e2e/devcluster/store/store_test_util.h"

namespace lifeboat::devcluster::testing {
namespace {

using namespace std::chrono_literals;

class WatchTest : public StoreFixture {
 protected:
  WatchSubscriptionPtr MustWatch(WatchRequest request) {
    auto watched = store_->Watch(request);
    EXPECT_TRUE(watched.ok()) << (watched.ok() ? "" : watched.error().message);
    return watched.ok() ? *watched : nullptr;
  }
  WatchRequest From(const ResourcePath& path, uint64_t rv) {
    WatchRequest request;
    request.path = path;
    request.resource_version = std::to_string(rv);
    return request;
  }
  // "ADDED a", "MODIFIED a", ... for the next `count` events.
  std::vector<std::string> Drain(WatchSubscription& sub, size_t count) {
    std::vector<std::string> out;
    while (out.size() < count) {
      auto event = sub.Next(2s);
      if (!event) break;
      out.push_back(std::string(WatchEventTypeName(event->type)) + " " +
                    (*event->object)["metadata"].value("name", std::string()));
    }
    return out;
  }
};

TEST_F(WatchTest, WatchFromAResourceVersionStreamsEveryLaterChange) {
  uint64_t start = store_->CurrentResourceVersion();
  auto sub = MustWatch(From(ConfigMaps(), start));
  MustCreate(ConfigMaps(), ConfigMap("a"));
  ASSERT_TRUE(Patch(ConfigMaps("default", "a"), PatchType::kMergePatch, {{"data", {{"a", "c"}}}}).ok());
  ASSERT_TRUE(Delete(ConfigMaps("default", "a")).ok());
  EXPECT_EQ(Drain(*sub, 3), (std::vector<std::string>{"ADDED a", "MODIFIED a", "DELETED a"}));
  EXPECT_FALSE(sub->Next(10ms).has_value());
}

TEST_F(WatchTest, ResumingFromAnOlderResourceVersionReplaysTheHistory) {
  uint64_t start = store_->CurrentResourceVersion();
  MustCreate(ConfigMaps(), ConfigMap("a"));
  json b = MustCreate(ConfigMaps(), ConfigMap("b"));
  MustCreate(Path("", "v1", "secrets", "default"), {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}}});
  auto sub = MustWatch(From(ConfigMaps(), start));
  EXPECT_EQ(Drain(*sub, 2), (std::vector<std::string>{"ADDED a", "ADDED b"}));
  auto later = MustWatch(From(ConfigMaps(), std::stoull(b["metadata"]["resourceVersion"].get<std::string>())));
  EXPECT_FALSE(later->Next(10ms).has_value()) << "nothing after b for configmaps";
}

TEST_F(WatchTest, WatchWithoutAResourceVersionStartsWithTheCurrentState) {
  MustCreate(ConfigMaps(), ConfigMap("a"));
  MustCreate(ConfigMaps(), ConfigMap("b"));
  WatchRequest request;
  request.path = ConfigMaps();
  auto sub = MustWatch(request);
  EXPECT_EQ(Drain(*sub, 2), (std::vector<std::string>{"ADDED a", "ADDED b"}));
  MustCreate(ConfigMaps(), ConfigMap("c"));
  EXPECT_EQ(Drain(*sub, 1), std::vector<std::string>{"ADDED c"});
}

TEST_F(WatchTest, AResourceVersionOutsideTheHistoryWindowIsExpired) {
  options_.watch_history = 3;
  Reopen();
  uint64_t start = store_->CurrentResourceVersion();
  for (int i = 0; i < 5; ++i) MustCreate(ConfigMaps(), ConfigMap("c" + std::to_string(i)));
  auto watched = store_->Watch(From(ConfigMaps(), start));
  ASSERT_FALSE(watched.ok());
  EXPECT_EQ(watched.error().code, 410);
  EXPECT_EQ(watched.error().reason, "Expired");
  EXPECT_EQ(watched.error().message.rfind("too old resource version: " + std::to_string(start) + " (", 0), 0u)
      << watched.error().message;
  EXPECT_FALSE(watched.error().ToStatus().contains("details"));
  // The newest changes are still served.
  auto recent = store_->Watch(From(ConfigMaps(), store_->CurrentResourceVersion() - 2));
  ASSERT_TRUE(recent.ok());
  EXPECT_EQ(Drain(**recent, 2), (std::vector<std::string>{"ADDED c3", "ADDED c4"}));
}

TEST_F(WatchTest, AFutureResourceVersionIsTooLarge) {
  auto watched = store_->Watch(From(ConfigMaps(), store_->CurrentResourceVersion() + 10));
  ASSERT_FALSE(watched.ok());
  EXPECT_EQ(watched.error().code, 504);
}

TEST_F(WatchTest, BookmarksCarryTheLatestResourceVersionWhenAsked) {
  WatchRequest request = From(ConfigMaps(), store_->CurrentResourceVersion());
  request.allow_bookmarks = true;
  auto sub = MustWatch(request);
  MustCreate(Path("", "v1", "secrets", "default"), {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "s"}}}});
  EXPECT_FALSE(sub->Next(10ms).has_value());
  auto bookmark = sub->Bookmark();
  ASSERT_TRUE(bookmark.has_value());
  EXPECT_EQ(bookmark->type, WatchEventType::kBookmark);
  EXPECT_EQ(*bookmark->object, (json{{"kind", "ConfigMap"}, {"apiVersion", "v1"},
                                     {"metadata", {{"resourceVersion", std::to_string(store_->CurrentResourceVersion())}}}}));
  EXPECT_EQ(bookmark->ToJsonLine(),
            "{\"type\":\"BOOKMARK\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{"
            "\"resourceVersion\":\"" + std::to_string(store_->CurrentResourceVersion()) + "\"}}}");
  request.allow_bookmarks = false;
  EXPECT_FALSE(MustWatch(request)->Bookmark().has_value());
}

TEST_F(WatchTest, LeavingOrEnteringALabelSelectionIsDeletedOrAdded) {
  WatchRequest request = From(ConfigMaps(), store_->CurrentResourceVersion());
  request.label_selector = "app=web";
  auto sub = MustWatch(request);
  MustCreate(ConfigMaps(), ConfigMap("a", {{"app", "db"}}));
  ASSERT_TRUE(Patch(ConfigMaps("default", "a"), PatchType::kMergePatch, {{"metadata", {{"labels", {{"app", "web"}}}}}}).ok());
  ASSERT_TRUE(Patch(ConfigMaps("default", "a"), PatchType::kMergePatch, {{"data", {{"x", "y"}}}}).ok());
  ASSERT_TRUE(Patch(ConfigMaps("default", "a"), PatchType::kMergePatch, {{"metadata", {{"labels", {{"app", "db"}}}}}}).ok());
  EXPECT_EQ(Drain(*sub, 3), (std::vector<std::string>{"ADDED a", "MODIFIED a", "DELETED a"}));
}

TEST_F(WatchTest, NamespaceAndFieldSelectorsFilterEvents) {
  MustCreate(Path("", "v1", "namespaces"), {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "other"}}}});
  WatchRequest request = From(ConfigMaps("other"), store_->CurrentResourceVersion());
  request.field_selector = "metadata.name=b";
  auto sub = MustWatch(request);
  MustCreate(ConfigMaps("default"), ConfigMap("b"));
  MustCreate(ConfigMaps("other"), ConfigMap("a"));
  MustCreate(ConfigMaps("other"), ConfigMap("b"));
  EXPECT_EQ(Drain(*sub, 1), std::vector<std::string>{"ADDED b"});
  EXPECT_FALSE(sub->Next(10ms).has_value());
}

TEST_F(WatchTest, CustomResourcesAreWatchedInTheRequestedVersion) {
  InstallGizmos();
  auto sub = MustWatch(From(Gizmos(), store_->CurrentResourceVersion()));
  MustCreate(Gizmos(), Gizmo("g1", 1));
  auto event = sub->Next(2s);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ((*event->object)["apiVersion"], "example.com/v1");
  EXPECT_EQ((*event->object)["spec"]["mode"], "safe");
}

TEST_F(WatchTest, CancelWakesABlockedConsumer) {
  auto sub = MustWatch(From(ConfigMaps(), store_->CurrentResourceVersion()));
  std::thread canceller([&] {
    std::this_thread::sleep_for(20ms);
    sub->Cancel();
  });
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(sub->Next(5s).has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_TRUE(sub->Closed());
  canceller.join();
  MustCreate(ConfigMaps(), ConfigMap("after-cancel"));  // publishing to a cancelled watcher is harmless
}

TEST_F(WatchTest, AWatcherThatFallsTooFarBehindIsClosed) {
  options_.max_watch_queue = 5;
  Reopen();
  auto sub = MustWatch(From(ConfigMaps(), store_->CurrentResourceVersion()));
  for (int i = 0; i < 10; ++i) MustCreate(ConfigMaps(), ConfigMap("c" + std::to_string(i)));
  EXPECT_FALSE(sub->Next(10ms).has_value());
  EXPECT_TRUE(sub->Closed());
}

TEST_F(WatchTest, ManyConcurrentWatchersEachSeeEveryEventInOrder) {
  constexpr int kWatchers = 50;
  constexpr int kWrites = 400;
  const uint64_t start = store_->CurrentResourceVersion();
  std::vector<WatchSubscriptionPtr> subs;
  for (int i = 0; i < kWatchers; ++i) subs.push_back(MustWatch(From(ConfigMaps(), start)));
  std::atomic<int> failures{0};
  std::vector<std::thread> readers;
  for (auto& sub : subs) {
    readers.emplace_back([&, sub] {
      uint64_t last = start;
      for (int n = 0; n < kWrites; ++n) {
        auto event = sub->Next(10s);
        if (!event) {
          ++failures;
          return;
        }
        uint64_t rv = std::stoull((*event->object)["metadata"]["resourceVersion"].get<std::string>());
        if (rv <= last) ++failures;
        last = rv;
      }
    });
  }
  std::thread writer([&] {
    for (int n = 0; n < kWrites; ++n) {
      if (n % 2 == 0) {
        MustCreate(ConfigMaps(), ConfigMap("c" + std::to_string(n)));
      } else {
        auto patched = Patch(ConfigMaps("default", "c" + std::to_string(n - 1)), PatchType::kMergePatch,
                             {{"data", {{"n", std::to_string(n)}}}});
        if (!patched.ok()) ++failures;
      }
    }
  });
  // A concurrent reader of lists must not disturb anything either.
  std::thread lister([&] {
    for (int n = 0; n < 20; ++n)
      if (!List(ConfigMaps()).ok()) ++failures;
  });
  writer.join();
  lister.join();
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace lifeboat::devcluster::testing
