#include "e2e/devcluster/jobs/pod_lifecycle.h"

#include <algorithm>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using State = ContainerRun::State;

bool Succeeded(const ContainerRun& c) {
  return c.state == State::kTerminated && c.terminated && c.terminated->exit_code == 0;
}

// Whether a terminated container is restarted (policy-wise; the pod is not being deleted).
bool WillRestart(const ContainerRun& c, const std::string& policy) {
  if (c.state != State::kTerminated || !c.terminated) return false;
  if (policy == "Always") return true;
  if (policy == "OnFailure") return c.terminated->exit_code != 0;
  return false;
}

bool InitWillRestart(const ContainerRun& c, const std::string& policy) {
  return c.state == State::kTerminated && c.terminated && c.terminated->exit_code != 0 && policy != "Never";
}

void Wake(PodStep& step, milliseconds after) {
  after = std::max(after, milliseconds(1));
  if (!step.wake_after || after < *step.wake_after) step.wake_after = after;
}

milliseconds Until(WallTime at, WallTime now) { return std::chrono::duration_cast<milliseconds>(at - now); }

bool AnyRunning(const PodRun& run) {
  for (const auto* list : {&run.init_containers, &run.containers}) {
    for (const ContainerRun& c : *list) {
      if (c.state == State::kRunning) return true;
    }
  }
  return false;
}

bool InitDone(const PodRun& run) {
  return std::all_of(run.init_containers.begin(), run.init_containers.end(), Succeeded);
}

bool InitFailedForGood(const PodRun& run) {
  for (const ContainerRun& c : run.init_containers) {
    if (Succeeded(c)) continue;
    return c.state == State::kTerminated && c.terminated && c.terminated->exit_code != 0 &&
           run.restart_policy == "Never";
  }
  return false;
}

json TerminatedJson(const ContainerRun& c, const ContainerTermination& t) {
  json out = {{"exitCode", t.exit_code},
              {"reason", t.reason},
              {"startedAt", FormatRfc3339(t.started_at)},
              {"finishedAt", FormatRfc3339(t.finished_at)}};
  if (!t.message.empty()) out["message"] = t.message;
  if (!c.container_id.empty()) out["containerID"] = c.container_id;
  return out;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out = "[";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

}  // namespace

milliseconds RestartBackoff(int restart_count, const PodStepOptions& options) {
  milliseconds delay = options.restart_backoff_base;
  for (int i = 0; i < restart_count && delay < options.restart_backoff_max; ++i) delay *= 2;
  return std::min(delay, options.restart_backoff_max);
}

PodRun NewPodRun(const nlohmann::json& pod) {
  PodRun run;
  const json spec = pod.value("spec", json::object());
  run.restart_policy = spec.value("restartPolicy", "Always");
  for (const auto& [key, list] : {std::pair{"initContainers", &run.init_containers}, std::pair{"containers", &run.containers}}) {
    if (!spec.contains(key) || !spec[key].is_array()) continue;
    for (const json& c : spec[key]) {
      ContainerRun container;
      container.name = c.value("name", "");
      container.image = c.value("image", "");
      list->push_back(container);
    }
  }
  return run;
}

PodStep DecidePodStep(const PodRun& run, WallTime now, const PodStepOptions& options) {
  PodStep step;
  if (run.deleting) {
    if (AnyRunning(run)) step.stop_all = true; else step.terminal = true;
    return step;
  }
  if (run.unschedulable_message || run.mount_error) {
    Wake(step, milliseconds(1000));
    return step;
  }
  for (size_t i = 0; i < run.init_containers.size(); ++i) {
    const ContainerRun& c = run.init_containers[i];
    if (Succeeded(c)) continue;
    if (c.state == State::kRunning) return step;
    if (c.state == State::kWaiting) {
      if (c.retry_not_before && now < *c.retry_not_before) {
        Wake(step, Until(*c.retry_not_before, now));
      } else {
        step.start_init_container = i;
      }
      return step;
    }
    if (!InitWillRestart(c, run.restart_policy)) {
      step.terminal = true;
      return step;
    }
    const WallTime ready_at = c.terminated->finished_at + RestartBackoff(c.restart_count, options);
    if (now >= ready_at) {
      step.start_init_container = i;
    } else {
      step.backing_off_init_container = i;
      Wake(step, Until(ready_at, now));
    }
    return step;
  }
  bool any_will_run = false;
  for (size_t i = 0; i < run.containers.size(); ++i) {
    const ContainerRun& c = run.containers[i];
    if (c.state == State::kRunning) {
      any_will_run = true;
    } else if (c.state == State::kWaiting) {
      any_will_run = true;
      if (c.retry_not_before && now < *c.retry_not_before) {
        Wake(step, Until(*c.retry_not_before, now));
      } else {
        step.start_containers.push_back(i);
      }
    } else if (WillRestart(c, run.restart_policy)) {
      any_will_run = true;
      const WallTime ready_at = c.terminated->finished_at + RestartBackoff(c.restart_count, options);
      if (now >= ready_at) {
        step.start_containers.push_back(i);
      } else {
        step.backing_off_containers.push_back(i);
        Wake(step, Until(ready_at, now));
      }
    }
  }
  if (!any_will_run) step.terminal = true;
  return step;
}

std::string PodPhase(const PodRun& run, const PodStepOptions& /*options*/) {
  const bool running = AnyRunning(run);
  if (InitFailedForGood(run)) return "Failed";
  const bool all_terminated =
      !run.containers.empty() && std::all_of(run.containers.begin(), run.containers.end(), [](const ContainerRun& c) {
        return c.state == State::kTerminated;
      });
  if (run.deleting && !running) {
    const bool all_ok = all_terminated && std::all_of(run.containers.begin(), run.containers.end(), Succeeded);
    return all_ok ? "Succeeded" : "Failed";
  }
  if (all_terminated) {
    const bool any_restart = std::any_of(run.containers.begin(), run.containers.end(), [&](const ContainerRun& c) {
      return WillRestart(c, run.restart_policy);
    });
    if (!any_restart) {
      return std::all_of(run.containers.begin(), run.containers.end(), Succeeded) ? "Succeeded" : "Failed";
    }
    return "Running";
  }
  if (InitDone(run)) {
    for (const ContainerRun& c : run.containers) {
      if (c.state == State::kRunning || c.state == State::kTerminated) return "Running";
    }
  }
  return "Pending";
}

nlohmann::json BuildPodStatus(const nlohmann::json& pod, const nlohmann::json& previous_status, const PodRun& run,
                              WallTime now, const PodStepOptions& options) {
  json status = json::object();
  const std::string phase = PodPhase(run, options);
  const bool terminal_phase = phase == "Succeeded" || phase == "Failed";
  const bool init_done = InitDone(run);
  const json metadata = pod.value("metadata", json::object());
  const std::string pod_ref = metadata.value("name", "") + "_" + metadata.value("namespace", "") + "(" +
                              metadata.value("uid", "") + ")";

  auto container_status = [&](const ContainerRun& c, bool is_init) {
    json s = {{"name", c.name}, {"image", c.image}, {"imageID", ""}, {"restartCount", c.restart_count}};
    if (!c.container_id.empty()) s["containerID"] = c.container_id;
    json state = json::object();
    json last_state = json::object();
    bool ready = false;
    bool started = false;
    if (c.last_terminated) last_state["terminated"] = TerminatedJson(c, *c.last_terminated);
    switch (c.state) {
      case State::kRunning:
        state["running"] = {{"startedAt", FormatRfc3339(c.started_at)}};
        started = true;
        ready = !is_init;
        break;
      case State::kTerminated: {
        const bool restarting = !run.deleting && (is_init ? InitWillRestart(c, run.restart_policy)
                                                           : WillRestart(c, run.restart_policy));
        if (restarting) {
          const auto backoff = std::chrono::duration_cast<std::chrono::seconds>(RestartBackoff(c.restart_count, options));
          state["waiting"] = {{"reason", "CrashLoopBackOff"},
                              {"message", "back-off " + std::to_string(backoff.count()) +
                                              "s restarting failed container=" + c.name + " pod=" + pod_ref}};
          last_state = {{"terminated", TerminatedJson(c, *c.terminated)}};
        } else {
          state["terminated"] = TerminatedJson(c, *c.terminated);
          ready = is_init && c.terminated->exit_code == 0;
        }
        break;
      }
      case State::kWaiting: {
        json waiting = json::object();
        if (!c.waiting_reason.empty()) {
          waiting["reason"] = c.waiting_reason;
          if (!c.waiting_message.empty()) waiting["message"] = c.waiting_message;
        } else {
          waiting["reason"] = (is_init || !init_done) ? "PodInitializing" : "ContainerCreating";
        }
        state["waiting"] = waiting;
        break;
      }
    }
    s["state"] = state;
    s["lastState"] = last_state;
    s["ready"] = ready;
    s["started"] = started;
    return s;
  };

  // Conditions, keeping transition times of unchanged ones.
  auto previous_transition = [&](const std::string& type, const std::string& value) -> std::string {
    if (previous_status.is_object() && previous_status.contains("conditions") &&
        previous_status["conditions"].is_array()) {
      for (const json& c : previous_status["conditions"]) {
        if (c.value("type", "") == type && c.value("status", "") == value && c.contains("lastTransitionTime")) {
          return c["lastTransitionTime"].get<std::string>();
        }
      }
    }
    return FormatRfc3339(now);
  };
  json conditions = json::array();
  auto add = [&](const std::string& type, bool value, const std::string& reason, const std::string& message) {
    const std::string v = value ? "True" : "False";
    json c = {{"type", type}, {"status", v}, {"lastProbeTime", nullptr},
              {"lastTransitionTime", previous_transition(type, v)}};
    if (!reason.empty()) c["reason"] = reason;
    if (!message.empty()) c["message"] = message;
    conditions.push_back(c);
  };

  if (run.unschedulable_message) {
    add("PodScheduled", false, "Unschedulable", "0/1 nodes are available: " + *run.unschedulable_message + ".");
    status["phase"] = "Pending";
    status["conditions"] = conditions;
    status["qosClass"] = "BestEffort";
    return status;
  }

  const bool sandbox_up = run.start_time.has_value() && !terminal_phase;
  add("PodReadyToStartContainers", sandbox_up, "", "");
  std::vector<std::string> incomplete_init;
  for (const ContainerRun& c : run.init_containers) {
    if (!Succeeded(c)) incomplete_init.push_back(c.name);
  }
  if (incomplete_init.empty()) {
    add("Initialized", true, phase == "Succeeded" ? "PodCompleted" : "", "");
  } else {
    add("Initialized", false, "ContainersNotInitialized",
        "containers with incomplete status: " + JoinNames(incomplete_init));
  }
  std::vector<std::string> unready;
  for (const ContainerRun& c : run.containers) {
    if (c.state != State::kRunning) unready.push_back(c.name);
  }
  if (terminal_phase) {
    const std::string reason = phase == "Succeeded" ? "PodCompleted" : "PodFailed";
    add("Ready", false, reason, "");
    add("ContainersReady", false, reason, "");
  } else if (unready.empty() && !run.containers.empty()) {
    add("Ready", true, "", "");
    add("ContainersReady", true, "", "");
  } else {
    const std::string message = "containers with unready status: " + JoinNames(unready);
    add("Ready", false, "ContainersNotReady", message);
    add("ContainersReady", false, "ContainersNotReady", message);
  }
  add("PodScheduled", true, "", "");

  status["phase"] = phase;
  status["conditions"] = conditions;
  status["hostIP"] = "127.0.0.1";
  status["hostIPs"] = json::array({{{"ip", "127.0.0.1"}}});
  status["podIP"] = "127.0.0.1";
  status["podIPs"] = json::array({{{"ip", "127.0.0.1"}}});
  if (run.start_time) status["startTime"] = FormatRfc3339(*run.start_time);

  // qosClass from the containers' resources.
  bool any_resources = false;
  bool guaranteed = true;
  const json spec = pod.value("spec", json::object());
  for (const char* key : {"initContainers", "containers"}) {
    if (!spec.contains(key) || !spec[key].is_array()) continue;
    for (const json& c : spec[key]) {
      const json resources = c.value("resources", json::object());
      const json limits = resources.value("limits", json::object());
      const json requests = resources.value("requests", json::object());
      if (!limits.empty() || !requests.empty()) any_resources = true;
      for (const char* r : {"cpu", "memory"}) {
        if (!limits.contains(r)) { guaranteed = false; continue; }
        if (requests.contains(r) && requests[r] != limits[r]) guaranteed = false;
      }
    }
  }
  status["qosClass"] = !any_resources ? "BestEffort" : (guaranteed ? "Guaranteed" : "Burstable");

  if (!run.init_containers.empty()) {
    json list = json::array();
    for (const ContainerRun& c : run.init_containers) list.push_back(container_status(c, true));
    status["initContainerStatuses"] = list;
  }
  json list = json::array();
  for (const ContainerRun& c : run.containers) list.push_back(container_status(c, false));
  status["containerStatuses"] = list;
  return status;
}

}  // namespace lifeboat::devcluster
