#include "e2e/devcluster/store/continue_token.h"

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster {
namespace {

constexpr const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64UrlEncode(const std::string& in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    for (int shift : {18, 12}) out += kAlphabet[(v >> shift) & 63];
  } else if (i + 2 == in.size()) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
    for (int shift : {18, 12, 6}) out += kAlphabet[(v >> shift) & 63];
  }
  return out;
}

bool Base64UrlDecode(std::string_view in, std::string& out) {
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int value;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    else if (c >= '0' && c <= '9') value = c - '0' + 52;
    else if (c == '-' || c == '+') value = 62;
    else if (c == '_' || c == '/') value = 63;
    else return false;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return true;
}

}  // namespace

std::string EncodeContinueToken(const ContinueToken& token) {
  // Field order as the real server writes it (v, rv, start).
  std::string body = "{\"v\":\"meta.k8s.io/v1\",\"rv\":" + std::to_string(token.resource_version) +
                     ",\"start\":" + nlohmann::json(token.start_key).dump() + "}";
  return Base64UrlEncode(body);
}

StatusOr<ContinueToken> DecodeContinueToken(std::string_view text) {
  std::string decoded;
  if (!Base64UrlDecode(text, decoded)) return InvalidArgumentError("continue key is not valid: illegal base64 data");
  nlohmann::json body = nlohmann::json::parse(decoded, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return InvalidArgumentError("continue key is not valid: invalid character in continue key");
  if (body.value("v", "") != "meta.k8s.io/v1")
    return InvalidArgumentError("continue key is not valid: server does not recognize this encoded key");
  if (!body.contains("rv") || !body["rv"].is_number_unsigned() || !body.contains("start") || !body["start"].is_string())
    return InvalidArgumentError("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
  ContinueToken token;
  token.resource_version = body["rv"].get<uint64_t>();
  token.start_key = body["start"].get<std::string>();
  if (token.start_key.empty() || token.start_key.find("..") != std::string::npos || token.start_key[0] == '/')
    return InvalidArgumentError("continue key is not valid: key is not valid");
  return token;
}

}  // namespace lifeboat::devcluster
