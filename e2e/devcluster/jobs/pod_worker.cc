#include "e2e/devcluster/jobs/pod_worker.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "e2e/devcluster/jobs/host_user_database.h"
#include "e2e/devcluster/jobs/image_paths.h"
#include "e2e/devcluster/jobs/security_context.h"
#include "e2e/devcluster/jobs/volume_ownership.h"
#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

namespace fs = std::filesystem;

// /etc/passwd and /etc/group for the sandbox when the process runs as the image's numeric USER and
// the host has no account for it: the host's files plus "image-user:x:<uid>:<gid>::/:/usr/sbin/nologin"
// (and the group), written next to `prefix`, mounted read-only. nullopt when nothing is missing.
std::optional<std::vector<HostMount>> ImageAccountFiles(const ImageUser& image_user, const ProcessIdentity& identity,
                                                        const UserDatabase& users, const fs::path& prefix) {
  if (!image_user.uid || identity.uid != *image_user.uid || identity.uid == 0 || users.UserById(identity.uid)) {
    return std::nullopt;
  }
  auto read = [](const char* path) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    if (!text.empty() && text.back() != '\n') text += '\n';
    return text;
  };
  const std::string uid = std::to_string(identity.uid), gid = std::to_string(identity.gid);
  std::error_code ec;
  fs::create_directories(prefix.parent_path(), ec);
  const std::string passwd = prefix.string() + ".passwd", group = prefix.string() + ".group";
  std::ofstream(passwd, std::ios::trunc) << read("/etc/passwd") << "image-user:x:" << uid << ":" << gid
                                         << ":image user:/:/usr/sbin/nologin\n";
  std::ofstream(group, std::ios::trunc) << read("/etc/group") << "image-user:x:" << gid << ":\n";
  ::chmod(passwd.c_str(), 0644);
  ::chmod(group.c_str(), 0644);
  return std::vector<HostMount>{{passwd, "/etc/passwd", true, true}, {group, "/etc/group", true, true}};
}

using nlohmann::json;
using std::chrono::milliseconds;

constexpr size_t kMaxTerminationMessage = 4096;
constexpr size_t kFallbackLogBytes = 2048;
constexpr int kFallbackLogLines = 80;
constexpr milliseconds kConfigRetry{1000};
constexpr milliseconds kIdlePoll{1000};

uint64_t ResourceVersion(const json& object) {
  const std::string rv = object.value("metadata", json::object()).value("resourceVersion", "");
  try {
    return rv.empty() ? 0 : std::stoull(rv);
  } catch (...) {
    return 0;
  }
}

std::vector<std::string> Strings(const json& container, const char* key) {
  std::vector<std::string> out;
  if (container.contains(key) && container[key].is_array()) {
    for (const json& s : container[key]) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

std::string ReadFileCapped(const fs::path& path, size_t cap) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string data(cap, '\0');
  in.read(data.data(), static_cast<std::streamsize>(cap));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

// The last `max_lines` lines of the last `max_bytes` bytes of a file.
std::string ReadLogTail(const fs::path& path, size_t max_bytes, int max_lines) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - static_cast<std::streamoff>(max_bytes));
  in.seekg(from);
  std::string data(static_cast<size_t>(size - from), '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  size_t pos = data.size();
  if (pos > 0 && data[pos - 1] == '\n') --pos;
  for (int lines = 0; pos > 0; --pos) {
    if (data[pos - 1] == '\n' && ++lines == max_lines) break;
  }
  return data.substr(pos);
}

constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
constexpr const char* kPrivateSecretsDir = "/var/run/secrets";

bool AutomountToken(const json& pod) {
  const json spec = pod.value("spec", json::object());
  return spec.value("automountServiceAccountToken", true);
}

// A claim or emptyDir directory: created world-writable if missing (an existing one keeps its mode).
void CreateSharedDirectory(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec)) return;
  fs::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0777);
}

// A file volume (secret, configMap, downwardAPI, projected) written afresh: each file with its
// mode (whatever the umask) and owner.
void WriteVolumeFiles(const fs::path& dir, const std::vector<VolumeFile>& files) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  for (const VolumeFile& file : files) {
    const fs::path path = dir / file.path;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.content;
    out.close();
    ::chmod(path.c_str(), static_cast<mode_t>(file.mode & 07777));
    if (file.owner) (void)::chown(path.c_str(), static_cast<uid_t>(*file.owner), static_cast<gid_t>(-1));
  }
}

std::string StartErrorMessage(const std::string& program) {
  return "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create "
         "failed: unable to start container process: exec: \"" + program +
         "\": executable file not found in $PATH: unknown";
}

}  // namespace

PodWorker::PodWorker(ClusterApi& api, const Clock& clock, const KubeletOptions& options, EventRecorder& events,
                     const std::vector<RootEntry>& root_entries, nlohmann::json pod)
    : api_(api), clock_(clock), options_(options), events_(events), root_entries_(root_entries), pod_(std::move(pod)) {
  const json metadata = pod_.value("metadata", json::object());
  namespace_ = metadata.value("namespace", "default");
  name_ = metadata.value("name", "");
  paths_.data_dir = options_.data_dir;
  paths_.pod_dir = options_.data_dir / "pods" / namespace_ / metadata.value("uid", name_);
  run_ = NewPodRun(pod_);
  init_processes_.resize(run_.init_containers.size());
  processes_.resize(run_.containers.size());
  Adopt(pod_.value("status", json::object()));
  thread_ = std::thread([this] { Loop(); });
}

PodWorker::~PodWorker() {
  Shutdown();
  if (thread_.joinable()) thread_.join();
}

void PodWorker::Update(nlohmann::json pod) {
  std::lock_guard lock(mutex_);
  if (ResourceVersion(pod) >= ResourceVersion(pod_)) pod_ = std::move(pod);
  wake_ = true;
  cv_.notify_all();
}

void PodWorker::PodGone() {
  std::lock_guard lock(mutex_);
  gone_ = true;
  wake_ = true;
  cv_.notify_all();
}

void PodWorker::Shutdown() {
  std::lock_guard lock(mutex_);
  shutdown_ = true;
  wake_ = true;
  cv_.notify_all();
}

bool PodWorker::Done() const {
  std::lock_guard lock(mutex_);
  return done_;
}

void PodWorker::Wake() {
  std::lock_guard lock(mutex_);
  wake_ = true;
  cv_.notify_all();
}

// Containers that ran before the kubelet (re)started cannot be found any more: they count as
// terminated, as the real kubelet reports them (ContainerStatusUnknown, exit code 137).
void PodWorker::Adopt(const nlohmann::json& status) {
  bool adopted = false;
  const WallTime now = clock_.Now();
  for (const auto& [key, list] : {std::pair{"initContainerStatuses", &run_.init_containers},
                                  std::pair{"containerStatuses", &run_.containers}}) {
    for (const json& s : status.value(key, json::array())) {
      auto c = std::find_if(list->begin(), list->end(), [&](const ContainerRun& r) { return r.name == s.value("name", ""); });
      if (c == list->end()) continue;
      const json state = s.value("state", json::object());
      c->restart_count = s.value("restartCount", 0);
      auto time_of = [&](const json& obj, const char* field) {
        auto parsed = ParseRfc3339(obj.value(field, ""));
        return parsed.ok() ? *parsed : now;
      };
      if (state.contains("terminated")) {
        const json& t = state["terminated"];
        c->state = ContainerRun::State::kTerminated;
        c->terminated = ContainerTermination{t.value("exitCode", 0), t.value("reason", ""), t.value("message", ""),
                                             time_of(t, "startedAt"), time_of(t, "finishedAt")};
        adopted = true;
      } else if (state.contains("running")) {
        c->state = ContainerRun::State::kTerminated;
        c->terminated = ContainerTermination{137, "ContainerStatusUnknown",
                                             "The container could not be located when the pod was terminated",
                                             time_of(state["running"], "startedAt"), now};
        adopted = true;
      }
    }
  }
  if (adopted) {
    auto start = ParseRfc3339(status.value("startTime", ""));
    run_.start_time = start.ok() ? *start : now;
    volumes_ready_ = false;
    scheduled_event_sent_ = true;
  } else {
    std::error_code ec;
    fs::remove_all(options_.data_dir / "logs" / namespace_ / name_, ec);  // a previous pod's of this name
  }
  last_status_ = status;
}

const nlohmann::json& PodWorker::ContainerSpec(bool init, size_t index) const {
  return pod_["spec"][init ? "initContainers" : "containers"][index];
}

fs::path PodWorker::LogPath(const std::string& container) const {
  return options_.data_dir / "logs" / namespace_ / name_ / (container + ".log");
}

std::optional<nlohmann::json> PodWorker::LookupObject(std::string_view kind, std::string_view name) {
  const ResourceRef& resource = kind == "Secret" ? kSecretsResource : kConfigMapsResource;
  auto object = api_.Get(resource, namespace_, std::string(name));
  if (!object.ok()) return std::nullopt;
  return *object;
}

std::string PodWorker::ReadTerminationMessage(const nlohmann::json& container, int exit_code, const fs::path& log) {
  std::string message = ReadFileCapped(paths_.TerminationLog(container.value("name", "")), kMaxTerminationMessage);
  if (message.empty() && exit_code != 0 && container.value("terminationMessagePolicy", "File") == "FallbackToLogsOnError") {
    message = ReadLogTail(log, kFallbackLogBytes, kFallbackLogLines);
  }
  return message;
}

void PodWorker::Harvest(bool init, size_t index) {
  ProcessPtr& process = init ? init_processes_[index] : processes_[index];
  ContainerRun& c = init ? run_.init_containers[index] : run_.containers[index];
  json spec;
  {
    std::lock_guard lock(mutex_);
    spec = ContainerSpec(init, index);
  }
  const int code = process->ExitCode();
  c.state = ContainerRun::State::kTerminated;
  c.terminated = ContainerTermination{code, code == 0 ? "Completed" : "Error",
                                      ReadTerminationMessage(spec, code, LogPath(c.name)), c.started_at, clock_.Now()};
  process.reset();
}

bool PodWorker::PrepareVolumes() {
  json pod;
  {
    std::lock_guard lock(mutex_);
    pod = pod_;
  }
  const std::string* token = options_.in_cluster_api ? &options_.in_cluster_api->token : nullptr;
  auto files = PlanVolumeFiles(
      pod, [this](std::string_view kind, std::string_view name) { return LookupObject(kind, name); }, token);
  if (!files.ok()) {
    run_.mount_error = files.status().message();
    if (last_mount_error_ != files.status().message()) {
      events_.Record(pod, "Warning", "FailedMount", files.status().message());
      last_mount_error_ = files.status().message();
    }
    return false;
  }
  // Each volume is set up as its kubelet volume plugin does: claim and emptyDir directories are
  // created world-writable (as emptyDirs and the usual local provisioners' volumes are), file
  // volumes are rewritten, then fsGroup is applied (VolumeOwnershipFor).
  const EffectiveSecurityContext context = DetermineEffectiveSecurityContext(pod, json::object());
  std::optional<std::string> setup_error;
  auto own = [&](const std::string& volume, const fs::path& dir, const std::optional<VolumeOwnership>& ownership) {
    if (!ownership || setup_error) return;
    auto walked = SetVolumeOwnership(dir, *ownership);
    if (!walked.ok()) {
      setup_error = "MountVolume.SetUp failed for volume \"" + volume + "\" : " + walked.status().message();
    }
  };
  for (const json& volume : pod["spec"].value("volumes", json::array())) {
    const std::string name = volume.value("name", "");
    const std::optional<VolumeOwnership> ownership = VolumeOwnershipFor(volume, context);
    if (volume.contains("persistentVolumeClaim")) {
      const fs::path dir = paths_.ClaimDir(namespace_, volume["persistentVolumeClaim"].value("claimName", ""));
      CreateSharedDirectory(dir);
      own(name, dir, ownership);
    } else if (volume.contains("emptyDir")) {
      const fs::path dir = paths_.VolumeDir("empty-dir", name);
      CreateSharedDirectory(dir);
      own(name, dir, ownership);
    } else if (const std::string kind = VolumeDirKind(volume); !kind.empty()) {
      const fs::path dir = paths_.VolumeDir(kind, name);
      WriteVolumeFiles(dir, (*files)[name]);
      own(name, dir, ownership);
    }
  }
  if (options_.in_cluster_api && AutomountToken(pod)) {
    // The kube-api-access projected volume the API server's admission adds.
    const fs::path dir = paths_.VolumeDir("serviceaccount", "kube-api-access");
    WriteVolumeFiles(dir, ServiceAccountVolumeFiles(pod, options_.in_cluster_api->token, options_.in_cluster_api->ca_cert_pem));
    own("kube-api-access", dir, VolumeOwnershipFor(json{{"name", "kube-api-access"}, {"projected", json::object()}}, context));
  }
  if (setup_error) {
    run_.mount_error = *setup_error;
    if (last_mount_error_ != *setup_error) {
      events_.Record(pod, "Warning", "FailedMount", *setup_error);
      last_mount_error_ = *setup_error;
    }
    return false;
  }
  run_.mount_error.reset();
  volumes_ready_ = true;
  return true;
}

void PodWorker::StartContainer(bool init, size_t index) {
  ContainerRun& c = init ? run_.init_containers[index] : run_.containers[index];
  json pod;
  json spec;
  {
    std::lock_guard lock(mutex_);
    pod = pod_;
    spec = ContainerSpec(init, index);
  }
  const std::string field_path = std::string(init ? "spec.initContainers{" : "spec.containers{") + c.name + "}";
  const WallTime now = clock_.Now();
  if (c.state == ContainerRun::State::kTerminated) {  // a restart
    c.last_terminated = c.terminated;
    c.terminated.reset();
    c.state = ContainerRun::State::kWaiting;
    ++c.restart_count;
  }
  // The container waits and is retried: CreateContainerConfigError (the kubelet could not build
  // the container's configuration) or CreateContainerError (the runtime could not create it).
  auto fail_waiting = [&](const std::string& reason, const std::string& message) {
    c.state = ContainerRun::State::kWaiting;
    const bool changed = c.waiting_message != message || c.waiting_reason != reason;
    c.waiting_reason = reason;
    c.waiting_message = message;
    c.retry_not_before = now + kConfigRetry;
    if (changed) events_.Record(pod, "Warning", "Failed", "Error: " + message, field_path);
  };
  auto fail_config = [&](const std::string& message) { fail_waiting("CreateContainerConfigError", message); };
  auto fail_start = [&](const std::string& message) {
    c.state = ContainerRun::State::kTerminated;
    c.terminated = ContainerTermination{128, "StartError", message, now, now};
    events_.Record(pod, "Warning", "Failed", "Error: " + message, field_path);
  };

  auto env = ResolveContainerEnv(pod, spec, [this](std::string_view kind, std::string_view name) {
    return LookupObject(kind, name);
  });
  if (!env.ok()) return fail_config(env.status().message());
  auto mounts = PlanContainerMounts(pod, spec, paths_);
  if (!mounts.ok()) return fail_config(mounts.status().message());

  // Who the process is: the kubelet refuses root under runAsNonRoot (it cannot see more of the
  // image than its USER), then the runtime resolves the user against the image's accounts.
  const ImageUser image_user = ParseImageUser(ImageUserFor(c.image, options_.image_paths));
  if (Status non_root = VerifyRunAsNonRoot(pod, spec, image_user); !non_root.ok()) return fail_config(non_root.message());
  static const HostUserDatabase host_users;
  const UserDatabase& users = options_.user_database ? *options_.user_database : host_users;
  const EffectiveSecurityContext context = DetermineEffectiveSecurityContext(pod, spec);
  auto identity = ResolveProcessIdentity(context, image_user, users);
  if (!identity.ok()) return fail_waiting("CreateContainerError", identity.status().message());

  // The environment: PATH, HOSTNAME, HOME, then the container's own variables.
  const std::vector<std::string> image_dirs = ImagePathDirs(c.image, options_.image_paths);
  std::string path;
  for (const std::string& dir : image_dirs) path += dir + ":";
  path += options_.host_path;
  const std::string hostname = PodHostname(pod);
  EnvList full = {{"PATH", path}, {"HOSTNAME", hostname}, {"HOME", identity->home}};
  if (options_.in_cluster_api) {
    const std::string host = options_.in_cluster_api->host;
    const std::string port = std::to_string(options_.in_cluster_api->port);
    full.insert(full.end(), {{"KUBERNETES_SERVICE_HOST", host},
                             {"KUBERNETES_SERVICE_PORT", port},
                             {"KUBERNETES_SERVICE_PORT_HTTPS", port},
                             {"KUBERNETES_PORT", "tcp://" + host + ":" + port}});
    if (AutomountToken(pod)) {
      const bool taken = std::any_of(mounts->begin(), mounts->end(), [](const HostMount& m) {
        return m.target.rfind(kServiceAccountDir, 0) == 0;
      });
      if (!taken) {
        mounts->insert(mounts->begin(),
                       HostMount{paths_.VolumeDir("serviceaccount", "kube-api-access").string(), kServiceAccountDir, true, false});
      }
    }
  }
  for (const auto& [k, v] : *env) {
    auto it = std::find_if(full.begin(), full.end(), [&](const auto& e) { return e.first == k; });
    if (it != full.end()) it->second = v; else full.emplace_back(k, v);
  }
  std::map<std::string, std::string> vars(full.begin(), full.end());
  std::vector<std::string> argv;
  for (const std::string& s : Strings(spec, "command")) argv.push_back(ExpandVariables(s, vars));
  if (argv.empty()) argv.push_back(DefaultProgramForImage(c.image));
  for (const std::string& s : Strings(spec, "args")) argv.push_back(ExpandVariables(s, vars));
  // A bare name is looked up on PATH now, as the runtime would; a path (e.g. a script in a
  // configMap volume) only exists inside the sandbox and is left to bwrap's exec.
  if (argv[0].find('/') == std::string::npos && FindProgram(argv[0], vars["PATH"]).empty()) {
    return fail_start(StartErrorMessage(argv[0]));
  }

  std::vector<std::string> drop_privileges;
  if (NeedsIdentityChange(*identity)) {
    const std::string setpriv = FindProgram("setpriv", options_.host_path + ":/usr/bin:/bin");
    if (setpriv.empty()) return fail_start("running as a user other than root needs setpriv (Debian package util-linux)");
    drop_privileges = DropPrivilegesPrefix(*identity, setpriv);
  }

  std::error_code ec;
  for (HostMount& mount : *mounts) {
    if (mount.is_file) {
      fs::create_directories(fs::path(mount.source).parent_path(), ec);
      std::ofstream(mount.source, std::ios::trunc).close();
      ::chmod(mount.source.c_str(), 0666);  // the kubelet makes the termination log writable by any user
    } else if (!mount.volume_dir.empty()) {
      // A subPath's missing directories take the volume's mode (and so stay writable for the
      // users the volume was writable for).
      if (Status made = MakeSubPathDirectories(mount.volume_dir, mount.source); !made.ok()) {
        return fail_waiting("CreateContainerConfigError", "failed to create subPath directory for volumeMount \"" +
                                                              mount.target + "\" of container \"" + c.name + "\"");
      }
    } else {
      fs::create_directories(mount.source, ec);
    }
    mount.target = ResolveMountTarget(mount.target);
  }
  // The image's USER has an account in the image's /etc/passwd (the Dockerfile creates it); the
  // sandbox shows the host's, so the account is added for programs that look it up (PostgreSQL's
  // initdb and server refuse a uid without one).
  if (auto account = ImageAccountFiles(image_user, *identity, users, fs::path(LogPath(c.name)).parent_path() / c.name); account) {
    mounts->insert(mounts->end(), account->begin(), account->end());
  }
  SandboxSpec sandbox;
  sandbox.root_entries = root_entries_;
  sandbox.mounts = *mounts;
  // A container's /var/run/secrets holds only what the kubelet mounts there.
  sandbox.private_dirs = {ResolveMountTarget(kPrivateSecretsDir)};
  for (const std::string& dir : image_dirs) {
    if (fs::is_directory(dir, ec)) sandbox.read_only_dirs.push_back(dir);
  }
  sandbox.working_dir = spec.value("workingDir", "");
  sandbox.hostname = hostname;
  sandbox.argv = drop_privileges;
  sandbox.argv.insert(sandbox.argv.end(), argv.begin(), argv.end());

  ProcessSpec process_spec;
  process_spec.argv = BuildSandboxCommand(options_.bwrap_path, sandbox);
  process_spec.env = full;
  process_spec.log_path = LogPath(c.name);
  process_spec.log_max_bytes = options_.log_max_bytes;
  process_spec.leader_is_supervisor = true;
  if (identity->uid != 0) process_spec.stdio_owner = static_cast<uid_t>(identity->uid);
  if (c.restart_count > 0 && fs::exists(process_spec.log_path, ec)) {
    fs::rename(process_spec.log_path, LogPath(c.name + ".previous"), ec);
  }
  auto process = ContainerProcess::Start(process_spec, [this] { Wake(); });
  if (!process.ok()) return fail_start(process.status().message());
  events_.Record(pod, "Normal", "Pulled", "Container image \"" + c.image + "\" already present on machine", field_path);
  events_.Record(pod, "Normal", "Created", "Created container " + c.name, field_path);
  events_.Record(pod, "Normal", "Started", "Started container " + c.name, field_path);
  c.state = ContainerRun::State::kRunning;
  c.started_at = now;
  c.waiting_reason.clear();
  c.waiting_message.clear();
  c.retry_not_before.reset();
  c.container_id = "local://" + std::to_string((*process)->pid());
  (init ? init_processes_[index] : processes_[index]) = std::move(*process);
}

void PodWorker::StopAll(milliseconds grace) {
  json pod;
  {
    std::lock_guard lock(mutex_);
    pod = pod_;
  }
  std::vector<std::thread> stoppers;
  for (auto* list : {&init_processes_, &processes_}) {
    const bool init = list == &init_processes_;
    for (size_t i = 0; i < list->size(); ++i) {
      if (!(*list)[i] || (*list)[i]->Exited()) continue;
      const std::string name = init ? run_.init_containers[i].name : run_.containers[i].name;
      events_.Record(pod, "Normal", "Killing", "Stopping container " + name,
                     std::string(init ? "spec.initContainers{" : "spec.containers{") + name + "}");
      ContainerProcess* process = (*list)[i].get();
      stoppers.emplace_back([process, grace] { process->Terminate(grace); });
    }
  }
  for (std::thread& t : stoppers) t.join();
}

void PodWorker::WriteStatus(const nlohmann::json& status) {
  json pod;
  {
    std::lock_guard lock(mutex_);
    pod = pod_;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    json updated = pod;
    updated["status"] = status;
    auto written = api_.UpdateStatus(kPodsResource, updated);
    if (written.ok()) {
      last_status_ = status;
      Update(*written);
      return;
    }
    if (written.status().code() == StatusCode::kNotFound) {
      PodGone();
      return;
    }
    if (written.status().code() != StatusCode::kAborted) return;  // retried on the next pass
    auto fresh = api_.Get(kPodsResource, namespace_, name_);
    if (!fresh.ok()) return;
    pod = *fresh;
    Update(pod);
  }
}

void PodWorker::Loop() {
  while (true) {
    json pod;
    bool gone;
    bool shutdown;
    {
      std::lock_guard lock(mutex_);
      pod = pod_;
      gone = gone_;
      shutdown = shutdown_;
      wake_ = false;
    }
    for (size_t i = 0; i < init_processes_.size(); ++i) {
      if (init_processes_[i] && init_processes_[i]->Exited()) Harvest(true, i);
    }
    for (size_t i = 0; i < processes_.size(); ++i) {
      if (processes_[i] && processes_[i]->Exited()) Harvest(false, i);
    }
    const WallTime now = clock_.Now();
    run_.deleting = gone || shutdown || pod.value("metadata", json::object()).contains("deletionTimestamp");
    if (!run_.deleting && !run_.start_time) {
      std::optional<std::string> missing;
      for (const std::string& claim : ClaimNames(pod)) {
        auto found = api_.Get(kClaimsResource, namespace_, claim);
        if (!found.ok()) {
          missing = "persistentvolumeclaim \"" + claim + "\" not found";
          break;
        }
      }
      if (missing) {
        if (run_.unschedulable_message != missing) {
          events_.Record(pod, "Warning", "FailedScheduling", "0/1 nodes are available: " + *missing + ".");
        }
        run_.unschedulable_message = missing;
      } else {
        run_.unschedulable_message.reset();
        run_.start_time = now;
        if (pod.value("spec", json::object()).value("nodeName", "").empty()) {
          // Bind the pod to this node, as the scheduler does (best effort).
          json bound = pod;
          bound["spec"]["nodeName"] = options_.node_name;
          auto written = api_.Update(kPodsResource, bound);
          if (written.ok()) {
            Update(*written);
            pod = *written;
          }
        }
        if (!scheduled_event_sent_) {
          events_.Record(pod, "Normal", "Scheduled",
                         "Successfully assigned " + namespace_ + "/" + name_ + " to " + options_.node_name);
          scheduled_event_sent_ = true;
        }
      }
    }
    if (!run_.deleting && run_.start_time && !volumes_ready_) PrepareVolumes();

    PodStep step = DecidePodStep(run_, now, options_.step_options);
    if (step.stop_all) {
      milliseconds grace = options_.shutdown_grace;
      if (!shutdown) {
        const int64_t seconds = pod.value("spec", json::object()).value("terminationGracePeriodSeconds", 30);
        grace = std::min<milliseconds>(std::chrono::seconds(std::max<int64_t>(seconds, 0)), options_.max_termination_grace);
      }
      StopAll(grace);
      continue;
    }
    if (step.start_init_container) StartContainer(true, *step.start_init_container);
    for (size_t i : step.start_containers) StartContainer(false, i);

    if (!gone && !shutdown) {
      json current;
      {
        std::lock_guard lock(mutex_);
        current = pod_;
      }
      json status = BuildPodStatus(current, last_status_, run_, clock_.Now(), options_.step_options);
      if (status != last_status_) WriteStatus(status);
    }
    if (step.terminal) {
      std::error_code ec;
      if (!shutdown) fs::remove_all(paths_.pod_dir, ec);
      bool really_gone;
      {
        std::lock_guard lock(mutex_);
        really_gone = gone_;
      }
      if (really_gone && !shutdown) fs::remove_all(options_.data_dir / "logs" / namespace_ / name_, ec);
      break;
    }
    std::unique_lock lock(mutex_);
    const milliseconds timeout = std::min(step.wake_after.value_or(kIdlePoll), kIdlePoll);
    cv_.wait_for(lock, timeout, [&] { return wake_; });
  }
  std::lock_guard lock(mutex_);
  done_ = true;
}

}  // namespace lifeboat::devcluster
