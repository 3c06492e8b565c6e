// KubeConfig: where the API server is and how to authenticate to it, loaded from a kubeconfig file
// (kubectl's format: current context or --context, bearer token or token file, client certificate
// and key, CA as files or inline *-data, insecure-skip-tls-verify, basic auth) or from the
// in-cluster service account (KUBERNETES_SERVICE_HOST/PORT, token file, ca.crt, namespace).
// Every malformed kubeconfig is an InvalidArgument naming the file and what is wrong with it.
// Loaded values are plain data; the functions are thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "operator/core/status.h"

namespace lifeboat::kube {

struct KubeConfig {
  std::string server;              // "https://127.0.0.1:6443" (no trailing slash).
  std::string ca_pem;              // Trusted CA certificates (PEM), empty for the system's.
  std::string client_cert_pem;     // Client certificate chain (PEM), with client_key_pem.
  std::string client_key_pem;
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;     // Overrides the name checked in the server certificate.
  std::string token;               // Static bearer token.
  std::string token_file;          // Bearer token re-read from this file when it changes.
  std::string username;            // Basic auth (with password).
  std::string password;
  std::string ns;                  // The context's namespace ("" when unset).
  std::string source;              // "kubeconfig /path (context x)" or "in-cluster": for logs.
};

// Reads an environment variable; nullopt when unset. Injected so tests do not touch the process env.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
EnvLookup ProcessEnv();

// Parses kubeconfig text. Relative file references resolve against `base_dir`; `context` selects a
// context other than current-context. `origin` names the file in error messages.
StatusOr<KubeConfig> ParseKubeconfig(std::string_view yaml_text, const std::filesystem::path& base_dir,
                                     std::string_view context, std::string_view origin);

// Reads and parses a kubeconfig file.
StatusOr<KubeConfig> LoadKubeconfigFile(const std::filesystem::path& path, std::string_view context);

// The in-cluster configuration: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT with the
// service account files under `account_dir` (token, ca.crt, namespace).
inline constexpr std::string_view kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";
StatusOr<KubeConfig> LoadInClusterConfig(const EnvLookup& env,
                                         const std::filesystem::path& account_dir = kServiceAccountDir);

// The configuration the operator uses, first match wins: `kubeconfig` (the --kubeconfig flag or
// $KUBECONFIG; a ':'-separated list uses its first existing file), the in-cluster service account when
// KUBERNETES_SERVICE_HOST is set, then $HOME/.kube/config.
StatusOr<KubeConfig> ResolveKubeConfig(std::string_view kubeconfig, std::string_view context, const EnvLookup& env,
                                       const std::filesystem::path& account_dir = kServiceAccountDir);

// Strict standard base64 (padding required, whitespace ignored), as kubeconfig *-data fields use.
StatusOr<std::string> DecodeBase64(std::string_view text);

}  // namespace lifeboat::kube
