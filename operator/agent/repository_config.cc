#include "operator/agent/repository_config.h"

namespace lifeboat::agent {
namespace {

bool Has(const std::map<std::string, std::string>& env, const char* name) {
  auto it = env.find(name);
  return it != env.end() && !it->second.empty();
}

std::string TrimSlashes(std::string s) {
  while (!s.empty() && s.front() == '/') s.erase(0, 1);
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::string RedactRepositoryLocation(const std::string& location) {
  auto scheme = location.find("://");
  if (scheme == std::string::npos) return location;
  auto host_start = scheme + 3;
  auto slash = location.find('/', host_start);
  auto at = location.rfind('@', slash == std::string::npos ? std::string::npos : slash);
  if (at == std::string::npos || at < host_start) return location;
  return location.substr(0, host_start) + location.substr(at + 1);
}

StatusOr<ResticInvocation> BuildResticInvocation(const RepositoryConfig& config,
                                                 const std::map<std::string, std::string>& environment) {
  int kinds = (!config.path.empty() ? 1 : 0) + (!config.s3.bucket.empty() ? 1 : 0) + (!config.url.empty() ? 1 : 0);
  if (kinds == 0) {
    return InvalidArgumentError(
        "no repository given: set --repository-path, --s3-bucket (with --s3-endpoint) or --repository-url");
  }
  if (kinds > 1) {
    return InvalidArgumentError(
        "more than one repository given: use only one of --repository-path, --s3-bucket, --repository-url");
  }
  if (!Has(environment, kResticPasswordEnv) && !Has(environment, kResticPasswordFileEnv)) {
    return InvalidArgumentError(
        "the repository password is missing: set the RESTIC_PASSWORD or RESTIC_PASSWORD_FILE environment variable");
  }
  ResticInvocation out;
  std::string location;
  if (!config.path.empty()) {
    if (config.path.front() != '/') return InvalidArgumentError("--repository-path must be absolute, got \"" + config.path + "\"");
    location = config.path;
    out.local_path = config.path;
    out.group = config.group;
  } else if (!config.s3.bucket.empty()) {
    if (config.s3.endpoint.empty()) return InvalidArgumentError("--s3-endpoint is required with --s3-bucket");
    if (config.s3.bucket.find('/') != std::string::npos) {
      return InvalidArgumentError("--s3-bucket must be a bucket name without '/', got \"" + config.s3.bucket + "\"");
    }
    if (!Has(environment, kAwsAccessKeyEnv) || !Has(environment, kAwsSecretKeyEnv)) {
      return InvalidArgumentError(
          "S3 credentials are missing: set the AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY environment variables");
    }
    std::string endpoint = config.s3.endpoint;
    while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    if (endpoint.find("://") == std::string::npos) endpoint = "https://" + endpoint;
    if (endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0) {
      return InvalidArgumentError("--s3-endpoint must use http or https, got \"" + config.s3.endpoint + "\"");
    }
    location = "s3:" + endpoint + "/" + config.s3.bucket;
    std::string prefix = TrimSlashes(config.s3.prefix);
    if (!prefix.empty()) location += "/" + prefix;
    if (!config.s3.region.empty()) out.env["AWS_DEFAULT_REGION"] = config.s3.region;
  } else {
    location = config.url;
  }
  out.env["RESTIC_REPOSITORY"] = location;
  out.display_location = RedactRepositoryLocation(location);
  if (!config.ca_bundle.empty()) {
    out.global_flags.push_back("--cacert");
    out.global_flags.push_back(config.ca_bundle);
  }
  return out;
}

}  // namespace lifeboat::agent
