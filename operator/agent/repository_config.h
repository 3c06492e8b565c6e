// RepositoryConfig: where a restic repository lives (a local/PVC path, an S3-compatible bucket, or a
// raw restic URL) and the pure function that turns it into the environment and flags restic needs.
// Secrets are never part of this struct: the password (RESTIC_PASSWORD / RESTIC_PASSWORD_FILE) and
// S3 credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN) stay in the
// environment, which children inherit. Plain value type; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/core/status.h"

namespace lifeboat::agent {

struct S3Location {
  std::string endpoint;  // "https://s3.example.com", "http://127.0.0.1:9000" or "s3.example.com" (https).
  std::string bucket;
  std::string prefix;    // Optional folder inside the bucket.
  std::string region;    // Optional; exported as AWS_DEFAULT_REGION.
};

struct RepositoryConfig {
  std::string path;      // Local or mounted (PVC) directory.
  S3Location s3;         // Used when s3.bucket is set.
  std::string url;       // A raw restic repository string ("rest:...", "s3:..."), used when set.
  std::string ca_bundle; // Optional PEM file passed to restic --cacert.
  // A local (claim) repository is kept group-shared for this group, so Jobs running as different
  // users (one per media owner) use it together (shared_repository.h). Unset: not shared.
  std::optional<std::uint32_t> group;
};

// The environment variable names of the secrets the agent reads (never from flags).
inline constexpr const char* kResticPasswordEnv = "RESTIC_PASSWORD";
inline constexpr const char* kResticPasswordFileEnv = "RESTIC_PASSWORD_FILE";
inline constexpr const char* kAwsAccessKeyEnv = "AWS_ACCESS_KEY_ID";
inline constexpr const char* kAwsSecretKeyEnv = "AWS_SECRET_ACCESS_KEY";

// What restic children get: environment overrides and global flags.
struct ResticInvocation {
  std::map<std::string, std::string> env;  // RESTIC_REPOSITORY, AWS_DEFAULT_REGION.
  std::vector<std::string> global_flags;   // --cacert FILE.
  std::string display_location;            // The repository string with any userinfo removed.
  std::string local_path;                  // Set for a local/PVC repository.
  std::optional<std::uint32_t> group;      // RepositoryConfig::group, for a local repository.
};

// Checks exactly one location kind is given and the secrets it needs are present in `environment`
// (name -> value; only presence is checked), then builds the invocation. Errors are
// InvalidArgument and name the flag or environment variable to fix.
StatusOr<ResticInvocation> BuildResticInvocation(const RepositoryConfig& config,
                                                 const std::map<std::string, std::string>& environment);

// Removes "user:password@" from a URL-like repository string for display.
std::string RedactRepositoryLocation(const std::string& location);

}  // namespace lifeboat::agent
