// Resources: the API resources more than one Lifeboat controller reads or creates (Jobs, their
// Pods, the Secrets they reference, workloads, BackupPolicies). One definition, so every controller asks the
// API server for the same group/version. Pure values; thread-safe.
#pragma once

#include <string>

#include "operator/kube/resource.h"

namespace lifeboat::controllers {

inline kube::ResourceRef JobResource() { return {"batch", "v1", "jobs", "Job", true}; }
inline kube::ResourceRef PodResource() { return {"", "v1", "pods", "Pod", true}; }
inline kube::ResourceRef SecretResource() { return {"", "v1", "secrets", "Secret", true}; }
// A Deployment or StatefulSet (WorkloadRef::kind).
inline kube::ResourceRef WorkloadResource(const std::string& kind) {
  if (kind == "StatefulSet") return {"apps", "v1", "statefulsets", "StatefulSet", true};
  return {"apps", "v1", "deployments", "Deployment", true};
}
// "Deployment/web": how controllers key the workloads they observe.
inline std::string WorkloadKey(const std::string& kind, const std::string& name) { return kind + "/" + name; }
// What a BackupPolicy's WAL streamer reports through (wal_streamer.h BuildWalStreamerAccess).
inline kube::ResourceRef StreamerAccessResource(const std::string& kind) {
  if (kind == "ServiceAccount") return {"", "v1", "serviceaccounts", "ServiceAccount", true};
  if (kind == "Role") return {"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
  if (kind == "RoleBinding") return {"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true};
  return {"", "v1", "configmaps", "ConfigMap", true};
}
inline kube::ResourceRef DRDrillResource() { return {"lifeboat.dev", "v1alpha1", "drdrills", "DRDrill", true}; }
inline kube::ResourceRef BackupPolicyResource() {
  return {"lifeboat.dev", "v1alpha1", "backuppolicies", "BackupPolicy", true};
}

}  // namespace lifeboat::controllers
