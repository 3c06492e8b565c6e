// Kubeconfig: the client configuration file the devcluster writes for kubectl, python3-kubernetes
// and the operator (cluster with embedded CA data, a bearer-token user, one current context).
// Pure rendering plus one atomic file write; thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

struct KubeconfigParams {
  std::string server;      // "https://127.0.0.1:6443"
  std::string ca_cert_pem; // embedded as certificate-authority-data
  std::string token;
  std::string name = "lifeboat-devcluster";  // cluster, user and context name
};

// The kubeconfig YAML text.
std::string RenderKubeconfig(const KubeconfigParams& params);

// Writes RenderKubeconfig(params) to `path` (mode 0600, via a temp file and rename).
Status WriteKubeconfig(const std::filesystem::path& path, const KubeconfigParams& params);

// Standard base64 (RFC 4648, with padding).
std::string Base64Encode(std::string_view data);

}  // namespace lifeboat::devcluster
