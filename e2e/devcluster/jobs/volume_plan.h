// Volume plan: where each of a Pod's volumes lives on the host and where a container sees it, as
// the local kubelet maps them (see README-jobs.md):
//   persistentVolumeClaim  <data-dir>/volumes/<namespace>/<claim>/   (readOnly honoured)
//   emptyDir               <pod-dir>/volumes/empty-dir/<volume>/
//   secret / configMap     <pod-dir>/volumes/<secret|configmap>/<volume>/ with one file per key
//                          (or per `items` entry), mode `defaultMode`/`mode`, read-only
//   downwardAPI/projected  <pod-dir>/volumes/<downward-api|projected>/<volume>/, read-only
//   hostPath               the host path itself
// plus the container's terminationMessagePath, bound to <pod-dir>/containers/<name>/termination-log.
// volumeMounts' `subPath` and `readOnly` are applied. Pure functions (Secrets/ConfigMaps are
// looked up through the injected PodObjectLookup); thread-safe.
#pragma once

#include <filesystem>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/jobs/container_env.h"
#include "operator/core/status.h"

namespace lifeboat::devcluster {

struct HostMount {
  std::string source;  // host path
  std::string target;  // path inside the container
  bool read_only = false;
  bool is_file = false;  // bind a file (termination log, subPath file), not a directory
  // With a subPath: the volume's directory (`source` lies inside it; missing directories of a
  // subPath take its mode). Empty otherwise.
  std::string volume_dir = {};
  friend bool operator==(const HostMount&, const HostMount&) = default;
};

// A file a secret/configMap volume consists of (path relative to the volume directory).
struct VolumeFile {
  std::string path;
  std::string content;
  int mode = 0644;
  std::optional<int64_t> owner = std::nullopt;  // the file's user when not root (a service account token's FsUser)
  friend bool operator==(const VolumeFile&, const VolumeFile&) = default;
};

struct PodPaths {
  std::filesystem::path data_dir;  // <data-dir>
  std::filesystem::path pod_dir;   // <data-dir>/pods/<namespace>/<pod-uid>

  std::filesystem::path ClaimDir(const std::string& ns, const std::string& claim) const {
    return data_dir / "volumes" / ns / claim;
  }
  std::filesystem::path VolumeDir(const std::string& kind, const std::string& volume) const {
    return pod_dir / "volumes" / kind / volume;
  }
  std::filesystem::path TerminationLog(const std::string& container) const {
    return pod_dir / "containers" / container / "termination-log";
  }
};

// The PersistentVolumeClaims the Pod's volumes name (to check they exist before starting).
std::vector<std::string> ClaimNames(const nlohmann::json& pod);

// The files of every secret/configMap volume, by volume name. FailedPrecondition with the
// kubelet's FailedMount message (`MountVolume.SetUp failed for volume "v" : secret "s" not
// found`) when a non-optional source or item key is missing; InvalidArgument for a volume type
// the local kubelet does not support.
// downwardAPI (fieldRef items) and projected volumes (secret, configMap, downwardAPI and
// serviceAccountToken sources; the token is `service_account_token`, FailedPrecondition without
// one) are files too. A token file has the volume's defaultMode unless the pod has an fsGroup or an
// FsUser (FsUserFrom): then it is 0600, owned by the FsUser (SetVolumeOwnership later makes it
// 0640 with group fsGroup), as the kubelet writes it.
StatusOr<std::map<std::string, std::vector<VolumeFile>>> PlanVolumeFiles(const nlohmann::json& pod,
                                                                         const PodObjectLookup& lookup,
                                                                         const std::string* service_account_token = nullptr);

// The files of the service account volume the API server's admission adds to every pod that
// automounts its token (kube-api-access-*: a projected volume with defaultMode 0644 and the
// sources token, ca.crt and namespace), mounted read-only at
// /var/run/secrets/kubernetes.io/serviceaccount. The token's mode and owner follow the rule above.
std::vector<VolumeFile> ServiceAccountVolumeFiles(const nlohmann::json& pod, const std::string& token,
                                                  const std::string& ca_cert_pem);

// The directory kind under <pod-dir>/volumes/ of a file-backed volume ("secret", "configmap",
// "downward-api", "projected"), or "" for other volume types.
std::string VolumeDirKind(const nlohmann::json& volume);

// The mounts of one container (volumes, subPaths, the termination log), sorted so that a parent
// directory is mounted before what is mounted inside it. InvalidArgument when a volumeMount names
// an unknown volume or an unsafe subPath.
StatusOr<std::vector<HostMount>> PlanContainerMounts(const nlohmann::json& pod, const nlohmann::json& container,
                                                     const PodPaths& paths);

}  // namespace lifeboat::devcluster
