#include "operator/runtime/manager.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "operator/core/time_format.h"
#include "tests/fakes/fake_api_client.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/http_get.h"

namespace lifeboat::runtime {
namespace {

using namespace std::chrono_literals;
using testing::FakeApiClient;

const kube::ResourceRef kGizmos{"example.com", "v1", "gizmos", "Gizmo", true};
const kube::ResourceRef kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
const kube::ResourceRef kWidgets{"example.com", "v1", "widgets", "Widget", true};

// A controller for the tests: records reconciled keys, can fail a key a number of times, and marks
// each reconciled Gizmo with an annotation carrying its spec.value.
class RecordingController final : public Controller {
 public:
  std::string Name() const override { return "gizmo"; }
  kube::ResourceRef Primary() const override { return kGizmos; }
  std::vector<kube::ResourceRef> Owns() const override { return {kConfigMaps}; }
  // A Widget names the Gizmo it concerns in spec.gizmo.
  std::vector<Watch> Watches() const override {
    return {{kWidgets, [](const nlohmann::json& widget) {
               std::vector<kube::ObjectKey> keys;
               const std::string gizmo = widget.value("spec", nlohmann::json::object()).value("gizmo", "");
               if (!gizmo.empty()) keys.push_back({kube::ObjectNamespace(widget), gizmo});
               return keys;
             }}};
  }

  StatusOr<ReconcileResult> Reconcile(const ReconcileRequest& request, ControllerContext& context) override {
    {
      std::lock_guard lock(mutex_);
      if (in_flight_.count(request.key.ToString()) > 0) overlap_ = true;
      in_flight_.insert(request.key.ToString());
      reconciled_.push_back(request.key.ToString());
      ids_.insert(request.reconcile_id);
    }
    std::this_thread::sleep_for(1ms);
    std::lock_guard lock(mutex_);
    in_flight_.erase(request.key.ToString());
    if (failures_left_[request.key.ToString()] > 0) {
      --failures_left_[request.key.ToString()];
      return UnavailableError("injected failure");
    }
    auto cached = context.Cache(kGizmos)->Get(request.key);
    if (cached) {
      auto uid = kube::ObjectUid(*cached);
      children_seen_[request.key.ToString()] = context.Cache(kConfigMaps)->ListByOwner(uid).size();
    }
    return ReconcileResult::Done();
  }

  void FailTimes(const std::string& key, int times) {
    std::lock_guard lock(mutex_);
    failures_left_[key] = times;
  }
  int Count(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count(reconciled_.begin(), reconciled_.end(), key));
  }
  size_t Total() const {
    std::lock_guard lock(mutex_);
    return reconciled_.size();
  }
  size_t Children(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = children_seen_.find(key);
    return it == children_seen_.end() ? 0 : it->second;
  }
  bool overlap() const {
    std::lock_guard lock(mutex_);
    return overlap_;
  }
  size_t UniqueIds() const {
    std::lock_guard lock(mutex_);
    return ids_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> reconciled_;
  std::set<std::string> in_flight_;
  std::set<std::string> ids_;
  std::map<std::string, int> failures_left_;
  std::map<std::string, size_t> children_seen_;
  bool overlap_ = false;
};

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

ManagerOptions TestOptions(bool leader_election) {
  ManagerOptions options;
  options.health_address = "127.0.0.1:0";
  options.workers = 3;
  options.leader_election = leader_election;
  options.election.identity = "test-operator";
  options.election.lease_duration = 3s;
  options.election.renew_deadline = 2s;
  options.election.retry_period = 1s;
  options.lease_namespace = "lifeboat-system";
  options.informer.initial_backoff = 5ms;
  return options;
}

nlohmann::json Gizmo(const std::string& name) {
  return {{"apiVersion", "example.com/v1"}, {"kind", "Gizmo"}, {"metadata", {{"name", name}}}, {"spec", {{"value", 1}}}};
}

struct ManagerHarness {
  FakeApiClient client;
  RuntimeMetrics metrics;
  RecordingController* controller = nullptr;
  std::unique_ptr<Manager> manager;

  explicit ManagerHarness(bool leader_election) {
    manager = std::make_unique<Manager>(client, SystemClock::Instance(), metrics, TestOptions(leader_election));
    auto owned = std::make_unique<RecordingController>();
    controller = owned.get();
    manager->Add(std::move(owned));
  }
};

TEST(ManagerTest, ReconcilesEveryObjectAfterTheCacheSyncsAndEveryChangeAfterwards) {
  ManagerHarness h(false);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(h.client.Create(kGizmos, "ns", Gizmo("g" + std::to_string(i))).ok());
  ASSERT_TRUE(h.manager->Start().ok());
  ASSERT_TRUE(Eventually([&] { return h.controller->Total() >= 20; }));
  for (int i = 0; i < 20; ++i) EXPECT_GE(h.controller->Count("ns/g" + std::to_string(i)), 1);
  ASSERT_TRUE(h.client.Patch(kGizmos, "ns", "g3", kube::PatchType::kMerge, {{"spec", {{"value", 2}}}}).ok());
  EXPECT_TRUE(Eventually([&] { return h.controller->Count("ns/g3") >= 2; }));
  EXPECT_FALSE(h.controller->overlap());
  EXPECT_EQ(h.controller->UniqueIds(), h.controller->Total()) << "every reconcile has its own id";
  h.manager->Shutdown();
}

TEST(ManagerTest, AChangeToAnOwnedChildReconcilesItsOwner) {
  ManagerHarness h(false);
  auto owner = h.client.Create(kGizmos, "ns", Gizmo("parent"));
  ASSERT_TRUE(owner.ok());
  ASSERT_TRUE(h.manager->Start().ok());
  ASSERT_TRUE(Eventually([&] { return h.controller->Count("ns/parent") >= 1; }));
  int before = h.controller->Count("ns/parent");
  nlohmann::json child = {{"metadata",
                           {{"name", "parent-child"},
                            {"ownerReferences",
                             {{{"apiVersion", "example.com/v1"}, {"kind", "Gizmo"}, {"name", "parent"},
                               {"uid", kube::ObjectUid(*owner)}, {"controller", true}}}}}}};
  ASSERT_TRUE(h.client.Create(kConfigMaps, "ns", child).ok());
  EXPECT_TRUE(Eventually([&] { return h.controller->Count("ns/parent") > before && h.controller->Children("ns/parent") == 1; }));
  // A child owned by some other kind does not enqueue a Gizmo.
  nlohmann::json foreign = {{"metadata",
                             {{"name", "foreign"},
                              {"ownerReferences", {{{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", "x"},
                                                    {"uid", "u"}}}}}}};
  ASSERT_TRUE(h.client.Create(kConfigMaps, "ns", foreign).ok());
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(h.controller->Count("ns/x"), 0);
  h.manager->Shutdown();
}

TEST(ManagerTest, AChangeToAWatchedObjectReconcilesTheKeysItMapsToBeforeAndAfter) {
  ManagerHarness h(false);
  ASSERT_TRUE(h.client.Create(kGizmos, "ns", Gizmo("a")).ok());
  ASSERT_TRUE(h.client.Create(kGizmos, "ns", Gizmo("b")).ok());
  ASSERT_TRUE(h.manager->Start().ok());
  ASSERT_TRUE(Eventually([&] { return h.controller->Count("ns/a") >= 1 && h.controller->Count("ns/b") >= 1; }));
  const int a = h.controller->Count("ns/a"), b = h.controller->Count("ns/b");
  nlohmann::json widget = {{"metadata", {{"name", "w"}, {"namespace", "ns"}}}, {"spec", {{"gizmo", "a"}}}};
  ASSERT_TRUE(h.client.Create(kWidgets, "ns", widget).ok());
  ASSERT_TRUE(Eventually([&] { return h.controller->Count("ns/a") > a; }));
  ASSERT_TRUE(h.client.Patch(kWidgets, "ns", "w", kube::PatchType::kMerge, {{"spec", {{"gizmo", "b"}}}}).ok());
  // Moving the widget concerns both: the Gizmo it left and the one it now names.
  EXPECT_TRUE(Eventually([&] { return h.controller->Count("ns/b") > b && h.controller->Count("ns/a") > a + 1; }));
  EXPECT_EQ(h.controller->Count("ns/w"), 0);
  h.manager->Shutdown();
}

TEST(ManagerTest, FailedReconcilesAreRetriedWithBackoffUntilTheySucceed) {
  ManagerHarness h(false);
  ASSERT_TRUE(h.client.Create(kGizmos, "ns", Gizmo("flaky")).ok());
  h.controller->FailTimes("ns/flaky", 3);
  ASSERT_TRUE(h.manager->Start().ok());
  EXPECT_TRUE(Eventually([&] { return h.controller->Count("ns/flaky") >= 4; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(h.controller->Count("ns/flaky"), 4) << "no retries after success";
  std::string metrics = h.metrics.Serialize();
  EXPECT_NE(metrics.find("lifeboat_reconcile_errors_total{controller=\"gizmo\"} 3"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("lifeboat_workqueue_retries_total{name=\"gizmo\"} 3"), std::string::npos);
  h.manager->Shutdown();
}

TEST(ManagerTest, ServesHealthReadinessAndMetrics) {
  ManagerHarness h(false);
  ASSERT_TRUE(h.client.Create(kGizmos, "ns", Gizmo("g")).ok());
  ASSERT_TRUE(h.manager->Start().ok());
  int port = h.manager->health_port();
  EXPECT_EQ(testing::HttpGet(port, "/healthz").first, 200);
  ASSERT_TRUE(Eventually([&] { return testing::HttpGet(port, "/readyz").first == 200; }));
  ASSERT_TRUE(Eventually([&] { return h.controller->Count("ns/g") >= 1; }));
  std::pair<int, std::string> answer;
  ASSERT_TRUE(Eventually([&] {
    answer = testing::HttpGet(port, "/metrics");
    return answer.second.find("lifeboat_reconcile_total{") != std::string::npos;
  }));
  auto [code, body] = answer;
  EXPECT_EQ(code, 200);
  for (const char* name : {"lifeboat_reconcile_total", "lifeboat_reconcile_duration_seconds_bucket",
                           "lifeboat_workqueue_depth", "lifeboat_workqueue_adds_total",
                           "lifeboat_workqueue_queue_duration_seconds", "lifeboat_leader_is_leader 1",
                           "lifeboat_cache_objects{resource=\"gizmos.example.com\"} 1"}) {
    EXPECT_NE(body.find(name), std::string::npos) << name;
  }
  h.manager->Shutdown();
  EXPECT_EQ(testing::HttpGet(port, "/healthz").first, 0);
}

TEST(ManagerTest, RunsNoWorkersWhileAnotherProcessHoldsTheLeaseAndTakesOverWhenReleased) {
  ManagerHarness h(true);
  ASSERT_TRUE(h.client.Create(kGizmos, "ns", Gizmo("g")).ok());
  kube::LeaseRecord other{"other-process", 3, SystemClock::Instance().Now(), SystemClock::Instance().Now(), 0};
  ASSERT_TRUE(h.client.Create(kube::LeaseResource(), "lifeboat-system",
                              kube::LeaseToJson("lifeboat-system", "lifeboat-operator", "", other)).ok());
  ASSERT_TRUE(h.manager->Start().ok());
  ASSERT_TRUE(Eventually([&] { return testing::HttpGet(h.manager->health_port(), "/readyz").first == 200; }));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(h.controller->Total(), 0u) << "a follower must not reconcile";
  EXPECT_FALSE(h.manager->Leading());
  // The other process shuts down cleanly and releases the lease.
  auto lease = h.client.Get(kube::LeaseResource(), "lifeboat-system", "lifeboat-operator");
  ASSERT_TRUE(lease.ok());
  auto released = kube::LeaseToJson("lifeboat-system", "lifeboat-operator", kube::ObjectResourceVersion(*lease),
                                    kube::ReleasedRecord(other, SystemClock::Instance().Now()));
  ASSERT_TRUE(h.client.Update(kube::LeaseResource(), "lifeboat-system", released).ok());
  EXPECT_TRUE(Eventually([&] { return h.manager->Leading(); }, 5s));
  EXPECT_TRUE(Eventually([&] { return h.controller->Count("ns/g") >= 1; }));
  // A clean shutdown releases the lease for the next replica.
  h.manager->Shutdown();
  lease = h.client.Get(kube::LeaseResource(), "lifeboat-system", "lifeboat-operator");
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], "");
  EXPECT_EQ((*lease)["spec"]["leaseTransitions"], 1);
}

TEST(ManagerTest, LosingTheLeaseEndsWaitWithAborted) {
  ManagerHarness h(true);
  ASSERT_TRUE(h.manager->Start().ok());
  ASSERT_TRUE(Eventually([&] { return h.manager->Leading(); }, 5s));
  // Another process overwrites the lease (as after a long network partition).
  auto lease = h.client.Get(kube::LeaseResource(), "lifeboat-system", "lifeboat-operator");
  ASSERT_TRUE(lease.ok());
  kube::LeaseRecord thief{"thief", 3, SystemClock::Instance().Now(), SystemClock::Instance().Now(), 5};
  ASSERT_TRUE(h.client.Update(kube::LeaseResource(), "lifeboat-system",
                              kube::LeaseToJson("lifeboat-system", "lifeboat-operator",
                                                kube::ObjectResourceVersion(*lease), thief)).ok());
  Status waited = h.manager->Wait();
  EXPECT_EQ(waited.code(), StatusCode::kAborted);
  EXPECT_NE(waited.message().find("thief"), std::string::npos);
  EXPECT_FALSE(h.manager->Leading());
  h.manager->Shutdown();
  lease = h.client.Get(kube::LeaseResource(), "lifeboat-system", "lifeboat-operator");
  EXPECT_EQ((*lease)["spec"]["holderIdentity"], "thief") << "a process that lost the lease must not release it";
}

TEST(ManagerTest, WithoutControllersItStillServesAndLeads) {
  FakeApiClient client;
  RuntimeMetrics metrics;
  Manager manager(client, SystemClock::Instance(), metrics, TestOptions(true));
  ASSERT_TRUE(manager.Start().ok());
  EXPECT_TRUE(Eventually([&] { return manager.Leading(); }));
  EXPECT_EQ(testing::HttpGet(manager.health_port(), "/readyz").first, 200);
  EXPECT_NE(testing::HttpGet(manager.health_port(), "/metrics").second.find("lifeboat_leader_is_leader 1"),
            std::string::npos);
  manager.RequestStop();
  EXPECT_TRUE(manager.Wait().ok());
  manager.Shutdown();
}

TEST(ManagerTest, ShutdownIsPromptWithIdleWatches) {
  ManagerHarness h(true);
  ASSERT_TRUE(h.manager->Start().ok());
  ASSERT_TRUE(Eventually([&] { return h.manager->Leading(); }));
  auto start = std::chrono::steady_clock::now();
  h.manager->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(ManagerTest, ResyncReconcilesUnchangedObjectsAgainEveryPeriodOfTheInjectedClock) {
  FakeApiClient client;
  RuntimeMetrics metrics;
  lifeboat::testing::FakeClock clock;
  ManagerOptions options = TestOptions(false);
  options.resync_period = 1h;  // Only the injected clock can make an hour pass in this test.
  Manager manager(client, clock, metrics, options);
  auto owned = std::make_unique<RecordingController>();
  RecordingController* controller = owned.get();
  manager.Add(std::move(owned));
  ASSERT_TRUE(client.Create(kGizmos, "ns", Gizmo("quiet")).ok());
  ASSERT_TRUE(manager.Start().ok());
  ASSERT_TRUE(Eventually([&] { return controller->Count("ns/quiet") == 1; }));
  EXPECT_FALSE(Eventually([&] { return controller->Count("ns/quiet") >= 2; }, 1500ms)) << "resynced before the period";
  clock.Advance(1h);
  EXPECT_TRUE(Eventually([&] { return controller->Count("ns/quiet") >= 2; }, 3s)) << "no resync after the period";
  manager.Shutdown();
}

TEST(GroupOfApiVersionTest, SplitsGroupFromVersion) {
  EXPECT_EQ(GroupOfApiVersion("lifeboat.dev/v1alpha1"), "lifeboat.dev");
  EXPECT_EQ(GroupOfApiVersion("v1"), "");
}

}  // namespace
}  // namespace lifeboat::runtime
