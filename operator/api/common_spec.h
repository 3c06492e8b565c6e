// The spec building blocks the four resources share: references to Secrets and workloads, a
// PostgreSQL connection, a restic repository, Job pod settings and SQL checks. Each has a Parse
// function (reads JSON at a field path, fills the schema's defaults so controllers see the same
// values whether or not the API server defaulted them, and records type/required/enum errors)
// and a Validate function (semantic rules the schema cannot express). Plain values;
// thread-compatible.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/api/field_errors.h"
#include "operator/api/json_fields.h"

namespace lifeboat::api {

struct SecretKeyRef {
  std::string name;
  std::string key;
};

struct WorkloadRef {
  std::string kind;  // "Deployment" or "StatefulSet".
  std::string name;
};

struct PostgresConnection {
  std::string host;
  std::int64_t port = 5432;
  std::string ssl_mode = "prefer";
  std::string credentials_secret;        // Secret name.
  std::string username_key = "username";
  std::string password_key = "password";
  std::optional<SecretKeyRef> ca_secret;  // key defaults to ca.crt
};

struct S3Repository {
  std::string endpoint;
  std::string bucket;
  std::string prefix;
  std::string region;
  std::string credentials_secret;
  std::string access_key_id_key = "AWS_ACCESS_KEY_ID";
  std::string secret_access_key_key = "AWS_SECRET_ACCESS_KEY";
  std::optional<SecretKeyRef> ca_secret;
};

struct ClaimRepository {
  std::string claim_name;
  std::string path;
};

struct Repository {
  std::optional<S3Repository> s3;
  std::optional<ClaimRepository> persistent_volume_claim;
  SecretKeyRef password_secret;  // key defaults to "password"

  // The restic repository URL for the agent: "s3:https://host/bucket/prefix" or, for a claim,
  // the path under `mount_root` where the Job mounts the claim.
  std::string ResticUrl(const std::string& mount_root = "/repository") const;
};

// The user a Job's Pod runs as: the fields of corev1.PodSecurityContext that decide which files
// it may read and write. Unset fields fall back (media source, its workload, podSettings, then the
// image's user 65532); see controllers/common/run_as.h.
struct SecurityContext {
  std::optional<std::int64_t> run_as_user;
  std::optional<std::int64_t> run_as_group;
  std::optional<std::int64_t> fs_group;
  std::optional<std::vector<std::int64_t>> supplemental_groups;
  std::string fs_group_change_policy;  // "" | OnRootMismatch | Always

  bool Empty() const {
    return !run_as_user && !run_as_group && !fs_group && !supplemental_groups && fs_group_change_policy.empty();
  }
};

// The owner every restored file is given (the runbook's `chown -R uid:gid`).
struct FileOwnerSpec {
  std::int64_t uid = 0;
  std::int64_t gid = 0;
};

struct PodSettings {
  std::string image;
  std::string image_pull_policy;
  std::vector<std::string> image_pull_secrets;
  std::string service_account_name;
  nlohmann::json resources;     // corev1.ResourceRequirements as given (null if unset).
  std::map<std::string, std::string> node_selector;
  nlohmann::json tolerations;   // []corev1.Toleration as given (null if unset).
  std::string priority_class_name;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::optional<std::int64_t> active_deadline_seconds;
  std::int64_t backoff_limit = 0;
  std::optional<SecurityContext> security_context;
};

struct SqlCheck {
  std::string name;
  std::string database;  // Empty: the restored database.
  std::string query;
  std::string expected;
};

SecretKeyRef ParseSecretKeyRef(const FieldReader& r, const std::string& default_key);
WorkloadRef ParseWorkloadRef(const FieldReader& r);
PostgresConnection ParseConnection(const FieldReader& r);
Repository ParseRepository(const FieldReader& r);
PodSettings ParsePodSettings(const FieldReader& r);
SecurityContext ParseSecurityContext(const FieldReader& r);
FileOwnerSpec ParseFileOwner(const FieldReader& r);
std::vector<SqlCheck> ParseSqlChecks(const FieldReader& parent, const std::string& key);

void ValidateConnection(const PostgresConnection& c, const std::string& path, FieldErrors* errors);
void ValidateRepository(const Repository& repo, const std::string& path, FieldErrors* errors);
void ValidatePodSettings(const PodSettings& p, const std::string& path, FieldErrors* errors);
void ValidateSecurityContext(const SecurityContext& c, const std::string& path, FieldErrors* errors);
void ValidateFileOwner(const FileOwnerSpec& o, const std::string& path, FieldErrors* errors);
void ValidateSqlChecks(const std::vector<SqlCheck>& checks, const std::string& path, FieldErrors* errors);
void ValidateWorkloads(const std::vector<WorkloadRef>& workloads, const std::string& path, FieldErrors* errors);

}  // namespace lifeboat::api
