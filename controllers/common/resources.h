// Resources: the API resources more than one Lifeboat controller reads or creates (Jobs, their
// Pods, the Secrets they reference, BackupPolicies). One definition, so every controller asks the
// API server for the same group/version. Pure values; thread-safe.
#pragma once

#include "operator/kube/resource.h"

namespace lifeboat::controllers {

inline kube::ResourceRef JobResource() { return {"batch", "v1", "jobs", "Job", true}; }
inline kube::ResourceRef PodResource() { return {"", "v1", "pods", "Pod", true}; }
inline kube::ResourceRef SecretResource() { return {"", "v1", "secrets", "Secret", true}; }
inline kube::ResourceRef BackupPolicyResource() {
  return {"lifeboat.dev", "v1alpha1", "backuppolicies", "BackupPolicy", true};
}

}  // namespace lifeboat::controllers
