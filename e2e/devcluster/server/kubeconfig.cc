#include "e2e/devcluster/server/kubeconfig.h"

#include <sys/stat.h>

#include <fstream>

namespace lifeboat::devcluster {

std::string Base64Encode(std::string_view data) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == data.size()) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string RenderKubeconfig(const KubeconfigParams& p) {
  std::string out;
  out += "apiVersion: v1\n";
  out += "kind: Config\n";
  out += "clusters:\n";
  out += "- name: " + p.name + "\n";
  out += "  cluster:\n";
  out += "    server: " + p.server + "\n";
  out += "    certificate-authority-data: " + Base64Encode(p.ca_cert_pem) + "\n";
  out += "users:\n";
  out += "- name: " + p.name + "\n";
  out += "  user:\n";
  out += "    token: " + p.token + "\n";
  out += "contexts:\n";
  out += "- name: " + p.name + "\n";
  out += "  context:\n";
  out += "    cluster: " + p.name + "\n";
  out += "    user: " + p.name + "\n";
  out += "    namespace: default\n";
  out += "current-context: " + p.name + "\n";
  out += "preferences: {}\n";
  return out;
}

Status WriteKubeconfig(const std::filesystem::path& path, const KubeconfigParams& params) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return InternalError("cannot write kubeconfig " + tmp.string());
    out << RenderKubeconfig(params);
    if (!out.flush()) return InternalError("cannot write kubeconfig " + tmp.string());
  }
  ::chmod(tmp.c_str(), 0600);
  std::filesystem::rename(tmp, path, ec);
  if (ec) return InternalError("cannot write kubeconfig " + path.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace lifeboat::devcluster
