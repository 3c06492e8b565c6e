// JobWiring: how every agent Job reaches what it works on, defined once for every controller: the
// backup repository (its claim or S3 endpoint, password, credentials and CA), a PostgreSQL server
// (host, port, TLS mode and CA, user and password) and scratch space. Everything reaches the agent
// as environment variables its flags read (`docs/agent.md`); credentials only as secretKeyRef,
// never as values. Also the Secret keys each of them needs, so a controller refuses to start a Job
// that could not start. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "controllers/common/agent_job.h"
#include "operator/api/common_spec.h"

namespace lifeboat::controllers {

// Where Jobs mount things.
inline constexpr char kRepositoryMountRoot[] = "/repository";
inline constexpr char kMediaMountRoot[] = "/media";
// Not /work: in the test control plane the host's /work holds the binaries.
inline constexpr char kWorkDir[] = "/scratch";
inline constexpr char kRepositoryCaDir[] = "/etc/lifeboat/repository-ca";
inline constexpr char kPostgresCaDir[] = "/etc/lifeboat/postgres-ca";

// The repository: RESTIC_PASSWORD; LIFEBOAT_REPOSITORY_PATH for a claim (mounted at
// kRepositoryMountRoot), or LIFEBOAT_S3_* with AWS_* credentials; the CA bundle mounted from its
// Secret (LIFEBOAT_CA_BUNDLE).
void AddRepository(AgentJobSpec& job, const api::Repository& repository);
// The server: PGHOST, PGPORT, PGSSLMODE, PGUSER and PGPASSWORD, the CA mounted (PGSSLROOTCERT).
void AddPostgres(AgentJobSpec& job, const api::PostgresConnection& connection);
// An emptyDir at kWorkDir (LIFEBOAT_WORK_DIR): dumps in transit, directory-format dumps.
void AddScratch(AgentJobSpec& job);

// A Secret key a Job reads, with the spec field that names it.
struct SecretKeyNeed {
  std::string secret;
  std::string key;
  std::string field;  // "spec.repository.encryption.passwordSecret"
};
// `field` names the repository (e.g. "spec.repository") or the connection
// ("spec.database.connection") in the messages.
std::vector<SecretKeyNeed> RepositorySecretKeys(const api::Repository& repository, const std::string& field);
std::vector<SecretKeyNeed> ConnectionSecretKeys(const api::PostgresConnection& connection, const std::string& field);

}  // namespace lifeboat::controllers
