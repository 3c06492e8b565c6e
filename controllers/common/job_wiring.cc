#include "controllers/common/job_wiring.h"

namespace lifeboat::controllers {
namespace {

void MountSecret(AgentJobSpec& job, const std::string& volume, const std::string& secret, const std::string& dir) {
  job.volumes.push_back({{"name", volume}, {"secret", {{"secretName", secret}}}});
  job.volume_mounts.push_back({{"name", volume}, {"mountPath", dir}, {"readOnly", true}});
}

}  // namespace

void AddRepository(AgentJobSpec& job, const api::Repository& repo) {
  job.env.push_back(SecretEnv("RESTIC_PASSWORD", repo.password_secret.name, repo.password_secret.key));
  if (repo.persistent_volume_claim) {
    job.volumes.push_back({{"name", "repository"},
                           {"persistentVolumeClaim", {{"claimName", repo.persistent_volume_claim->claim_name}}}});
    job.volume_mounts.push_back({{"name", "repository"}, {"mountPath", kRepositoryMountRoot}});
    job.env.push_back(ValueEnv("LIFEBOAT_REPOSITORY_PATH", repo.ResticUrl(kRepositoryMountRoot)));
  } else if (repo.s3) {
    const api::S3Repository& s3 = *repo.s3;
    job.env.push_back(ValueEnv("LIFEBOAT_S3_ENDPOINT", s3.endpoint));
    job.env.push_back(ValueEnv("LIFEBOAT_S3_BUCKET", s3.bucket));
    if (!s3.prefix.empty()) job.env.push_back(ValueEnv("LIFEBOAT_S3_PREFIX", s3.prefix));
    if (!s3.region.empty()) job.env.push_back(ValueEnv("LIFEBOAT_S3_REGION", s3.region));
    job.env.push_back(SecretEnv("AWS_ACCESS_KEY_ID", s3.credentials_secret, s3.access_key_id_key));
    job.env.push_back(SecretEnv("AWS_SECRET_ACCESS_KEY", s3.credentials_secret, s3.secret_access_key_key));
    if (s3.ca_secret) {
      MountSecret(job, "repository-ca", s3.ca_secret->name, kRepositoryCaDir);
      job.env.push_back(ValueEnv("LIFEBOAT_CA_BUNDLE", std::string(kRepositoryCaDir) + "/" + s3.ca_secret->key));
    }
  }
}

void AddPostgres(AgentJobSpec& job, const api::PostgresConnection& c) {
  job.env.push_back(ValueEnv("PGHOST", c.host));
  job.env.push_back(ValueEnv("PGPORT", std::to_string(c.port)));
  job.env.push_back(ValueEnv("PGSSLMODE", c.ssl_mode));
  job.env.push_back(SecretEnv("PGUSER", c.credentials_secret, c.username_key));
  job.env.push_back(SecretEnv("PGPASSWORD", c.credentials_secret, c.password_key));
  if (c.ca_secret) {
    MountSecret(job, "postgres-ca", c.ca_secret->name, kPostgresCaDir);
    job.env.push_back(ValueEnv("PGSSLROOTCERT", std::string(kPostgresCaDir) + "/" + c.ca_secret->key));
  }
}

void AddScratch(AgentJobSpec& job) {
  job.volumes.push_back({{"name", "work"}, {"emptyDir", nlohmann::json::object()}});
  job.volume_mounts.push_back({{"name", "work"}, {"mountPath", kWorkDir}});
  job.env.push_back(ValueEnv("LIFEBOAT_WORK_DIR", kWorkDir));
}

std::vector<SecretKeyNeed> RepositorySecretKeys(const api::Repository& repo, const std::string& field) {
  std::vector<SecretKeyNeed> needs;
  needs.push_back({repo.password_secret.name, repo.password_secret.key, field + ".encryption.passwordSecret"});
  if (repo.s3) {
    needs.push_back({repo.s3->credentials_secret, repo.s3->access_key_id_key, field + ".s3.credentialsSecret"});
    needs.push_back({repo.s3->credentials_secret, repo.s3->secret_access_key_key, field + ".s3.credentialsSecret"});
    if (repo.s3->ca_secret) needs.push_back({repo.s3->ca_secret->name, repo.s3->ca_secret->key, field + ".s3.caSecret"});
  }
  return needs;
}

std::vector<SecretKeyNeed> ConnectionSecretKeys(const api::PostgresConnection& c, const std::string& field) {
  std::vector<SecretKeyNeed> needs;
  needs.push_back({c.credentials_secret, c.username_key, field + ".credentialsSecret"});
  needs.push_back({c.credentials_secret, c.password_key, field + ".credentialsSecret"});
  if (c.ca_secret) needs.push_back({c.ca_secret->name, c.ca_secret->key, field + ".caSecret"});
  return needs;
}

}  // namespace lifeboat::controllers
