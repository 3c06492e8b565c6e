// Component tests: JobRunner against an in-memory ObjectStore, running real (sandboxed) processes.
// They poll the store for the outcome of real processes (no timers are waited for).
#include "e2e/devcluster/jobs/job_runner.h"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/job-runner-test-XXXXXX";
    data_dir_ = mkdtemp(pattern);
    ObjectStoreOptions store_options;  // in memory
    auto store = ObjectStore::Open(store_options, SystemClock::Instance());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto options = JobRunnerOptions::FromEnvironment(data_dir_);
    ASSERT_TRUE(options.ok()) << options.status();
    options->job_options.pod_failure_backoff_base = milliseconds(0);
    options->kubelet_options.step_options.restart_backoff_base = milliseconds(100);
    runner_ = std::make_unique<JobRunner>(*store_, *options, SystemClock::Instance());
    runner_->Start();
  }
  void TearDown() override {
    runner_.reset();
    store_.reset();
    std::filesystem::remove_all(data_dir_);
  }

  json Create(const std::string& group, const std::string& resource, const json& body) {
    CreateRequest request;
    request.path.group = group;
    request.path.version = "v1";
    request.path.resource = resource;
    request.path.namespace_name = "default";
    request.body = body;
    auto result = store_->Create(request);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    return result.ok() ? result->object : json();
  }
  std::optional<json> Get(const std::string& group, const std::string& resource, const std::string& name) {
    GetRequest request;
    request.path.group = group;
    request.path.version = "v1";
    request.path.resource = resource;
    request.path.namespace_name = "default";
    request.path.name = name;
    auto result = store_->Get(request);
    if (!result.ok()) return std::nullopt;
    return *result;
  }
  std::vector<json> List(const std::string& group, const std::string& resource, const std::string& selector = "") {
    ListRequest request;
    request.path.group = group;
    request.path.version = "v1";
    request.path.resource = resource;
    request.path.namespace_name = "default";
    request.label_selector = selector;
    auto result = store_->List(request);
    EXPECT_TRUE(result.ok());
    return result.ok() ? result->list["items"].get<std::vector<json>>() : std::vector<json>{};
  }
  // Polls until `predicate` holds (real processes take their time) or 30 s passed.
  template <typename Predicate>
  bool Eventually(Predicate predicate) {
    for (int i = 0; i < 600; ++i) {
      if (predicate()) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  }
  static json JobOf(const std::string& name, const std::string& script, json extra_spec = json::object(),
                    json pod_extra = json::object(), json container_extra = json::object()) {
    json container = {{"name", "main"}, {"image", "debian"}, {"command", {"sh", "-c", script}}};
    container.update(container_extra);
    json pod_spec = {{"restartPolicy", "Never"}, {"containers", json::array({container})}};
    pod_spec.update(pod_extra);
    json job = {{"apiVersion", "batch/v1"},
                {"kind", "Job"},
                {"metadata", {{"name", name}, {"namespace", "default"}}},
                {"spec", {{"backoffLimit", 0}, {"template", {{"spec", pod_spec}}}}}};
    job["spec"].update(extra_spec);
    return job;
  }
  bool HasCondition(const std::string& job, const std::string& type) {
    auto object = Get("batch", "jobs", job);
    if (!object) return false;
    for (const json& c : object->value("status", json::object()).value("conditions", json::array())) {
      if (c["type"] == type && c["status"] == "True") return true;
    }
    return false;
  }
  std::string ReadFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  std::filesystem::path data_dir_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<JobRunner> runner_;
};

TEST_F(JobRunnerTest, JobCompletesWithPodStatusLogsTerminationMessageAndEvents) {
  Create("batch", "jobs", JobOf("ok-job", "echo hello from $HOSTNAME; printf '{\"result\":\"ok\"}' > /dev/termination-log"));
  ASSERT_TRUE(Eventually([&] { return HasCondition("ok-job", "Complete"); }));
  ASSERT_TRUE(Eventually([&] { return Get("batch", "jobs", "ok-job")->at("status").value("succeeded", 0) == 1; }));
  json job = *Get("batch", "jobs", "ok-job");
  EXPECT_TRUE(job["status"].contains("startTime"));
  EXPECT_TRUE(job["status"].contains("completionTime"));
  EXPECT_EQ(job["status"]["uncountedTerminatedPods"], json::object());
  std::vector<json> pods = List("", "pods", "job-name=ok-job");
  ASSERT_EQ(pods.size(), 1u);
  const json& pod = pods[0];
  const std::string pod_name = pod["metadata"]["name"];
  EXPECT_EQ(pod_name.size(), std::string("ok-job-").size() + 5);
  EXPECT_EQ(pod["metadata"]["labels"]["controller-uid"], job["metadata"]["uid"]);
  EXPECT_FALSE(pod["metadata"].contains("finalizers") && !pod["metadata"]["finalizers"].empty());
  EXPECT_EQ(pod["status"]["phase"], "Succeeded");
  const json& terminated = pod["status"]["containerStatuses"][0]["state"]["terminated"];
  EXPECT_EQ(terminated["exitCode"], 0);
  EXPECT_EQ(terminated["reason"], "Completed");
  EXPECT_EQ(terminated["message"], "{\"result\":\"ok\"}");
  EXPECT_EQ(ReadFile(data_dir_ / "logs" / "default" / pod_name / "main.log"), "hello from " + pod_name + "\n");
  std::set<std::string> reasons;
  for (const json& event : List("", "events")) reasons.insert(event.value("reason", ""));
  for (const char* reason : {"SuccessfulCreate", "Completed", "Scheduled", "Started"}) {
    EXPECT_TRUE(reasons.count(reason)) << reason;
  }
}

TEST_F(JobRunnerTest, FailingJobIsRetriedUntilTheBackoffLimit) {
  Create("batch", "jobs", JobOf("bad-job", "echo failing >&2; exit 2", {{"backoffLimit", 1}}));
  ASSERT_TRUE(Eventually([&] { return HasCondition("bad-job", "Failed"); }));
  ASSERT_TRUE(Eventually([&] { return Get("batch", "jobs", "bad-job")->at("status").value("failed", 0) == 2; }));
  json job = *Get("batch", "jobs", "bad-job");
  for (const json& c : job["status"]["conditions"]) {
    if (c["type"] == "Failed") {
      EXPECT_EQ(c["reason"], "BackoffLimitExceeded");
    }
  }
  std::vector<json> pods = List("", "pods", "job-name=bad-job");
  ASSERT_EQ(pods.size(), 2u);
  for (const json& pod : pods) {
    EXPECT_EQ(pod["status"]["phase"], "Failed");
    EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"], 2);
    EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["terminated"]["reason"], "Error");
  }
}

TEST_F(JobRunnerTest, MissingSecretKeyKeepsTheContainerWaitingWithCreateContainerConfigError) {
  Create("", "secrets", {{"metadata", {{"name", "db"}}}, {"data", {{"user", "YWRtaW4="}}}});
  json env = json::array({{{"name", "PW"}, {"valueFrom", {{"secretKeyRef", {{"name", "db"}, {"key", "password"}}}}}}});
  Create("batch", "jobs", JobOf("secret-job", "echo $PW", json::object(), json::object(), {{"env", env}}));
  json waiting;
  ASSERT_TRUE(Eventually([&] {
    auto pods = List("", "pods", "job-name=secret-job");
    if (pods.empty()) return false;
    waiting = pods[0]["status"].value("containerStatuses", json::array({json::object()}))[0].value("state", json::object()).value("waiting", json::object());
    return waiting.value("reason", "") == "CreateContainerConfigError";
  }));
  EXPECT_EQ(waiting["message"], "couldn't find key password in Secret default/db");
}

TEST_F(JobRunnerTest, PvcVolumeIsSharedBetweenJobsAndEnvComesFromSecretsAndFields) {
  Create("", "persistentvolumeclaims",
         {{"metadata", {{"name", "backups"}}},
          {"spec", {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}});
  Create("", "secrets", {{"metadata", {{"name", "db"}}}, {"data", {{"password", "czNjcjN0"}}}});
  json volumes = json::array({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "backups"}}}}});
  json mounts = json::array({{{"name", "data"}, {"mountPath", "/backups"}}});
  json env = json::array({{{"name", "PW"}, {"valueFrom", {{"secretKeyRef", {{"name", "db"}, {"key", "password"}}}}}},
                          {{"name", "NS"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.namespace"}}}}}}});
  Create("batch", "jobs", JobOf("writer", "echo $PW-$NS > /backups/out.txt", json::object(), {{"volumes", volumes}},
                                {{"volumeMounts", mounts}, {"env", env}}));
  ASSERT_TRUE(Eventually([&] { return HasCondition("writer", "Complete"); }));
  EXPECT_EQ(ReadFile(data_dir_ / "volumes" / "default" / "backups" / "out.txt"), "s3cr3t-default\n");
  json read_only_mounts = json::array({{{"name", "data"}, {"mountPath", "/backups"}, {"readOnly", true}}});
  Create("batch", "jobs", JobOf("reader", "cat /backups/out.txt; ! touch /backups/other", json::object(),
                                {{"volumes", volumes}}, {{"volumeMounts", read_only_mounts}}));
  ASSERT_TRUE(Eventually([&] { return HasCondition("reader", "Complete"); }));
  EXPECT_FALSE(std::filesystem::exists(data_dir_ / "volumes" / "default" / "backups" / "other"));
}

TEST_F(JobRunnerTest, MissingClaimKeepsThePodPendingUnschedulable) {
  json volumes = json::array({{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "nope"}}}}});
  Create("batch", "jobs", JobOf("unscheduled", "true", json::object(), {{"volumes", volumes}}));
  ASSERT_TRUE(Eventually([&] {
    auto pods = List("", "pods", "job-name=unscheduled");
    if (pods.empty()) return false;
    for (const json& c : pods[0]["status"].value("conditions", json::array())) {
      if (c["type"] == "PodScheduled" && c["status"] == "False") return c["reason"] == "Unschedulable";
    }
    return false;
  }));
}

TEST_F(JobRunnerTest, DeletingARunningJobStopsItsProcess) {
  const std::filesystem::path pid_file = data_dir_ / "volumes" / "default" / "work" / "pid";
  Create("", "persistentvolumeclaims",
         {{"metadata", {{"name", "work"}}},
          {"spec", {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}});
  json volumes = json::array({{{"name", "w"}, {"persistentVolumeClaim", {{"claimName", "work"}}}}});
  json mounts = json::array({{{"name", "w"}, {"mountPath", "/work"}}});
  Create("batch", "jobs", JobOf("sleeper", "sleep 300 & echo $! > /work/pid.tmp; mv /work/pid.tmp /work/pid; wait",
                                json::object(), {{"volumes", volumes}}, {{"volumeMounts", mounts}}));
  ASSERT_TRUE(Eventually([&] { return std::filesystem::exists(pid_file); }));
  // The pid written inside the sandbox's PID namespace is not the host's: find the host sleep by
  // its mount namespace-independent identity (a "sleep 300" child of this test's processes).
  auto sleepers = [] {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      const std::string name = entry.path().filename();
      if (name.find_first_not_of("0123456789") != std::string::npos) continue;
      std::ifstream cmdline(entry.path() / "cmdline");
      std::string command((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
      if (command == std::string("sleep\0" "300\0", 10)) {
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        std::getline(stat, line);
        if (line.find(") Z") == std::string::npos) ++count;
      }
    }
    return count;
  };
  const int before = sleepers();
  ASSERT_GE(before, 1);
  DeleteRequest request;
  request.path.group = "batch";
  request.path.version = "v1";
  request.path.resource = "jobs";
  request.path.namespace_name = "default";
  request.path.name = "sleeper";
  request.options.propagation_policy = "Background";
  ASSERT_TRUE(store_->Delete(request).ok());
  EXPECT_TRUE(Eventually([&] { return sleepers() == before - 1; }));
  EXPECT_TRUE(Eventually([&] { return List("", "pods", "job-name=sleeper").empty(); }));
}

TEST_F(JobRunnerTest, StopKillsEveryProcessItStarted) {
  Create("batch", "jobs", JobOf("forever", "echo started; exec sleep 301"));
  ASSERT_TRUE(Eventually([&] {
    auto pods = List("", "pods", "job-name=forever");
    return !pods.empty() && pods[0]["status"].value("phase", "") == "Running";
  }));
  auto count = [] {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
      std::ifstream cmdline(entry.path() / "cmdline");
      std::string command((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
      if (command == std::string("sleep\0" "301\0", 10)) ++n;
    }
    return n;
  };
  ASSERT_TRUE(Eventually([&] { return count() == 1; }));
  runner_->Stop();
  EXPECT_EQ(count(), 0);
}

}  // namespace
}  // namespace lifeboat::devcluster
