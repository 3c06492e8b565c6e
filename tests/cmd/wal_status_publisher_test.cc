// The streamer's status reaches the operator through its ConfigMap: written when it says something
// new, at least every heartbeat otherwise, and a failing API server costs one log line, not the
// streamer.
#include "operator/cmd/wal_status_publisher.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/fakes/fake_api_client.h"
#include "tests/fakes/fake_clock.h"

namespace lifeboat::cmd {
namespace {

const kube::ResourceRef kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};

class WalStatusPublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(api_.Create(kConfigMaps, "shop", {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                                                  {"metadata", {{"name", "orders-wal-streamer"}, {"namespace", "shop"}}}})
                    .ok());
  }
  nlohmann::json Written() {
    auto object = api_.Get(kConfigMaps, "shop", "orders-wal-streamer");
    EXPECT_TRUE(object.ok());
    if (!object.ok() || !object->contains("data")) return nullptr;
    return nlohmann::json::parse((*object)["data"][kWalStatusKey].get<std::string>());
  }
  agent::WalStreamStatus Status(const std::string& until, const std::string& updated = "2026-12-05T10:00:00Z") {
    agent::WalStreamStatus status;
    status.slot = "lifeboat_shop_orders";
    status.recoverable_until = until;
    status.updated = updated;
    return status;
  }

  testing::FakeApiClient api_;
  testing::FakeClock clock_;
  std::vector<std::string> logged_;
  WalStatusPublisher publisher_{api_, clock_, "shop", "orders-wal-streamer",
                                [this](const std::string& level, const std::string& message) {
                                  logged_.push_back(level + ": " + message);
                                },
                                std::chrono::seconds(30)};
};

TEST_F(WalStatusPublisherTest, WritesTheStatusAsJsonUnderStatusJson) {
  publisher_.Publish(Status("2026-12-05T10:00:00.000001Z"));
  nlohmann::json written = Written();
  ASSERT_TRUE(written.is_object());
  EXPECT_EQ(written["slot"], "lifeboat_shop_orders");
  EXPECT_EQ(written["recoverableUntil"], "2026-12-05T10:00:00.000001Z");
}

TEST_F(WalStatusPublisherTest, AStatusThatOnlyRefreshesItsTimeWaitsForTheHeartbeat) {
  publisher_.Publish(Status("2026-12-05T10:00:00Z"));
  const int patches = api_.Calls("patch");
  clock_.Advance(std::chrono::seconds(10));
  publisher_.Publish(Status("2026-12-05T10:00:00Z", "2026-12-05T10:00:10Z"));
  EXPECT_EQ(api_.Calls("patch"), patches);
  clock_.Advance(std::chrono::seconds(20));
  publisher_.Publish(Status("2026-12-05T10:00:00Z", "2026-12-05T10:00:30Z"));
  EXPECT_EQ(api_.Calls("patch"), patches + 1);
  EXPECT_EQ(Written()["updated"], "2026-12-05T10:00:30Z");
}

TEST_F(WalStatusPublisherTest, NewsIsWrittenAtOnce) {
  publisher_.Publish(Status("2026-12-05T10:00:00Z"));
  clock_.Advance(std::chrono::seconds(1));
  publisher_.Publish(Status("2026-12-05T10:00:01Z"));
  EXPECT_EQ(Written()["recoverableUntil"], "2026-12-05T10:00:01Z");
}

TEST_F(WalStatusPublisherTest, AFailedWriteIsLoggedOnceAndTheNextStatusIsWritten) {
  api_.FailNext("patch", UnavailableError("connection refused"));
  publisher_.Publish(Status("2026-12-05T10:00:00Z"));
  ASSERT_EQ(logged_.size(), 1u);
  EXPECT_NE(logged_[0].find("warn: Writing the streamer's status to ConfigMap shop/orders-wal-streamer: "), std::string::npos);
  EXPECT_NE(logged_[0].find("connection refused"), std::string::npos);
  // Nothing was written: the same status is news still.
  publisher_.Publish(Status("2026-12-05T10:00:00Z"));
  EXPECT_EQ(Written()["recoverableUntil"], "2026-12-05T10:00:00Z");
  ASSERT_EQ(logged_.size(), 2u);
  EXPECT_NE(logged_[1].find("reaches ConfigMap shop/orders-wal-streamer again"), std::string::npos);
}

TEST_F(WalStatusPublisherTest, AMissingConfigMapIsNotCreatedByTheStreamer) {
  // The operator creates it (the streamer may only patch it): a patch of a missing object fails.
  ASSERT_TRUE(api_.Delete(kConfigMaps, "shop", "orders-wal-streamer").ok());
  publisher_.Publish(Status("2026-12-05T10:00:00Z"));
  ASSERT_EQ(logged_.size(), 1u);
  EXPECT_FALSE(api_.Get(kConfigMaps, "shop", "orders-wal-streamer").ok());
}

}  // namespace
}  // namespace lifeboat::cmd
