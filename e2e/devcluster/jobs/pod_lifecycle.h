// Pod lifecycle: the local kubelet's pure state machine for one Pod. The kubelet shell keeps a
// PodRun (what each init and app container is doing: waiting, running, terminated, restarts) and
// asks DecidePodStep what to do next (start the next init container, start app containers, restart
// a failed one after its back-off, stop everything because the pod is being deleted) and
// BuildPodStatus for the Pod status to report: phase Pending/Running/Succeeded/Failed, conditions
// (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled), container
// statuses and timestamps, as the real kubelet writes them.
//
// Pure functions and plain data; thread-compatible.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/core/clock.h"

namespace lifeboat::devcluster {

struct ContainerTermination {
  int exit_code = 0;
  std::string reason;   // "Completed", "Error", "StartError", ...
  std::string message;  // termination message (capped by the shell), may be empty
  WallTime started_at{};
  WallTime finished_at{};
};

struct ContainerRun {
  enum class State { kWaiting, kRunning, kTerminated };
  std::string name;
  std::string image;
  State state = State::kWaiting;
  // kWaiting: why (empty means "not started yet"; the status then says PodInitializing or
  // ContainerCreating), e.g. CreateContainerConfigError with the kubelet's message.
  std::string waiting_reason;
  std::string waiting_message;
  // kWaiting: do not try to start before this time (config error retry).
  std::optional<WallTime> retry_not_before;
  WallTime started_at{};  // kRunning
  std::optional<ContainerTermination> terminated;       // kTerminated: the last run
  std::optional<ContainerTermination> last_terminated;  // the run before a restart (lastState)
  int restart_count = 0;
  std::string container_id;  // "local://<id>" of the current/last run
};

struct PodRun {
  std::vector<ContainerRun> init_containers;
  std::vector<ContainerRun> containers;
  std::string restart_policy = "Always";  // Never, OnFailure, Always
  // Not schedulable yet (e.g. `persistentvolumeclaim "data" not found`); nothing starts.
  std::optional<std::string> unschedulable_message;
  // The volumes could not be set up (event FailedMount); nothing starts.
  std::optional<std::string> mount_error;
  bool deleting = false;  // the Pod is being deleted: stop everything, start nothing
  std::optional<WallTime> start_time;  // when the kubelet accepted the pod
};

struct PodStepOptions {
  // Back-off before restarting a failed container (OnFailure/Always): base * 2^(restarts), capped.
  // The real kubelet uses 10 s and 5 min (CrashLoopBackOff); the devcluster defaults shorter.
  std::chrono::milliseconds restart_backoff_base{1000};
  std::chrono::milliseconds restart_backoff_max{std::chrono::minutes(5)};
};

struct PodStep {
  std::optional<size_t> start_init_container;  // index into init_containers
  std::vector<size_t> start_containers;         // indices into containers
  // Containers in CrashLoopBackOff waiting for their back-off (index into containers / init).
  std::vector<size_t> backing_off_containers;
  std::optional<size_t> backing_off_init_container;
  bool stop_all = false;   // deleting: terminate every running process
  bool terminal = false;   // nothing runs and nothing will start again
  std::optional<std::chrono::milliseconds> wake_after;  // decide again after this long
};

PodStep DecidePodStep(const PodRun& run, WallTime now, const PodStepOptions& options = {});

// "Pending", "Running", "Succeeded" or "Failed".
std::string PodPhase(const PodRun& run, const PodStepOptions& options = {});

// The restart back-off for a container that has restarted `restart_count` times.
std::chrono::milliseconds RestartBackoff(int restart_count, const PodStepOptions& options);

// The Pod's status. `previous_status` keeps condition transition times stable; `pod` supplies the
// name/namespace/uid (CrashLoopBackOff messages) and spec (qosClass, readiness).
nlohmann::json BuildPodStatus(const nlohmann::json& pod, const nlohmann::json& previous_status, const PodRun& run,
                              WallTime now, const PodStepOptions& options = {});

// A PodRun for a Pod spec: one ContainerRun per init container and container, waiting.
PodRun NewPodRun(const nlohmann::json& pod);

}  // namespace lifeboat::devcluster
