#include "operator/api/failover.h"

#include <cstdio>
#include <regex>

#include "operator/api/validation.h"

namespace lifeboat::api {
namespace {

FailoverMember ParseMember(const FieldReader& r) {
  FailoverMember m;
  if (std::optional<FieldReader> c = r.Object("connection")) m.connection = ParseConnection(*c);
  if (std::optional<FieldReader> w = r.Object("workload")) m.workload = ParseWorkloadRef(*w);
  return m;
}

}  // namespace

std::optional<std::uint64_t> ParseLsn(const std::string& text) {
  static const std::regex kLsn("^([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})$");
  std::smatch match;
  if (!std::regex_match(text, match, kLsn)) return std::nullopt;
  std::uint64_t high = std::stoull(match[1].str(), nullptr, 16), low = std::stoull(match[2].str(), nullptr, 16);
  return (high << 32) | low;
}

std::string FormatLsn(std::uint64_t position) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%X/%X", static_cast<unsigned>(position >> 32),
                static_cast<unsigned>(position & 0xFFFFFFFFu));
  return buffer;
}

Failover ParseFailover(const nlohmann::json& object, FieldErrors* errors) {
  Failover failover;
  CheckTypeMeta(object, kFailoverKind, errors);
  failover.metadata = ParseObjectMeta(object, errors);
  FieldReader root(object, "", errors);
  if (std::optional<FieldReader> r = root.Object("spec", true)) {
    FailoverSpec& spec = failover.spec;
    spec.mode = r->Enum("mode", {"Switchover", "Failover"}, true).value_or("");
    if (std::optional<FieldReader> p = r->Object("primary")) spec.primary = ParseMember(*p);
    if (std::optional<FieldReader> p = r->Object("replica", true)) spec.replica = ParseMember(*p);
    spec.max_lag_bytes = r->Int("maxLagBytes");
    spec.catch_up_timeout_seconds = r->Int("catchUpTimeoutSeconds").value_or(60);
    if (std::optional<FieldReader> f = r->Object("fencing")) {
      spec.fence_scale_down = f->Bool("scaleDown").value_or(true);
      spec.fence_read_only = f->Bool("readOnly").value_or(true);
    }
    spec.rejoin.enabled = spec.mode == "Switchover";
    if (std::optional<FieldReader> j = r->Object("rejoin")) {
      spec.rejoin.enabled = j->Bool("enabled").value_or(spec.rejoin.enabled);
      if (std::optional<FieldReader> secret = j->Object("replicationSecret")) {
        spec.rejoin.replication_secret = secret->String("name", true).value_or("");
      }
    }
    if (std::optional<FieldReader> p = r->Object("podSettings")) spec.pod_settings = ParsePodSettings(*p);
    if (std::optional<FieldReader> s = r->Object("service", true)) {
      spec.service_name = s->String("name", true).value_or("");
      spec.service_selector = s->StringMap("selector");
      if (!s->Has("selector")) errors->Required("spec.service.selector");
    }
  }
  if (root.Has("status")) failover.status = ParseFailoverStatus(object.at("status"), errors);
  return failover;
}

void ValidateFailoverSpec(const FailoverSpec& spec, FieldErrors* errors) {
  if (spec.primary.connection) ValidateConnection(*spec.primary.connection, "spec.primary.connection", errors);
  if (spec.replica.connection) {
    ValidateConnection(*spec.replica.connection, "spec.replica.connection", errors);
  } else {
    errors->Required("spec.replica.connection", "the replica must be reachable to promote it");
  }
  if (spec.primary.workload) ValidateWorkloads({*spec.primary.workload}, "spec.primary.workload", errors);
  if (spec.replica.workload) ValidateWorkloads({*spec.replica.workload}, "spec.replica.workload", errors);
  if (spec.mode == "Switchover") {
    if (!spec.primary.connection) {
      errors->Required("spec.primary.connection",
                       "a Switchover must reach the primary to fence it and wait until the replica has caught up");
    }
    if (spec.max_lag_bytes) {
      errors->Forbidden("spec.maxLagBytes", "a Switchover never loses data; maxLagBytes applies to mode Failover only");
    }
  } else if (spec.mode == "Failover") {
    if (!spec.max_lag_bytes) {
      errors->Required("spec.maxLagBytes",
                       "mode Failover promotes a replica that may be behind: state how many bytes of WAL you accept to lose (0 for none)");
    }
  }
  if (spec.max_lag_bytes && *spec.max_lag_bytes < 0) {
    errors->Invalid("spec.maxLagBytes", std::to_string(*spec.max_lag_bytes), "must be greater than or equal to 0");
  }
  if (spec.catch_up_timeout_seconds < 1 || spec.catch_up_timeout_seconds > 3600) {
    errors->Invalid("spec.catchUpTimeoutSeconds", std::to_string(spec.catch_up_timeout_seconds),
                    "must be between 1 and 3600, inclusive");
  }
  if (spec.primary.connection && spec.replica.connection && spec.primary.connection->host == spec.replica.connection->host &&
      spec.primary.connection->port == spec.replica.connection->port) {
    errors->Invalid("spec.replica.connection.host", Quote(spec.replica.connection->host),
                    "the replica must be a different server than the primary");
  }
  if (spec.primary.workload && spec.replica.workload && spec.primary.workload->kind == spec.replica.workload->kind &&
      spec.primary.workload->name == spec.replica.workload->name) {
    errors->Invalid("spec.replica.workload.name", Quote(spec.replica.workload->name),
                    "the replica must run in a different workload than the primary");
  }
  if (!spec.service_name.empty()) ValidateDnsLabel(spec.service_name, "spec.service.name", errors);
  if (spec.service_selector.empty() && !errors->Has("spec.service.selector") && !errors->Has("spec.service")) {
    errors->Required("spec.service.selector", "the labels of the new primary's Pods");
  }
  for (const auto& [key, value] : spec.service_selector) ValidateLabel(key, value, "spec.service.selector", errors);
}

FieldErrors CheckFailover(const nlohmann::json& object, Failover* out) {
  FieldErrors errors;
  Failover failover = ParseFailover(object, &errors);
  ValidateFailoverSpec(failover.spec, &errors);
  if (out != nullptr) *out = std::move(failover);
  return errors;
}

nlohmann::json FailoverStatusToJson(const FailoverStatus& status) {
  nlohmann::json j = nlohmann::json::object();
  PutInt(j, "observedGeneration", status.observed_generation);
  PutString(j, "phase", status.phase);
  if (!status.conditions.empty()) j["conditions"] = ConditionsToJson(status.conditions);
  PutTime(j, "startTime", status.start_time, TimePrecision::kMicroseconds);
  PutTime(j, "completionTime", status.completion_time, TimePrecision::kMicroseconds);
  if (!status.steps.empty()) j["steps"] = StepsToJson(status.steps, TimePrecision::kMicroseconds);
  PutString(j, "primaryLSN", status.primary_lsn);
  PutString(j, "replicaLSN", status.replica_lsn);
  PutInt(j, "dataLossBytes", status.data_loss_bytes);
  PutString(j, "lagSource", status.lag_source);
  PutString(j, "timeline", status.timeline);
  PutString(j, "writeUnavailability", status.write_unavailability);
  PutStringMap(j, "previousSelector", status.previous_selector);
  PutInt(j, "fencedReplicas", status.fenced_replicas);
  return j;
}

FailoverStatus ParseFailoverStatus(const nlohmann::json& json, FieldErrors* errors) {
  FailoverStatus status;
  FieldReader r(json, "status", errors);
  status.observed_generation = r.Int("observedGeneration");
  status.phase = r.Enum("phase", {"Pending", "Running", "Succeeded", "Failed"}).value_or("");
  status.conditions = ParseConditions(r, "conditions");
  status.start_time = r.Time("startTime");
  status.completion_time = r.Time("completionTime");
  status.steps = ParseSteps(r, "steps");
  status.primary_lsn = r.String("primaryLSN").value_or("");
  status.replica_lsn = r.String("replicaLSN").value_or("");
  if (!status.primary_lsn.empty() && !ParseLsn(status.primary_lsn)) {
    errors->Invalid("status.primaryLSN", Quote(status.primary_lsn), "must be an LSN such as 0/3000060");
  }
  if (!status.replica_lsn.empty() && !ParseLsn(status.replica_lsn)) {
    errors->Invalid("status.replicaLSN", Quote(status.replica_lsn), "must be an LSN such as 0/3000060");
  }
  status.data_loss_bytes = r.Int("dataLossBytes");
  status.lag_source = r.Enum("lagSource", {"Primary", "ReplicaReceived"}).value_or("");
  status.timeline = r.String("timeline").value_or("");
  status.write_unavailability = r.String("writeUnavailability").value_or("");
  status.previous_selector = r.StringMap("previousSelector");
  status.fenced_replicas = r.Int("fencedReplicas");
  return status;
}

}  // namespace lifeboat::api
