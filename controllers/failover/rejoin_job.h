// The rejoin Job: `lifeboat agent rejoin` (operator/agent/rejoin_command.h) with the old primary's
// data volume mounted where its StatefulSet mounts it, running as the user its Pods run as (the
// data's owner), with the new primary's connection and the replication credentials from Secrets.
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/api/common_spec.h"
#include "operator/api/failover.h"

namespace lifeboat::controllers::failover {

// Where a StatefulSet keeps its data: the claim of its first Pod, where its container mounts it,
// and PGDATA (that mount, or PGDATA from the container's env when set).
struct DataVolume {
  std::string claim;       // "<volumeClaimTemplate>-<statefulset>-0"
  std::string mount_path;  // "/var/lib/postgresql/data"
  std::string data_dir;    // "/var/lib/postgresql/data/pgdata"
};

// The data volume of a StatefulSet object: the first volumeClaimTemplate its first container mounts.
std::optional<DataVolume> StatefulSetDataVolume(const nlohmann::json& statefulset);

// The replication slot the old primary streams through on the new one: its workload's name as a
// slot name ([a-z0-9_], at most 63 characters).
std::string RejoinSlotName(const std::string& workload_name);

nlohmann::json BuildRejoinJob(const api::Failover& failover, const DataVolume& data,
                              const api::SecurityContext& run_as, const std::string& default_image);

}  // namespace lifeboat::controllers::failover
