// Component tests: JobRunner against an in-memory ObjectStore, running real (sandboxed) processes.
// They poll the store for the outcome of real processes (no timers are waited for).
#include "e2e/devcluster/jobs/job_runner.h"

#include <signal.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/e2e/devcluster/jobs/fake_user_database.h"

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
    // Images that state a user (their Dockerfile USER), and the accounts their /etc/passwd has.
    options->kubelet_options.image_paths = {{"example.com/nonroot", {{}, "65532:65532"}},
                                            {"example.com/named", {{}, "lifeboat"}},
                                            {"example.com/unlisted", {{}, "4242:4243"}}};
    auto users = std::make_shared<FakeUserDatabase>();
    users->AddUser({0, 0, "root", "/root"}).AddUser({65532, 65532, "lifeboat", "/home/lifeboat"});
    options->kubelet_options.user_database = users;
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
  // The first container's waiting state of the job's first pod, once its reason is `reason`.
  std::optional<json> WaitingWith(const std::string& job, const std::string& reason) {
    json waiting;
    const bool found = Eventually([&] {
      auto pods = List("", "pods", "job-name=" + job);
      if (pods.empty()) return false;
      waiting = pods[0]["status"].value("containerStatuses", json::array({json::object()}))[0].value("state", json::object()).value("waiting", json::object());
      return waiting.value("reason", "") == reason;
    });
    if (!found) return std::nullopt;
    return waiting;
  }
  std::string PodLog(const std::string& job) {
    auto pods = List("", "pods", "job-name=" + job);
    if (pods.empty()) return "";
    return ReadFile(data_dir_ / "logs" / "default" / pods[0]["metadata"]["name"].get<std::string>() / "main.log");
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

TEST_F(JobRunnerTest, ContainerRunsAsTheImagesUserUnlessTheSecurityContextSaysOtherwise) {
  const std::string script = "echo $(id -u):$(id -g) $HOME";
  Create("batch", "jobs", JobOf("image-user", script, json::object(), json::object(), {{"image", "example.com/nonroot:v1"}}));
  Create("batch", "jobs", JobOf("named-user", script, json::object(), json::object(), {{"image", "example.com/named"}}));
  Create("batch", "jobs", JobOf("overridden", script, json::object(), json::object(),
                                {{"image", "example.com/nonroot:v1"}, {"securityContext", {{"runAsUser", 1000}}}}));
  Create("batch", "jobs", JobOf("plain", script));
  for (const char* job : {"image-user", "named-user", "overridden", "plain"}) {
    ASSERT_TRUE(Eventually([&] { return HasCondition(job, "Complete"); })) << job;
  }
  EXPECT_EQ(PodLog("image-user"), "65532:65532 /home/lifeboat\n");
  EXPECT_EQ(PodLog("named-user"), "65532:65532 /home/lifeboat\n");
  EXPECT_EQ(PodLog("overridden"), "1000:0 /\n") << "runAsUser replaces the image's user and its group";
  EXPECT_EQ(PodLog("plain"), "0:0 /root\n") << "an image without a user runs as root";
}

TEST_F(JobRunnerTest, TheImagesUserHasAnAccountAsInTheImagesPasswdFile) {
  // The host has no account 4242; the image's /etc/passwd (its Dockerfile's useradd) would.
  Create("batch", "jobs", JobOf("unlisted", "id -un; getent group 4243 | cut -d: -f3", json::object(), json::object(),
                                {{"image", "example.com/unlisted"}}));
  Create("batch", "jobs", JobOf("other-user", "getent passwd 4244 || echo none", json::object(), json::object(),
                                {{"image", "example.com/unlisted"}, {"securityContext", {{"runAsUser", 4244}}}}));
  for (const char* job : {"unlisted", "other-user"}) ASSERT_TRUE(Eventually([&] { return HasCondition(job, "Complete"); })) << job;
  EXPECT_EQ(PodLog("unlisted"), "image-user\n4243\n");
  EXPECT_EQ(PodLog("other-user"), "none\n") << "only the image's own user has an account";
}

TEST_F(JobRunnerTest, RunAsNonRootKeepsARootContainerWaitingWithTheKubeletsMessage) {
  Create("batch", "jobs", JobOf("as-root", "true", json::object(), {{"securityContext", {{"runAsNonRoot", true}}}}));
  Create("batch", "jobs", JobOf("as-image-user", "id -u", json::object(), {{"securityContext", {{"runAsNonRoot", true}}}},
                                {{"image", "example.com/nonroot:v1"}}));
  std::optional<json> waiting = WaitingWith("as-root", "CreateContainerConfigError");
  ASSERT_TRUE(waiting);
  const json pod = List("", "pods", "job-name=as-root")[0];
  const std::string message = "container has runAsNonRoot and image will run as root (pod: \"" +
                              pod["metadata"]["name"].get<std::string>() + "_default(" +
                              pod["metadata"]["uid"].get<std::string>() + ")\", container: main)";
  EXPECT_EQ((*waiting)["message"], message);
  EXPECT_EQ(pod["status"]["phase"], "Pending");
  bool event = false;
  for (const json& e : List("", "events")) {
    event = event || (e.value("reason", "") == "Failed" && e.value("type", "") == "Warning" &&
                      e.value("message", "") == "Error: " + message);
  }
  EXPECT_TRUE(event) << "a Warning Failed event with the message";
  ASSERT_TRUE(Eventually([&] { return HasCondition("as-image-user", "Complete"); }));
  EXPECT_EQ(PodLog("as-image-user"), "65532\n");
}

TEST_F(JobRunnerTest, FsGroupOpensEverythingInAClaimToTheGroup) {
  Create("", "persistentvolumeclaims",
         {{"metadata", {{"name", "dumps"}}},
          {"spec", {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", "1Gi"}}}}}}}});
  const std::filesystem::path claim = data_dir_ / "volumes" / "default" / "dumps";
  std::filesystem::create_directories(claim / "2026");
  ::chmod((claim / "2026").c_str(), 0700);
  std::ofstream(claim / "2026" / "base.dump") << "old\n";
  ::chmod((claim / "2026" / "base.dump").c_str(), 0600);
  json volumes = json::array({{{"name", "d"}, {"persistentVolumeClaim", {{"claimName", "dumps"}}}}});
  json mounts = json::array({{{"name", "d"}, {"mountPath", "/dumps"}}});
  Create("batch", "jobs", JobOf("appender", "cat /dumps/2026/base.dump && echo new >> /dumps/2026/base.dump", json::object(),
                                {{"volumes", volumes}, {"securityContext", {{"runAsUser", 1000}, {"fsGroup", 3000}}}},
                                {{"volumeMounts", mounts}}));
  ASSERT_TRUE(Eventually([&] { return HasCondition("appender", "Complete") || HasCondition("appender", "Failed"); }));
  EXPECT_TRUE(HasCondition("appender", "Complete")) << PodLog("appender");
  EXPECT_EQ(ReadFile(claim / "2026" / "base.dump"), "old\nnew\n");
  struct stat st {};
  ASSERT_EQ(::stat((claim / "2026").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 02770u);
  EXPECT_EQ(st.st_gid, 3000u);
  ASSERT_EQ(::stat((claim / "2026" / "base.dump").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0660u);
}

TEST_F(JobRunnerTest, NonRootContainerCanWriteStdoutTmpAndItsTerminationLog) {
  Create("batch", "jobs", JobOf("non-root-io",
                                "echo out > /dev/stdout && echo tmp > /tmp/x && cat /tmp/x && echo shm > /dev/shm/y && "
                                "printf done > /dev/termination-log",
                                json::object(), {{"securityContext", {{"runAsUser", 1000}}}}));
  ASSERT_TRUE(Eventually([&] { return HasCondition("non-root-io", "Complete") || HasCondition("non-root-io", "Failed"); }));
  EXPECT_EQ(PodLog("non-root-io"), "out\ntmp\n");
  const json pod = List("", "pods", "job-name=non-root-io")[0];
  EXPECT_EQ(pod["status"]["containerStatuses"][0]["state"]["terminated"]["message"], "done");
}

TEST_F(JobRunnerTest, HostnameIsCutTo63CharactersAsTheKubeletDoes) {
  const std::string job_name(63, 'j');
  Create("batch", "jobs", JobOf(job_name, "echo $(uname -n) $HOSTNAME"));
  ASSERT_TRUE(Eventually([&] { return HasCondition(job_name, "Complete"); }));
  const std::string pod_name = List("", "pods", "job-name=" + job_name)[0]["metadata"]["name"];
  EXPECT_EQ(pod_name.size(), 63u) << "58 characters of the generateName and 5 random ones";
  EXPECT_EQ(PodLog(job_name), pod_name + " " + pod_name + "\n");

  const std::string long_name = std::string(60, 'p') + "-x.y" + std::string(10, 'z');
  json pod = {{"metadata", {{"name", long_name}}},
              {"spec", {{"restartPolicy", "Never"},
                        {"containers", json::array({{{"name", "main"}, {"image", "debian"},
                                                     {"command", {"sh", "-c", "echo $(uname -n) $HOSTNAME"}}}})}}}};
  Create("", "pods", pod);
  ASSERT_TRUE(Eventually([&] {
    auto p = Get("", "pods", long_name);
    return p && p->value("status", json::object()).value("phase", "") == "Succeeded";
  }));
  const std::string hostname = std::string(60, 'p') + "-x";
  EXPECT_EQ(ReadFile(data_dir_ / "logs" / "default" / long_name / "main.log"), hostname + " " + hostname + "\n");
}

}  // namespace
}  // namespace lifeboat::devcluster
