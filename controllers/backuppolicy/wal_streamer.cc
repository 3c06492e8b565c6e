#include "controllers/backuppolicy/wal_streamer.h"

#include <cctype>

#include "controllers/common/agent_job.h"
#include "controllers/common/job_naming.h"
#include "controllers/common/job_wiring.h"
#include "controllers/common/labels.h"
#include "operator/core/duration.h"
#include "operator/core/time_format.h"

namespace lifeboat::controllers::backuppolicy {

std::string WalStreamerName(const std::string& policy) { return DeterministicJobName(policy, kWalStreamerComponent); }

std::string WalSlotName(const api::BackupPolicy& policy) {
  const api::DatabaseSource* db = policy.spec.database ? &*policy.spec.database : nullptr;
  if (db && !db->wal_archiving.slot_name.empty()) return db->wal_archiving.slot_name;
  std::string slot = "lifeboat_" + policy.metadata.namespace_ + "_" + policy.metadata.name;
  for (char& c : slot) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) c = '_';
  }
  if (slot.size() > 63) slot = slot.substr(0, 46) + "_" + StableHash(slot);
  return slot;
}

namespace {

AgentJobSpec OwnedBase(const api::BackupPolicy& policy) {
  AgentJobSpec base;
  base.name = WalStreamerName(policy.metadata.name);
  base.ns = policy.metadata.namespace_;
  base.owner = {api::kApiVersion, api::kBackupPolicyKind, policy.metadata.name, policy.metadata.uid};
  base.labels[kPolicyLabel] = policy.metadata.name;
  base.labels[kComponentLabel] = kWalStreamerComponent;
  return base;
}

nlohmann::json Labels(const api::BackupPolicy& policy) {
  return {{kManagedByLabel, kManagedByValue}, {kPolicyLabel, policy.metadata.name}, {kComponentLabel, kWalStreamerComponent}};
}

std::string ServiceAccountOf(const api::BackupPolicy& policy) {
  const std::string& chosen = policy.spec.pod_settings.service_account_name;
  return chosen.empty() ? WalStreamerName(policy.metadata.name) : chosen;
}

}  // namespace

std::vector<WalStreamerAccessObject> BuildWalStreamerAccess(const api::BackupPolicy& policy) {
  const AgentJobSpec base = OwnedBase(policy);
  const nlohmann::json meta = OwnedObjectMeta(base, Labels(policy));
  std::vector<WalStreamerAccessObject> objects;
  if (policy.spec.pod_settings.service_account_name.empty()) {
    objects.push_back({"ServiceAccount", {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", meta}}});
  }
  objects.push_back({"ConfigMap", {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", meta}, {"data", nlohmann::json::object()}}});
  objects.push_back({"Role",
                     {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                      {"kind", "Role"},
                      {"metadata", meta},
                      {"rules",
                       {{{"apiGroups", {""}},
                         {"resources", {"configmaps"}},
                         {"resourceNames", {base.name}},
                         {"verbs", {"get", "patch"}}}}}}});
  objects.push_back({"RoleBinding",
                     {{"apiVersion", "rbac.authorization.k8s.io/v1"},
                      {"kind", "RoleBinding"},
                      {"metadata", meta},
                      {"roleRef", {{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Role"}, {"name", base.name}}},
                      {"subjects", {{{"kind", "ServiceAccount"}, {"name", ServiceAccountOf(policy)}, {"namespace", base.ns}}}}}});
  return objects;
}

bool ReadStreamerReport(const nlohmann::json& config_map, api::WalArchiveStatus& status, std::string* problem) {
  const nlohmann::json* data = config_map.is_object() && config_map.contains("data") ? &config_map["data"] : nullptr;
  if (!data || !data->is_object() || !data->contains(kWalStatusKey) || !(*data)[kWalStatusKey].is_string()) return false;
  nlohmann::json report = nlohmann::json::parse((*data)[kWalStatusKey].get<std::string>(), nullptr, false);
  if (!report.is_object()) {
    if (problem) *problem = "the streamer's report in ConfigMap " + status.streamer + " is not JSON";
    return false;
  }
  auto text = [&](const char* key) { return report.contains(key) && report[key].is_string() ? report[key].get<std::string>() : ""; };
  auto time = [&](const char* key) -> std::optional<WallTime> {
    auto parsed = ParseRfc3339(text(key));
    return parsed.ok() ? std::optional<WallTime>(*parsed) : std::nullopt;
  };
  status.first_recoverable_time = time("firstRecoverableTime");
  status.last_recoverable_time = time("lastRecoverableTime");
  status.last_segment = text("lastSegment");
  status.last_upload_time = time("lastUploadTime");
  status.lag_bytes = report.contains("lagBytes") && report["lagBytes"].is_number_integer()
                         ? std::optional<std::int64_t>(report["lagBytes"].get<std::int64_t>())
                         : std::nullopt;
  status.gap.clear();
  if (report.contains("gap") && report["gap"].is_object()) {
    const nlohmann::json& gap = report["gap"];
    status.gap = gap.value("fromLSN", "?") + "-" + gap.value("toLSN", "");
    if (status.gap.back() == '-') status.gap += "?";
  }
  status.reported_time = time("updated");
  status.last_error = text("lastError");
  return true;
}

nlohmann::json BuildWalStreamerDeployment(const api::BackupPolicy& policy, const std::string& default_image) {
  const api::BackupPolicySpec& spec = policy.spec;
  const api::DatabaseSource& db = *spec.database;
  AgentJobSpec pod = OwnedBase(policy);
  pod.pod_settings = spec.pod_settings;
  pod.pod_settings.service_account_name = ServiceAccountOf(policy);
  pod.default_image = default_image;
  long interval_seconds = 60;
  if (auto interval = ParseDuration(db.wal_archiving.upload_interval); interval.ok()) {
    interval_seconds = std::max<long>(1, std::chrono::duration_cast<std::chrono::seconds>(*interval).count());
  }
  pod.args = {"agent", "wal-stream", "--policy", policy.metadata.name};
  AddRepository(pod, spec.repository);
  AddPostgres(pod, db.connection);
  pod.env.push_back(ValueEnv("LIFEBOAT_WAL_SLOT", WalSlotName(policy)));
  pod.env.push_back(ValueEnv("LIFEBOAT_WAL_UPLOAD_INTERVAL", std::to_string(interval_seconds)));
  pod.env.push_back(ValueEnv("LIFEBOAT_WAL_BUFFER", kWalBufferMount));
  pod.env.push_back(ValueEnv("LIFEBOAT_WAL_STATUS_FILE", std::string(kWalBufferMount) + "/status.json"));
  pod.env.push_back(ValueEnv("LIFEBOAT_WAL_STATUS_CONFIGMAP", pod.name));
  pod.volumes.push_back({{"name", "buffer"}, {"emptyDir", {{"sizeLimit", db.wal_archiving.buffer_size}}}});
  pod.volume_mounts.push_back({{"name", "buffer"}, {"mountPath", kWalBufferMount}});

  nlohmann::json pod_template = BuildAgentPodTemplate(pod, "Always");
  // It reports through the API (its ConfigMap), also when the account says not to mount a token.
  pod_template["spec"]["automountServiceAccountToken"] = true;
  const nlohmann::json& labels = pod_template["metadata"]["labels"];
  nlohmann::json deployment_spec = {
      {"replicas", 1},
      {"strategy", {{"type", "Recreate"}}},
      {"selector", {{"matchLabels", Labels(policy)}}},
      {"template", pod_template},
  };
  pod.annotations[kSpecHashAnnotation] = StableHash(deployment_spec.dump());
  return {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"metadata", OwnedObjectMeta(pod, labels)}, {"spec", deployment_spec}};
}

bool WalStreamerUpToDate(const nlohmann::json& existing, const nlohmann::json& desired) {
  const auto hash = [](const nlohmann::json& object) -> std::string {
    const nlohmann::json* annotations = object.contains("metadata") ? &object["metadata"] : nullptr;
    if (!annotations || !annotations->contains("annotations") || !(*annotations)["annotations"].is_object()) return "";
    const nlohmann::json& a = (*annotations)["annotations"];
    return a.contains(kSpecHashAnnotation) && a[kSpecHashAnnotation].is_string() ? a[kSpecHashAnnotation].get<std::string>() : "";
  };
  return !hash(desired).empty() && hash(existing) == hash(desired);
}

}  // namespace lifeboat::controllers::backuppolicy
