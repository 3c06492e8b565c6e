#include "controllers/backuppolicy/wal_streamer.h"

#include <cctype>

#include "controllers/common/agent_job.h"
#include "controllers/common/job_naming.h"
#include "controllers/common/job_wiring.h"
#include "controllers/common/labels.h"
#include "operator/core/duration.h"

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

nlohmann::json BuildWalStreamerDeployment(const api::BackupPolicy& policy, const std::string& default_image) {
  const api::BackupPolicySpec& spec = policy.spec;
  const api::DatabaseSource& db = *spec.database;
  AgentJobSpec pod;
  pod.name = WalStreamerName(policy.metadata.name);
  pod.ns = policy.metadata.namespace_;
  pod.owner = {api::kApiVersion, api::kBackupPolicyKind, policy.metadata.name, policy.metadata.uid};
  pod.pod_settings = spec.pod_settings;
  pod.default_image = default_image;
  pod.labels[kPolicyLabel] = policy.metadata.name;
  pod.labels[kComponentLabel] = kWalStreamerComponent;
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
  pod.volumes.push_back({{"name", "buffer"}, {"emptyDir", {{"sizeLimit", db.wal_archiving.buffer_size}}}});
  pod.volume_mounts.push_back({{"name", "buffer"}, {"mountPath", kWalBufferMount}});

  nlohmann::json pod_template = BuildAgentPodTemplate(pod, "Always");
  const nlohmann::json& labels = pod_template["metadata"]["labels"];
  nlohmann::json deployment_spec = {
      {"replicas", 1},
      {"strategy", {{"type", "Recreate"}}},
      {"selector",
       {{"matchLabels",
         {{kManagedByLabel, kManagedByValue}, {kPolicyLabel, policy.metadata.name}, {kComponentLabel, kWalStreamerComponent}}}}},
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
