// Persistence of the devcluster store under <data-dir>/store/ across restarts.
#include "e2e/devcluster/store/store_log.h"

#include <gtest/gtest.h>

#include <fstream>

#include "e2e/devcluster/store/object_store.h"
#include "tests/e2e/devcluster/store/store_test_util.h"

namespace lifeboat::devcluster::testing {
namespace {

class StorePersistenceTest : public StoreFixture {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("store-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    options_.data_dir = dir_;
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_;
};

TEST_F(StorePersistenceTest, ARestartKeepsEveryObjectAndTheCounterContinues) {
  InstallGizmos();
  json g = MustCreate(Gizmos(), Gizmo("g1", 3));
  MustCreate(ConfigMaps(), ConfigMap("a"));
  MustCreate(ConfigMaps(), ConfigMap("gone"));
  ASSERT_TRUE(Delete(ConfigMaps("default", "gone")).ok());
  const uint64_t before = store_->CurrentResourceVersion();
  Reopen();
  EXPECT_EQ(store_->CurrentResourceVersion(), before);
  EXPECT_EQ(MustGet(Gizmos("default", "g1")), g) << "CRDs are served again and objects are intact";
  EXPECT_TRUE(Exists(ConfigMaps("default", "a")));
  EXPECT_FALSE(Exists(ConfigMaps("default", "gone")));
  json next = MustCreate(ConfigMaps(), ConfigMap("b"));
  EXPECT_GT(std::stoull(next["metadata"]["resourceVersion"].get<std::string>()), before);
  EXPECT_EQ(Names(Path("", "v1", "namespaces")).size(), 4u) << "standard namespaces are not created twice";
}

TEST_F(StorePersistenceTest, AWatchFromBeforeARestartIsExpiredButFromNowWorks) {
  const uint64_t old = store_->CurrentResourceVersion();
  MustCreate(ConfigMaps(), ConfigMap("a"));
  Reopen();
  WatchRequest request;
  request.path = ConfigMaps();
  request.resource_version = std::to_string(old);
  auto watched = store_->Watch(request);
  ASSERT_FALSE(watched.ok());
  EXPECT_EQ(watched.error().code, 410);
  request.resource_version = std::to_string(store_->CurrentResourceVersion());
  EXPECT_TRUE(store_->Watch(request).ok());
}

TEST_F(StorePersistenceTest, CompactionKeepsEverything) {
  options_.compact_after_records = 5;
  Reopen();
  for (int i = 0; i < 23; ++i) MustCreate(ConfigMaps(), ConfigMap("c" + std::to_string(i)));
  ASSERT_TRUE(Delete(ConfigMaps("default", "c3")).ok());
  const uint64_t before = store_->CurrentResourceVersion();
  EXPECT_TRUE(std::filesystem::exists(dir_ / "store" / "snapshot.jsonl"));
  Reopen();
  EXPECT_EQ(store_->CurrentResourceVersion(), before);
  EXPECT_EQ(Names(ConfigMaps()).size(), 22u);
  EXPECT_FALSE(Exists(ConfigMaps("default", "c3")));
}

TEST_F(StorePersistenceTest, ATornFinalLogLineIsIgnored) {
  MustCreate(ConfigMaps(), ConfigMap("a"));
  const uint64_t before = store_->CurrentResourceVersion();
  store_.reset();
  {
    std::ofstream out(dir_ / "store" / "wal.jsonl", std::ios::app);
    out << R"({"rv":99999,"k":"/configmaps","op":"put","o":{"metadata":{"na)";
  }
  Reopen();
  EXPECT_EQ(store_->CurrentResourceVersion(), before);
  EXPECT_TRUE(Exists(ConfigMaps("default", "a")));
  MustCreate(ConfigMaps(), ConfigMap("b"));
  Reopen();
  EXPECT_TRUE(Exists(ConfigMaps("default", "b"))) << "appends after a torn line start on a fresh line";
}

TEST_F(StorePersistenceTest, ACorruptRecordInTheMiddleOfTheLogIsAnError) {
  MustCreate(ConfigMaps(), ConfigMap("a"));
  store_.reset();
  std::string content;
  {
    std::ifstream in(dir_ / "store" / "wal.jsonl");
    content.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  {
    std::ofstream out(dir_ / "store" / "wal.jsonl");
    out << "{not json}\n" << content;
  }
  auto opened = ObjectStore::Open(options_, clock_);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.status().message().find("corrupt store log"), std::string::npos);
}

}  // namespace
}  // namespace lifeboat::devcluster::testing
