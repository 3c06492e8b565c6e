#include "operator/api/common_spec.h"

#include <set>

#include "operator/api/validation.h"

namespace lifeboat::api {

SecretKeyRef ParseSecretKeyRef(const FieldReader& r, const std::string& default_key) {
  SecretKeyRef ref;
  ref.name = r.String("name", true).value_or("");
  ref.key = r.String("key", default_key.empty()).value_or(default_key);
  return ref;
}

WorkloadRef ParseWorkloadRef(const FieldReader& r) {
  WorkloadRef ref;
  ref.kind = r.Enum("kind", {"Deployment", "StatefulSet"}, true).value_or("");
  ref.name = r.String("name", true).value_or("");
  return ref;
}

PostgresConnection ParseConnection(const FieldReader& r) {
  PostgresConnection c;
  c.host = r.String("host", true).value_or("");
  c.port = r.Int("port").value_or(5432);
  c.ssl_mode = r.Enum("sslMode", {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}).value_or("prefer");
  if (std::optional<FieldReader> creds = r.Object("credentialsSecret", true)) {
    c.credentials_secret = creds->String("name", true).value_or("");
    c.username_key = creds->String("usernameKey").value_or("username");
    c.password_key = creds->String("passwordKey").value_or("password");
  }
  if (std::optional<FieldReader> ca = r.Object("caSecret")) c.ca_secret = ParseSecretKeyRef(*ca, "ca.crt");
  return c;
}

Repository ParseRepository(const FieldReader& r) {
  Repository repo;
  if (std::optional<FieldReader> s3 = r.Object("s3")) {
    S3Repository s;
    s.endpoint = s3->String("endpoint", true).value_or("");
    s.bucket = s3->String("bucket", true).value_or("");
    s.prefix = s3->String("prefix").value_or("");
    s.region = s3->String("region").value_or("");
    if (std::optional<FieldReader> creds = s3->Object("credentialsSecret", true)) {
      s.credentials_secret = creds->String("name", true).value_or("");
      s.access_key_id_key = creds->String("accessKeyIDKey").value_or("AWS_ACCESS_KEY_ID");
      s.secret_access_key_key = creds->String("secretAccessKeyKey").value_or("AWS_SECRET_ACCESS_KEY");
    }
    if (std::optional<FieldReader> ca = s3->Object("caSecret")) s.ca_secret = ParseSecretKeyRef(*ca, "ca.crt");
    repo.s3 = s;
  }
  if (std::optional<FieldReader> pvc = r.Object("persistentVolumeClaim")) {
    ClaimRepository c;
    c.claim_name = pvc->String("claimName", true).value_or("");
    c.path = pvc->String("path").value_or("");
    repo.persistent_volume_claim = c;
  }
  if (std::optional<FieldReader> encryption = r.Object("encryption", true)) {
    if (std::optional<FieldReader> password = encryption->Object("passwordSecret", true)) {
      repo.password_secret = ParseSecretKeyRef(*password, "password");
    }
  }
  return repo;
}

std::string Repository::ResticUrl(const std::string& mount_root) const {
  if (s3) {
    std::string endpoint = s3->endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    std::string url = "s3:" + endpoint + "/" + s3->bucket;
    if (!s3->prefix.empty()) url += "/" + s3->prefix;
    return url;
  }
  if (persistent_volume_claim) {
    return persistent_volume_claim->path.empty() ? mount_root : mount_root + "/" + persistent_volume_claim->path;
  }
  return "";
}

PodSettings ParsePodSettings(const FieldReader& r) {
  PodSettings p;
  p.image = r.String("image").value_or("");
  p.image_pull_policy = r.Enum("imagePullPolicy", {"Always", "IfNotPresent", "Never"}).value_or("");
  for (const FieldReader& secret : r.ObjectList("imagePullSecrets")) {
    p.image_pull_secrets.push_back(secret.String("name", true).value_or(""));
  }
  p.service_account_name = r.String("serviceAccountName").value_or("");
  p.resources = r.Raw("resources");
  p.node_selector = r.StringMap("nodeSelector");
  p.tolerations = r.Raw("tolerations");
  p.priority_class_name = r.String("priorityClassName").value_or("");
  p.labels = r.StringMap("labels");
  p.annotations = r.StringMap("annotations");
  p.active_deadline_seconds = r.Int("activeDeadlineSeconds");
  p.backoff_limit = r.Int("backoffLimit").value_or(0);
  if (std::optional<FieldReader> c = r.Object("securityContext")) p.security_context = ParseSecurityContext(*c);
  return p;
}

SecurityContext ParseSecurityContext(const FieldReader& r) {
  SecurityContext c;
  c.run_as_user = r.Int("runAsUser");
  c.run_as_group = r.Int("runAsGroup");
  c.fs_group = r.Int("fsGroup");
  const nlohmann::json groups = r.Raw("supplementalGroups");
  if (groups.is_array()) {
    c.supplemental_groups.emplace();
    for (size_t i = 0; i < groups.size(); ++i) {
      if (groups[i].is_number_integer()) {
        c.supplemental_groups->push_back(groups[i].get<std::int64_t>());
      } else {
        r.errors()->TypeInvalid(r.PathOf("supplementalGroups") + "[" + std::to_string(i) + "]", groups[i].type_name(), "integer");
      }
    }
  } else if (!groups.is_null()) {
    r.errors()->TypeInvalid(r.PathOf("supplementalGroups"), groups.type_name(), "array");
  }
  c.fs_group_change_policy = r.Enum("fsGroupChangePolicy", {"OnRootMismatch", "Always"}).value_or("");
  return c;
}

FileOwnerSpec ParseFileOwner(const FieldReader& r) {
  FileOwnerSpec o;
  o.uid = r.Int("uid", true).value_or(0);
  o.gid = r.Int("gid", true).value_or(0);
  return o;
}

std::vector<SqlCheck> ParseSqlChecks(const FieldReader& parent, const std::string& key) {
  std::vector<SqlCheck> checks;
  for (const FieldReader& r : parent.ObjectList(key)) {
    SqlCheck c;
    c.name = r.String("name", true).value_or("");
    c.database = r.String("database").value_or("");
    c.query = r.String("query", true).value_or("");
    // An empty expected result is legitimate (a query that must return no rows).
    std::optional<std::string> expected = r.String("expected");
    if (!expected) r.errors()->Required(r.PathOf("expected"), "write \"\" for a query that must return no rows");
    c.expected = expected.value_or("");
    checks.push_back(c);
  }
  return checks;
}

void ValidateConnection(const PostgresConnection& c, const std::string& path, FieldErrors* errors) {
  if (c.port < 1 || c.port > 65535) {
    errors->Invalid(path + ".port", std::to_string(c.port), "must be between 1 and 65535, inclusive");
  }
  if (!c.credentials_secret.empty()) ValidateDnsSubdomain(c.credentials_secret, path + ".credentialsSecret.name", errors);
  if (c.ca_secret && !c.ca_secret->name.empty()) ValidateDnsSubdomain(c.ca_secret->name, path + ".caSecret.name", errors);
  if ((c.ssl_mode == "verify-ca" || c.ssl_mode == "verify-full") && !c.ca_secret) {
    errors->Required(path + ".caSecret", "sslMode " + c.ssl_mode + " needs the CA certificate to verify the server with");
  }
}

void ValidateRepository(const Repository& repo, const std::string& path, FieldErrors* errors) {
  if (repo.s3 && repo.persistent_volume_claim) {
    errors->Forbidden(path, "set exactly one of s3 or persistentVolumeClaim, not both");
  } else if (!repo.s3 && !repo.persistent_volume_claim) {
    errors->Required(path, "set exactly one of s3 or persistentVolumeClaim");
  }
  if (repo.s3) {
    const std::string s3 = path + ".s3";
    if (!repo.s3->endpoint.empty() && repo.s3->endpoint.rfind("http://", 0) != 0 &&
        repo.s3->endpoint.rfind("https://", 0) != 0) {
      errors->Invalid(s3 + ".endpoint", Quote(repo.s3->endpoint), "must start with http:// or https://");
    }
    if (!repo.s3->prefix.empty() && repo.s3->prefix[0] == '/') {
      errors->Invalid(s3 + ".prefix", Quote(repo.s3->prefix), "must not start with '/'");
    }
    if (!repo.s3->credentials_secret.empty()) ValidateDnsSubdomain(repo.s3->credentials_secret, s3 + ".credentialsSecret.name", errors);
  }
  if (repo.persistent_volume_claim) {
    const std::string pvc = path + ".persistentVolumeClaim";
    if (!repo.persistent_volume_claim->claim_name.empty()) {
      ValidateDnsSubdomain(repo.persistent_volume_claim->claim_name, pvc + ".claimName", errors);
    }
    ValidateSubPath(repo.persistent_volume_claim->path, pvc + ".path", errors);
  }
  if (!repo.password_secret.name.empty()) {
    ValidateDnsSubdomain(repo.password_secret.name, path + ".encryption.passwordSecret.name", errors);
  }
}

void ValidatePodSettings(const PodSettings& p, const std::string& path, FieldErrors* errors) {
  if (!p.service_account_name.empty()) ValidateDnsSubdomain(p.service_account_name, path + ".serviceAccountName", errors);
  if (p.backoff_limit < 0 || p.backoff_limit > 10) {
    errors->Invalid(path + ".backoffLimit", std::to_string(p.backoff_limit), "must be between 0 and 10, inclusive");
  }
  if (p.active_deadline_seconds && *p.active_deadline_seconds < 1) {
    errors->Invalid(path + ".activeDeadlineSeconds", std::to_string(*p.active_deadline_seconds),
                    "must be greater than or equal to 1");
  }
  if (!p.resources.is_null() && !p.resources.is_object()) errors->TypeInvalid(path + ".resources", p.resources.type_name(), "object");
  if (!p.tolerations.is_null() && !p.tolerations.is_array()) errors->TypeInvalid(path + ".tolerations", p.tolerations.type_name(), "array");
  for (const auto& [key, value] : p.labels) ValidateLabel(key, value, path + ".labels", errors);
  if (p.security_context) ValidateSecurityContext(*p.security_context, path + ".securityContext", errors);
}

namespace {

// A user or group id as Kubernetes accepts it (0 to 2147483647).
void ValidateId(const std::optional<std::int64_t>& id, const std::string& path, FieldErrors* errors) {
  if (id && (*id < 0 || *id > 2147483647)) {
    errors->Invalid(path, std::to_string(*id), "must be between 0 and 2147483647, inclusive");
  }
}

}  // namespace

void ValidateSecurityContext(const SecurityContext& c, const std::string& path, FieldErrors* errors) {
  ValidateId(c.run_as_user, path + ".runAsUser", errors);
  ValidateId(c.run_as_group, path + ".runAsGroup", errors);
  ValidateId(c.fs_group, path + ".fsGroup", errors);
  if (c.supplemental_groups) {
    for (size_t i = 0; i < c.supplemental_groups->size(); ++i) {
      ValidateId((*c.supplemental_groups)[i], path + ".supplementalGroups[" + std::to_string(i) + "]", errors);
    }
  }
}

void ValidateFileOwner(const FileOwnerSpec& o, const std::string& path, FieldErrors* errors) {
  ValidateId(o.uid, path + ".uid", errors);
  ValidateId(o.gid, path + ".gid", errors);
}

void ValidateSqlChecks(const std::vector<SqlCheck>& checks, const std::string& path, FieldErrors* errors) {
  std::set<std::string> names;
  for (size_t i = 0; i < checks.size(); ++i) {
    const std::string item = path + "[" + std::to_string(i) + "]";
    if (!checks[i].name.empty() && ValidateDnsLabel(checks[i].name, item + ".name", errors) &&
        !names.insert(checks[i].name).second) {
      errors->Duplicate(item + ".name", Quote(checks[i].name));
    }
  }
}

void ValidateWorkloads(const std::vector<WorkloadRef>& workloads, const std::string& path, FieldErrors* errors) {
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < workloads.size(); ++i) {
    const std::string item = path + "[" + std::to_string(i) + "]";
    if (workloads[i].name.empty()) continue;
    ValidateDnsSubdomain(workloads[i].name, item + ".name", errors);
    if (!seen.insert({workloads[i].kind, workloads[i].name}).second) {
      errors->Duplicate(item, Quote(workloads[i].kind + "/" + workloads[i].name));
    }
  }
}

}  // namespace lifeboat::api
