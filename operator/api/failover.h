// Failover (lifeboat.dev/v1alpha1): promote a PostgreSQL streaming replica (a planned
// Switchover without data loss, or a Failover when the primary is gone) and switch the
// application's Service to it. The C++ form of crds/lifeboat.dev.failovers.yaml: spec parse +
// validation, status serialize + parse. Plain values; thread-compatible.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/api/common_spec.h"
#include "operator/api/common_status.h"
#include "operator/api/field_errors.h"
#include "operator/api/object_meta.h"

namespace lifeboat::api {

inline constexpr char kFailoverKind[] = "Failover";
inline constexpr const char* kFailoverSteps[] = {"Validate", "Fence", "CatchUp", "Promote", "Switch", "Rejoin"};

struct FailoverMember {
  std::optional<PostgresConnection> connection;
  std::optional<WorkloadRef> workload;
};

// After a Switchover the old primary follows the new one as a streaming standby.
struct RejoinSpec {
  bool enabled = true;               // Default: on for a Switchover, off for a Failover.
  std::string replication_secret;    // username/password for primary_conninfo; empty: the replica connection's Secret.
};

struct FailoverSpec {
  std::string mode;  // Switchover | Failover
  FailoverMember primary;
  FailoverMember replica;
  std::optional<std::int64_t> max_lag_bytes;
  std::int64_t catch_up_timeout_seconds = 60;
  bool fence_scale_down = true;  // Applies when primary.workload is set.
  bool fence_read_only = true;   // Applies when the primary is reachable (primary.connection).
  std::string service_name;
  std::map<std::string, std::string> service_selector;
  RejoinSpec rejoin;
  PodSettings pod_settings;  // Of the rejoin Job.
};

struct FailoverStatus {
  std::optional<std::int64_t> observed_generation;
  std::string phase;  // Pending | Running | Succeeded | Failed
  std::vector<Condition> conditions;
  std::optional<WallTime> start_time;
  std::optional<WallTime> completion_time;
  std::vector<Step> steps;
  std::string primary_lsn;
  std::string replica_lsn;
  std::optional<std::int64_t> data_loss_bytes;
  std::string lag_source;  // Primary | ReplicaReceived: what the lag (and data loss) was measured against.
  std::string timeline;    // The promoted server's timeline.
  std::string write_unavailability;
  std::map<std::string, std::string> previous_selector;
  std::optional<std::int64_t> fenced_replicas;
  friend bool operator==(const FailoverStatus&, const FailoverStatus&) = default;
};

struct Failover {
  ObjectMeta metadata;
  FailoverSpec spec;
  FailoverStatus status;
};

Failover ParseFailover(const nlohmann::json& object, FieldErrors* errors);
void ValidateFailoverSpec(const FailoverSpec& spec, FieldErrors* errors);
FieldErrors CheckFailover(const nlohmann::json& object, Failover* out = nullptr);

nlohmann::json FailoverStatusToJson(const FailoverStatus& status);
FailoverStatus ParseFailoverStatus(const nlohmann::json& status, FieldErrors* errors);

// Parses a PostgreSQL LSN ("16/B374D848") into a byte position; nullopt if malformed.
std::optional<std::uint64_t> ParseLsn(const std::string& text);
std::string FormatLsn(std::uint64_t position);

}  // namespace lifeboat::api
