#include "controllers/drdrill/drill_job.h"

#include "controllers/common/agent_job.h"
#include "controllers/common/labels.h"

namespace lifeboat::controllers::drdrill {
namespace {

// Media scratch: an emptyDir, or an ephemeral claim of the storage class when one is given.
nlohmann::json MediaScratchVolume(const api::DRDrillSpec& spec) {
  if (spec.media_storage_class_name.empty()) {
    return {{"name", "scratch-media"}, {"emptyDir", {{"sizeLimit", spec.media_size_limit}}}};
  }
  return {{"name", "scratch-media"},
          {"ephemeral",
           {{"volumeClaimTemplate",
             {{"spec",
               {{"accessModes", {"ReadWriteOnce"}},
                {"storageClassName", spec.media_storage_class_name},
                {"resources", {{"requests", {{"storage", spec.media_size_limit}}}}}}}}}}}};
}

}  // namespace

std::vector<std::string> DrillSources(const api::DRDrillSpec& drill, const api::BackupPolicySpec& policy) {
  std::vector<std::string> out;
  for (const std::string& name : drill.sources) {
    if (name == api::kDatabaseSourceName) {
      if (!policy.database) continue;
      for (const std::string& db : policy.database->databases) out.push_back("database:" + db);
    } else {
      out.push_back("media:" + name);
    }
  }
  return out;
}

nlohmann::json BuildDrillJob(const api::DRDrill& drill, const api::BackupPolicySpec& policy, const DrillRunRequest& run,
                             const std::string& default_image) {
  const api::DRDrillSpec& spec = drill.spec;
  AgentJobSpec job;
  job.name = run.job_name;
  job.ns = drill.metadata.namespace_;
  job.owner = {api::kApiVersion, api::kDRDrillKind, drill.metadata.name, drill.metadata.uid};
  job.pod_settings = spec.pod_settings;
  job.default_image = default_image;
  job.labels[kDrillLabel] = drill.metadata.name;
  job.labels[kPolicyLabel] = spec.policy_name;
  job.labels[kTriggerLabel] = run.trigger;
  job.labels[kComponentLabel] = "drill";
  job.args = {"agent", "drill", "--policy", spec.policy_name, "--work-dir", kScratchMountRoot};
  for (const std::string& source : DrillSources(spec, policy)) job.args.insert(job.args.end(), {"--source", source});
  // A point-in-time rehearsal: the scratch server is the recovered cluster (same emptyDir, same
  // server binaries of the image); the database sources name the databases checked in it.
  if (!spec.recovery_target.empty()) job.args.insert(job.args.end(), {"--recovery-target", spec.recovery_target});
  // The run's report goes into the repository, chained to this drill's previous one.
  job.args.insert(job.args.end(), {"--drill", drill.metadata.namespace_ + "/" + drill.metadata.name, "--run", run.job_name,
                                   "--trigger", run.trigger});
  if (!spec.objective_rto.empty()) job.args.insert(job.args.end(), {"--rto-objective", spec.objective_rto});
  if (!spec.objective_rpo.empty()) job.args.insert(job.args.end(), {"--rpo-objective", spec.objective_rpo});
  if (!spec.checks.row_counts) job.args.push_back("--no-row-counts");
  if (!spec.checks.table_checksums) job.args.push_back("--no-table-checksums");
  if (!spec.checks.amcheck) job.args.push_back("--no-amcheck");
  if (spec.checks.heap) job.args.push_back("--heap-check");
  if (!spec.checks.file_checksums) job.args.push_back("--no-file-checksums");
  if (!spec.checks.sql.empty()) job.args.insert(job.args.end(), {"--checks-json", ChecksJson(spec.checks.sql)});
  AddRepository(job, policy.repository);
  job.volumes.push_back({{"name", "scratch"}, {"emptyDir", {{"sizeLimit", spec.postgres_size_limit}}}});
  job.volume_mounts.push_back({{"name", "scratch"}, {"mountPath", kScratchMountRoot}});
  job.volumes.push_back(MediaScratchVolume(spec));
  job.volume_mounts.push_back({{"name", "scratch-media"}, {"mountPath", std::string(kScratchMountRoot) + "/media"}});
  return BuildAgentJob(job);
}

std::vector<SecretKeyNeed> RequiredSecretKeys(const api::DRDrillSpec& drill, const api::BackupPolicySpec& policy) {
  return RepositorySecretKeys(policy.repository, "BackupPolicy " + drill.policy_name + " spec.repository");
}

}  // namespace lifeboat::controllers::drdrill
