#include "operator/kube/credentials.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace lifeboat::kube {

std::string EncodeBase64(std::string_view bytes) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Credentials::Credentials(const KubeConfig& config) {
  if (!config.token.empty()) {
    static_header_ = "Bearer " + config.token;
  } else if (!config.token_file.empty()) {
    token_file_ = config.token_file;
  } else if (!config.username.empty()) {
    static_header_ = "Basic " + EncodeBase64(config.username + ":" + config.password);
  }
}

std::string Credentials::AuthorizationHeader() {
  if (token_file_.empty()) return static_header_;
  std::lock_guard lock(mutex_);
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(token_file_, ec);
  if (ec) return file_header_;  // Keep the last token while the file is being replaced.
  if (mtime != token_mtime_ || file_header_.empty()) {
    std::ifstream in(token_file_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
    if (!token.empty()) {
      file_header_ = "Bearer " + token;
      token_mtime_ = mtime;
    }
  }
  return file_header_;
}

}  // namespace lifeboat::kube
