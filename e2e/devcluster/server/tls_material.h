// TlsMaterial: the devcluster's certificate authority, its serving certificate (IP SAN 127.0.0.1,
// DNS SAN localhost) and the bearer token clients must present. Generated with OpenSSL on first
// start and kept under <data-dir>/pki/ so a restarted server keeps serving the same CA and token
// (kubeconfigs and running operators stay valid, as with a real control plane).
// Values are immutable once loaded; LoadOrCreateTlsMaterial is not safe to call concurrently for the
// same directory.
#pragma once

#include <filesystem>
#include <string>

#include "operator/core/status.h"

namespace lifeboat::devcluster {

struct TlsMaterial {
  std::string ca_cert_pem;      // The CA clients trust (certificate-authority-data).
  std::string server_cert_pem;  // Serving certificate signed by the CA.
  std::string server_key_pem;   // Private key of the serving certificate.
  std::string token;            // Bearer token accepted by the server (hex, 64 characters).
};

// Loads ca.crt, server.crt, server.key and token from `pki_dir`, or creates all of them (fresh EC
// P-256 keys, 10-year validity) when any is missing. Files holding secrets are written mode 0600.
StatusOr<TlsMaterial> LoadOrCreateTlsMaterial(const std::filesystem::path& pki_dir);

// Generates new material without touching the disk.
StatusOr<TlsMaterial> GenerateTlsMaterial();

}  // namespace lifeboat::devcluster
