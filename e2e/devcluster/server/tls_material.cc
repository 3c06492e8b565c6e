#include "e2e/devcluster/server/tls_material.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <sstream>

namespace lifeboat::devcluster {
namespace {

struct PkeyDeleter { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct X509Deleter { void operator()(X509* p) const { X509_free(p); } };
struct BioDeleter { void operator()(BIO* p) const { BIO_free(p); } };
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

std::string OpenSslError(const std::string& what) {
  unsigned long code = ERR_get_error();
  char buffer[256] = {0};
  if (code != 0) ERR_error_string_n(code, buffer, sizeof(buffer));
  ERR_clear_error();
  return what + ": " + (code != 0 ? buffer : "unknown OpenSSL error");
}

StatusOr<PkeyPtr> NewEcKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return InternalError(OpenSslError("generating EC key"));
  return key;
}

Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return InternalError(OpenSslError(std::string("creating extension ") + value));
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return InternalError(OpenSslError("adding extension"));
  return Status::Ok();
}

StatusOr<X509Ptr> NewCertificate(EVP_PKEY* key, const std::string& common_name, X509* issuer,
                                 EVP_PKEY* issuer_key, bool is_ca) {
  X509Ptr cert(X509_new());
  if (!cert) return InternalError(OpenSslError("allocating certificate"));
  X509_set_version(cert.get(), 2);
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof(serial_bytes)) != 1) return InternalError(OpenSslError("serial"));
  serial_bytes[0] &= 0x7f;
  BIGNUM* serial = BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr);
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert.get()));
  BN_free(serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 3650);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (is_ca) {
    LIFEBOAT_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE"));
    LIFEBOAT_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"));
    LIFEBOAT_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash"));
  } else {
    LIFEBOAT_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE"));
    LIFEBOAT_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature,keyEncipherment"));
    LIFEBOAT_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth"));
    LIFEBOAT_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_subject_alt_name,
                                          "IP:127.0.0.1,DNS:localhost"));
    LIFEBOAT_RETURN_IF_ERROR(AddExtension(cert.get(), signer, NID_authority_key_identifier, "keyid:always"));
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
    return InternalError(OpenSslError("signing certificate"));
  }
  return cert;
}

std::string CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

StatusOr<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Status WriteFile(const std::filesystem::path& path, const std::string& content, bool secret) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return InternalError("cannot write " + tmp.string());
    out << content;
    if (!out.flush()) return InternalError("cannot write " + tmp.string());
  }
  if (secret) ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return InternalError("cannot rename " + tmp.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

StatusOr<TlsMaterial> GenerateTlsMaterial() {
  auto ca_key = NewEcKey();
  if (!ca_key.ok()) return ca_key.status();
  auto ca_cert = NewCertificate(ca_key->get(), "lifeboat-devcluster-ca", nullptr, ca_key->get(), true);
  if (!ca_cert.ok()) return ca_cert.status();
  auto server_key = NewEcKey();
  if (!server_key.ok()) return server_key.status();
  auto server_cert = NewCertificate(server_key->get(), "lifeboat-devcluster", ca_cert->get(),
                                    ca_key->get(), false);
  if (!server_cert.ok()) return server_cert.status();

  unsigned char token_bytes[32];
  if (RAND_bytes(token_bytes, sizeof(token_bytes)) != 1) return InternalError(OpenSslError("token"));
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : token_bytes) {
    token.push_back(kHex[b >> 4]);
    token.push_back(kHex[b & 15]);
  }
  return TlsMaterial{CertPem(ca_cert->get()), CertPem(server_cert->get()), KeyPem(server_key->get()), token};
}

StatusOr<TlsMaterial> LoadOrCreateTlsMaterial(const std::filesystem::path& pki_dir) {
  const auto ca = pki_dir / "ca.crt";
  const auto cert = pki_dir / "server.crt";
  const auto key = pki_dir / "server.key";
  const auto token = pki_dir / "token";
  auto ca_pem = ReadFile(ca);
  auto cert_pem = ReadFile(cert);
  auto key_pem = ReadFile(key);
  auto token_text = ReadFile(token);
  if (ca_pem.ok() && cert_pem.ok() && key_pem.ok() && token_text.ok() && !token_text->empty()) {
    std::string t = *token_text;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    return TlsMaterial{*ca_pem, *cert_pem, *key_pem, t};
  }
  std::error_code ec;
  std::filesystem::create_directories(pki_dir, ec);
  if (ec) return InternalError("cannot create " + pki_dir.string() + ": " + ec.message());
  auto material = GenerateTlsMaterial();
  if (!material.ok()) return material.status();
  LIFEBOAT_RETURN_IF_ERROR(WriteFile(ca, material->ca_cert_pem, false));
  LIFEBOAT_RETURN_IF_ERROR(WriteFile(cert, material->server_cert_pem, false));
  LIFEBOAT_RETURN_IF_ERROR(WriteFile(key, material->server_key_pem, true));
  LIFEBOAT_RETURN_IF_ERROR(WriteFile(token, material->token + "\n", true));
  return material;
}

}  // namespace lifeboat::devcluster
