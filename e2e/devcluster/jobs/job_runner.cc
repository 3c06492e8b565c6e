#include "e2e/devcluster/jobs/job_runner.h"

#include <cstdlib>
#include <iostream>

namespace lifeboat::devcluster {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kControllerResync{2000};
constexpr milliseconds kKubeletResync{1000};
constexpr milliseconds kWatchPoll{500};

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

StatusOr<JobRunnerOptions> JobRunnerOptions::FromEnvironment(const std::filesystem::path& data_dir) {
  JobRunnerOptions options;
  options.kubelet_options.data_dir = data_dir;
  const std::string path = Env("PATH");
  if (!path.empty()) options.kubelet_options.host_path = path;
  auto images = ParseImagePathMap(Env("LIFEBOAT_DEVCLUSTER_IMAGE_PATH"));
  if (!images.ok()) return images.status().WithContext("LIFEBOAT_DEVCLUSTER_IMAGE_PATH");
  options.kubelet_options.image_paths = *images;
  const std::string backoff = Env("LIFEBOAT_DEVCLUSTER_BACKOFF_SECONDS");
  if (!backoff.empty()) {
    char* end = nullptr;
    const double seconds = std::strtod(backoff.c_str(), &end);
    if (!end || *end != '\0' || seconds < 0 || seconds > 600) {
      return InvalidArgumentError("LIFEBOAT_DEVCLUSTER_BACKOFF_SECONDS: \"" + backoff +
                                  "\" is not a number of seconds between 0 and 600");
    }
    const milliseconds base(static_cast<int64_t>(seconds * 1000));
    options.job_options.pod_failure_backoff_base = base;
    options.kubelet_options.step_options.restart_backoff_base = base;
  }
  const std::string bwrap = FindProgram("bwrap", options.kubelet_options.host_path + ":/usr/bin:/bin");
  if (bwrap.empty()) {
    return FailedPreconditionError("bwrap (Debian package bubblewrap) is not installed; the job runner needs it");
  }
  options.kubelet_options.bwrap_path = bwrap;
  return options;
}

JobRunner::JobRunner(ObjectStore& store, std::filesystem::path data_dir, const Clock& clock)
    : store_(store),
      clock_(clock),
      controller_api_(store, "job-controller"),
      deployment_api_(store, "deployment-controller"),
      replica_set_api_(store, "replicaset-controller"),
      kubelet_api_(store, "kubelet") {
  auto options = JobRunnerOptions::FromEnvironment(data_dir);
  if (options.ok()) {
    options_ = *options;
  } else {
    config_status_ = options.status();
  }
}

JobRunner::JobRunner(ObjectStore& store, JobRunnerOptions options, const Clock& clock)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      controller_api_(store, "job-controller"),
      deployment_api_(store, "deployment-controller"),
      replica_set_api_(store, "replicaset-controller"),
      kubelet_api_(store, "kubelet") {}

JobRunner::~JobRunner() { Stop(); }

void JobRunner::Start() {
  if (started_) return;
  if (!config_status_.ok()) {
    std::cerr << "lifeboat-devcluster: job runner disabled: " << config_status_ << std::endl;
    return;
  }
  started_ = true;
  controller_ = std::make_unique<JobController>(controller_api_, clock_, options_.job_options);
  deployment_controller_ = std::make_unique<DeploymentController>(deployment_api_, clock_);
  replica_set_controller_ = std::make_unique<ReplicaSetController>(replica_set_api_, clock_);
  kubelet_ = std::make_unique<LocalKubelet>(kubelet_api_, clock_, options_.kubelet_options);
  threads_.emplace_back([this] { WatchLoop(kJobsResource); });
  threads_.emplace_back([this] { WatchLoop(kPodsResource); });
  threads_.emplace_back([this] { WatchLoop(kDeploymentsResource); });
  threads_.emplace_back([this] { WatchLoop(kReplicaSetsResource); });
  threads_.emplace_back([this] { ControllerLoop(); });
  threads_.emplace_back([this] { KubeletLoop(); });
}

void JobRunner::Stop() {
  if (!started_) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cv_.notify_all();
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  kubelet_->Stop();  // terminates and reaps every container process
  kubelet_.reset();
  controller_.reset();
  deployment_controller_.reset();
  replica_set_controller_.reset();
  started_ = false;
}

void JobRunner::Notify() {
  std::lock_guard lock(mutex_);
  ++generation_;
  cv_.notify_all();
}

void JobRunner::WatchLoop(const ResourceRef& resource) {
  std::unique_ptr<ChangeStream> stream;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (!stream || stream->Closed()) {
      auto opened = kubelet_api_.Watch(resource);
      if (!opened.ok()) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, kWatchPoll, [&] { return stopping_; });
        continue;
      }
      stream = std::move(*opened);
      Notify();  // changes may have happened while no watch was open
    }
    if (stream->Next(kWatchPoll)) Notify();
  }
}

void JobRunner::ControllerLoop() {
  uint64_t seen = 0;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      seen = generation_;
    }
    std::optional<milliseconds> requeue = controller_->Sync();
    // Deployments before ReplicaSets: a ReplicaSet scaled in this pass gets its Pods in the same one.
    for (std::optional<milliseconds> next : {deployment_controller_->Sync(), replica_set_controller_->Sync()}) {
      if (next && (!requeue || *next < *requeue)) requeue = next;
    }
    const milliseconds wait = std::min(requeue.value_or(kControllerResync), kControllerResync);
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, wait, [&] { return stopping_ || generation_ != seen; });
  }
}

void JobRunner::KubeletLoop() {
  uint64_t seen = 0;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      seen = generation_;
    }
    kubelet_->Sync();
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, kKubeletResync, [&] { return stopping_ || generation_ != seen; });
  }
}

}  // namespace lifeboat::devcluster
