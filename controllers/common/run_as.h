// RunAs: the user every agent Job runs as. On a real cluster a Job runs as its image's user
// (65532) unless its Pod says otherwise, and media volumes belong to the application's user
// (www-data, uid 33, files 640, folders 750): a Job that touches such a volume must run as its
// owner or with its group. The user is resolved field by field from layers, the first that sets
// a field giving it:
//   1. the media entry's securityContext (BackupPolicy spec.media[], RestoreRequest spec.media[]),
//   2. a restore target's owner {uid, gid},
//   3. the pod securityContext of the workload that owns the volume (spec.media[].workload),
//   4. spec.podSettings.securityContext,
//   5. the image's user, kImageUser (65532); runAsGroup defaults to runAsUser.
// Every Job also carries the repository's group (podSettings' group, else 65532) so Jobs running as
// different users share one repository on a claim (the agent keeps such a repository group-shared,
// docs/agent.md). The Pod's securityContext stays within the restricted Pod Security profile.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "controllers/common/resources.h"
#include "operator/api/common_spec.h"

namespace lifeboat::controllers {

// The Dockerfile's USER (uid and gid).
inline constexpr std::int64_t kImageUser = 65532;

struct JobUser {
  std::int64_t uid = kImageUser;
  std::int64_t gid = kImageUser;
  std::optional<std::int64_t> fs_group;
  std::vector<std::int64_t> supplemental_groups;
  std::string fs_group_change_policy;
};

// The pod securityContexts of the workloads named by media entries, as observed: "Kind/name" →
// WorkloadSecurityContext. A workload missing from the map was not found.
using WorkloadContexts = std::map<std::string, api::SecurityContext>;
std::string WorkloadKey(const api::WorkloadRef& workload);

// A media entry's layers, highest first: its securityContext, its owner (restore targets), its
// workload's pod securityContext (when observed).
std::vector<api::SecurityContext> MediaLayers(const std::optional<api::SecurityContext>& security_context,
                                              const std::optional<api::FileOwnerSpec>& owner,
                                              const std::optional<api::WorkloadRef>& workload,
                                              const WorkloadContexts& workloads);

// The groups a media entry's files may be reached through (its layers' runAsGroup or runAsUser,
// fsGroup and supplementalGroups): what a Job running as another entry's user adds.
std::vector<std::int64_t> MediaGroups(const std::vector<api::SecurityContext>& layers);

// The workload's pod securityContext as a layer: spec.template.spec.securityContext, with its first
// container's runAsUser/runAsGroup winning as they do in the Pod. Its fsGroup becomes a
// supplementary group: the Job joins the volume's group without the kubelet re-owning its volumes.
api::SecurityContext WorkloadSecurityContext(const nlohmann::json& workload);

// A restore target's owner as a layer: runAsUser uid, runAsGroup gid.
api::SecurityContext OwnerSecurityContext(const api::FileOwnerSpec& owner);

// The group of the resource's repository: podSettings' runAsGroup, else its runAsUser, else
// kImageUser.
std::int64_t RepositoryGroup(const api::PodSettings& pod_settings);

// Resolves `layers` (highest first) over the pod settings and the image's user, and adds the
// repository's group (and `extra_groups`) to the supplementary groups when the primary group differs.
JobUser ResolveJobUser(const std::vector<api::SecurityContext>& layers, const api::PodSettings& pod_settings,
                       const std::vector<std::int64_t>& extra_groups = {});

// The Pod's securityContext: the user and groups, runAsNonRoot (unless uid 0) and the
// RuntimeDefault seccomp profile.
nlohmann::json PodSecurityContextJson(const JobUser& user);

}  // namespace lifeboat::controllers
