#include "controllers/failover/rejoin_job.h"

#include "controllers/common/agent_job.h"
#include "controllers/common/job_naming.h"
#include "controllers/common/labels.h"

namespace lifeboat::controllers::failover {

std::optional<DataVolume> StatefulSetDataVolume(const nlohmann::json& sts) {
  const std::string name = sts.value("metadata", nlohmann::json::object()).value("name", "");
  const nlohmann::json spec = sts.value("spec", nlohmann::json::object());
  const nlohmann::json templates = spec.value("volumeClaimTemplates", nlohmann::json::array());
  const nlohmann::json containers =
      spec.value("template", nlohmann::json::object()).value("spec", nlohmann::json::object()).value("containers", nlohmann::json::array());
  if (!templates.is_array() || !containers.is_array() || containers.empty() || name.empty()) return std::nullopt;
  const nlohmann::json& container = containers[0];
  for (const auto& t : templates) {
    const std::string volume = t.value("metadata", nlohmann::json::object()).value("name", "");
    for (const auto& mount : container.value("volumeMounts", nlohmann::json::array())) {
      if (mount.value("name", "") != volume || mount.value("mountPath", "").empty()) continue;
      DataVolume data{volume + "-" + name + "-0", mount.value("mountPath", ""), mount.value("mountPath", "")};
      for (const auto& env : container.value("env", nlohmann::json::array())) {
        if (env.value("name", "") == "PGDATA" && env.value("value", "").rfind(data.mount_path, 0) == 0) data.data_dir = env.value("value", "");
      }
      return data;
    }
  }
  return std::nullopt;
}

std::string RejoinSlotName(const std::string& workload_name) {
  std::string slot;
  for (char c : workload_name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    slot += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
  }
  return slot.substr(0, 63);
}

nlohmann::json BuildRejoinJob(const api::Failover& f, const DataVolume& data, const api::SecurityContext& run_as,
                              const std::string& default_image) {
  const api::PostgresConnection& to = *f.spec.replica.connection;
  // The replication credentials: rejoin.replicationSecret (username, password), else the replica connection's.
  const bool own = !f.spec.rejoin.replication_secret.empty();
  const std::string replication_secret = own ? f.spec.rejoin.replication_secret : to.credentials_secret;
  AgentJobSpec job;
  job.name = DeterministicJobName(f.metadata.name, "rejoin");
  job.ns = f.metadata.namespace_;
  job.owner = {api::kApiVersion, api::kFailoverKind, f.metadata.name, f.metadata.uid};
  job.pod_settings = f.spec.pod_settings;
  job.default_image = default_image;
  job.labels["lifeboat.dev/failover"] = f.metadata.name;
  job.labels[kComponentLabel] = "rejoin";
  job.args = {"agent", "rejoin", "--data-dir", data.data_dir, "--primary-host", to.host, "--primary-port",
              std::to_string(to.port), "--slot", RejoinSlotName(f.spec.primary.workload->name), "--application-name",
              f.spec.primary.workload->name};
  job.env.push_back(SecretEnv("PGUSER", to.credentials_secret, to.username_key));
  job.env.push_back(SecretEnv("PGPASSWORD", to.credentials_secret, to.password_key));
  job.env.push_back(ValueEnv("PGSSLMODE", to.ssl_mode));
  job.env.push_back(SecretEnv("LIFEBOAT_REPLICATION_USER", replication_secret, own ? "username" : to.username_key));
  job.env.push_back(SecretEnv("LIFEBOAT_REPLICATION_PASSWORD", replication_secret, own ? "password" : to.password_key));
  job.volumes.push_back({{"name", "data"}, {"persistentVolumeClaim", {{"claimName", data.claim}}}});
  job.volume_mounts.push_back({{"name", "data"}, {"mountPath", data.mount_path}});
  job.run_as_layers = {run_as};
  return BuildAgentJob(job);
}

}  // namespace lifeboat::controllers::failover
