#include "e2e/devcluster/jobs/volume_plan.h"

#include "e2e/devcluster/jobs/security_context.h"

#include <algorithm>
#include <map>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

bool SafeRelativePath(const std::string& path) {
  if (path.empty() || path.front() == '/') return false;
  for (const auto& part : std::filesystem::path(path)) {
    if (part == "..") return false;
  }
  return true;
}

const json* FindVolume(const json& pod, const std::string& name) {
  if (!pod.contains("spec") || !pod["spec"].contains("volumes") || !pod["spec"]["volumes"].is_array()) return nullptr;
  for (const json& v : pod["spec"]["volumes"]) {
    if (v.value("name", "") == name) return &v;
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> ClaimNames(const nlohmann::json& pod) {
  std::vector<std::string> claims;
  if (!pod.contains("spec") || !pod["spec"].contains("volumes") || !pod["spec"]["volumes"].is_array()) return claims;
  for (const json& v : pod["spec"]["volumes"]) {
    if (v.contains("persistentVolumeClaim") && v["persistentVolumeClaim"].is_object()) {
      claims.push_back(v["persistentVolumeClaim"].value("claimName", ""));
    }
  }
  return claims;
}

namespace {

// Adds the files of one Secret/ConfigMap source (a volume or a projection) to `files`.
Status AddObjectFiles(bool is_secret, const json& source, int default_mode, const std::string& prefix,
                      const PodObjectLookup& lookup, std::vector<VolumeFile>& files) {
  const std::string kind = is_secret ? "Secret" : "ConfigMap";
  const std::string object_name = is_secret && source.contains("secretName") ? source.value("secretName", "")
                                                                              : source.value("name", "");
  const bool optional = source.value("optional", false);
  std::optional<json> object = lookup(kind, object_name);
  if (!object) {
    if (optional) return Status::Ok();
    return FailedPreconditionError(prefix + (is_secret ? "secret" : "configmap") + " \"" + object_name + "\" not found");
  }
  auto data = ObjectData(*object, kind);
  if (!data.ok()) return FailedPreconditionError(prefix + data.status().message());
  if (source.contains("items") && source["items"].is_array() && !source["items"].empty()) {
    for (const json& item : source["items"]) {
      const std::string key = item.value("key", "");
      const std::string path = item.value("path", key);
      if (!SafeRelativePath(path)) return InvalidArgumentError(prefix + "invalid item path " + path);
      auto it = data->find(key);
      if (it == data->end()) {
        if (optional) continue;
        return FailedPreconditionError(prefix + (is_secret ? "references non-existent secret key: "
                                                           : "configmap references non-existent config key: ") +
                                       key);
      }
      files.push_back({path, it->second, item.value("mode", default_mode)});
    }
  } else {
    for (const auto& [key, value] : *data) files.push_back({key, value, default_mode});
  }
  return Status::Ok();
}

// Adds the files of a downwardAPI source (items with fieldRef).
Status AddDownwardFiles(const json& pod, const json& source, int default_mode, const std::string& prefix,
                        std::vector<VolumeFile>& files) {
  for (const json& item : source.value("items", json::array())) {
    const std::string path = item.value("path", "");
    if (!SafeRelativePath(path)) return InvalidArgumentError(prefix + "invalid item path " + path);
    if (!item.contains("fieldRef")) {
      return InvalidArgumentError(prefix + "downwardAPI item " + path + ": only fieldRef is supported by the local kubelet");
    }
    auto value = PodFieldValue(pod, item["fieldRef"].value("fieldPath", ""));
    if (!value.ok()) return InvalidArgumentError(prefix + value.status().message());
    files.push_back({path, *value, item.value("mode", default_mode)});
  }
  return Status::Ok();
}

// A projected service account token: 0600 and owned by the FsUser when the pod has an FsUser or
// an fsGroup (projected.go), else the volume's default mode.
VolumeFile TokenFile(const json& pod, const std::string& path, const std::string& token, int default_mode) {
  const std::optional<int64_t> fs_user = FsUserFrom(pod);
  const bool has_fs_group = DetermineEffectiveSecurityContext(pod, json::object()).fs_group.has_value();
  VolumeFile file{path, token, default_mode, std::nullopt};
  if (fs_user || has_fs_group) {
    file.mode = 0600;
    file.owner = fs_user;
  }
  return file;
}

}  // namespace

std::vector<VolumeFile> ServiceAccountVolumeFiles(const nlohmann::json& pod, const std::string& token,
                                                  const std::string& ca_cert_pem) {
  constexpr int kDefaultMode = 0644;
  const std::string ns = pod.value("metadata", json::object()).value("namespace", "default");
  return {TokenFile(pod, "token", token, kDefaultMode),
          {"ca.crt", ca_cert_pem, kDefaultMode, std::nullopt},
          {"namespace", ns, kDefaultMode, std::nullopt}};
}

std::string VolumeDirKind(const nlohmann::json& volume) {
  if (volume.contains("secret")) return "secret";
  if (volume.contains("configMap")) return "configmap";
  if (volume.contains("downwardAPI")) return "downward-api";
  if (volume.contains("projected")) return "projected";
  return "";
}

StatusOr<std::map<std::string, std::vector<VolumeFile>>> PlanVolumeFiles(const nlohmann::json& pod,
                                                                         const PodObjectLookup& lookup,
                                                                         const std::string* service_account_token) {
  std::map<std::string, std::vector<VolumeFile>> out;
  if (!pod.contains("spec") || !pod["spec"].contains("volumes") || !pod["spec"]["volumes"].is_array()) return out;
  for (const json& v : pod["spec"]["volumes"]) {
    const std::string volume = v.value("name", "");
    if (v.contains("persistentVolumeClaim") || v.contains("emptyDir") || v.contains("hostPath")) continue;
    const std::string kind = VolumeDirKind(v);
    if (kind.empty()) {
      std::string type = "unknown";
      for (const auto& [key, value] : v.items()) {
        if (key != "name") type = key;
      }
      return InvalidArgumentError("volume \"" + volume + "\": volume type " + type +
                                  " is not supported by the local kubelet");
    }
    const std::string prefix = "MountVolume.SetUp failed for volume \"" + volume + "\" : ";
    std::vector<VolumeFile>& files = out[volume];
    const json& source = kind == "secret" ? v["secret"] : kind == "configmap" ? v["configMap"]
                         : kind == "downward-api" ? v["downwardAPI"] : v["projected"];
    const int default_mode = source.value("defaultMode", 0644);
    if (kind == "secret" || kind == "configmap") {
      LIFEBOAT_RETURN_IF_ERROR(AddObjectFiles(kind == "secret", source, default_mode, prefix, lookup, files));
    } else if (kind == "downward-api") {
      LIFEBOAT_RETURN_IF_ERROR(AddDownwardFiles(pod, source, default_mode, prefix, files));
    } else {
      for (const json& projection : source.value("sources", json::array())) {
        if (projection.contains("secret")) {
          LIFEBOAT_RETURN_IF_ERROR(AddObjectFiles(true, projection["secret"], default_mode, prefix, lookup, files));
        } else if (projection.contains("configMap")) {
          LIFEBOAT_RETURN_IF_ERROR(AddObjectFiles(false, projection["configMap"], default_mode, prefix, lookup, files));
        } else if (projection.contains("downwardAPI")) {
          LIFEBOAT_RETURN_IF_ERROR(AddDownwardFiles(pod, projection["downwardAPI"], default_mode, prefix, files));
        } else if (projection.contains("serviceAccountToken")) {
          if (!service_account_token) {
            return FailedPreconditionError(prefix + "serviceAccountToken projection needs the devcluster's in-cluster API");
          }
          files.push_back(TokenFile(pod, projection["serviceAccountToken"].value("path", "token"), *service_account_token,
                                    default_mode));
        } else {
          return InvalidArgumentError(prefix + "projected source not supported by the local kubelet");
        }
      }
    }
  }
  return out;
}

StatusOr<std::vector<HostMount>> PlanContainerMounts(const nlohmann::json& pod, const nlohmann::json& container,
                                                     const PodPaths& paths) {
  std::vector<HostMount> mounts;
  const std::string ns = pod.value("metadata", json::object()).value("namespace", "default");
  if (container.contains("volumeMounts") && container["volumeMounts"].is_array()) {
    for (const json& m : container["volumeMounts"]) {
      const std::string name = m.value("name", "");
      const std::string target = m.value("mountPath", "");
      if (target.empty() || target.front() != '/') {
        return InvalidArgumentError("volumeMount \"" + name + "\": mountPath must be an absolute path");
      }
      const json* volume = FindVolume(pod, name);
      if (!volume) return InvalidArgumentError("volumeMount \"" + name + "\": no volume of that name");
      HostMount mount;
      mount.target = target;
      mount.read_only = m.value("readOnly", false);
      std::filesystem::path source;
      if (volume->contains("persistentVolumeClaim")) {
        const json& claim = (*volume)["persistentVolumeClaim"];
        source = paths.ClaimDir(ns, claim.value("claimName", ""));
        mount.read_only = mount.read_only || claim.value("readOnly", false);
      } else if (volume->contains("emptyDir")) {
        source = paths.VolumeDir("empty-dir", name);
      } else if (!VolumeDirKind(*volume).empty()) {
        source = paths.VolumeDir(VolumeDirKind(*volume), name);
        mount.read_only = true;
      } else if (volume->contains("hostPath")) {
        source = (*volume)["hostPath"].value("path", "");
      } else {
        return InvalidArgumentError("volume \"" + name + "\": volume type not supported by the local kubelet");
      }
      const std::string sub_path = m.value("subPath", "");
      if (!sub_path.empty()) {
        if (!SafeRelativePath(sub_path)) {
          return InvalidArgumentError("volumeMount \"" + name + "\": subPath " + sub_path +
                                      " must be a relative path without '..'");
        }
        mount.volume_dir = source.string();
        source /= sub_path;
      }
      mount.source = source.string();
      mounts.push_back(mount);
    }
  }
  const std::string message_path = container.value("terminationMessagePath", "/dev/termination-log");
  if (!message_path.empty() && message_path.front() == '/') {
    mounts.push_back({paths.TerminationLog(container.value("name", "")).string(), message_path, false, true});
  }
  std::stable_sort(mounts.begin(), mounts.end(), [](const HostMount& a, const HostMount& b) {
    return std::count(a.target.begin(), a.target.end(), '/') < std::count(b.target.begin(), b.target.end(), '/');
  });
  return mounts;
}

}  // namespace lifeboat::devcluster
