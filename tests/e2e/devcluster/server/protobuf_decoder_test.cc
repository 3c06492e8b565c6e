#include "e2e/devcluster/server/protobuf_decoder.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

// Minimal protobuf encoding helpers for building test bodies.
std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string Bytes(int field, const std::string& value) { return Varint(static_cast<uint64_t>(field) << 3 | 2) + Varint(value.size()) + value; }
std::string Int(int field, uint64_t value) { return Varint(static_cast<uint64_t>(field) << 3) + Varint(value); }
std::string MapEntry(int field, const std::string& key, const std::string& value) {
  return Bytes(field, Bytes(1, key) + Bytes(2, value));
}
std::string Envelope(const std::string& api_version, const std::string& kind, const std::string& raw) {
  return std::string("k8s\0", 4) + Bytes(1, Bytes(1, api_version) + Bytes(2, kind)) + Bytes(2, raw) + Bytes(3, "") + Bytes(4, "");
}

TEST(ProtobufDecoderTest, DecodesConfigMapLikeItsJsonForm) {
  // As Go's generated marshaller writes it: empty strings and the zero Time are present.
  std::string meta = Bytes(1, "cm") + Bytes(2, "") + Bytes(3, "ns") + Bytes(5, "") + Int(7, 0) + Bytes(8, "") +
                     MapEntry(11, "app", "web");
  std::string raw = Bytes(1, meta) + MapEntry(2, "a", "b") + MapEntry(3, "bin", std::string("\x00\xff", 2)) + Int(4, 0);
  auto decoded = DecodeKubernetesProtobuf(Envelope("v1", "ConfigMap", raw));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, nlohmann::json::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "cm", "namespace": "ns", "labels": {"app": "web"}},
    "data": {"a": "b"}, "binaryData": {"bin": "AP8="}, "immutable": false})"));
}

TEST(ProtobufDecoderTest, DecodesSecretDataAsBase64AndTimestamps) {
  std::string meta = Bytes(1, "s") + Bytes(8, Int(1, 1767225600));  // 2026-01-01T00:00:00Z
  std::string raw = Bytes(1, meta) + MapEntry(2, "password", "hunter2") + Bytes(3, "Opaque");
  auto decoded = DecodeKubernetesProtobuf(Envelope("v1", "Secret", raw));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ((*decoded)["data"]["password"], "aHVudGVyMg==");
  EXPECT_EQ((*decoded)["type"], "Opaque");
  EXPECT_EQ((*decoded)["metadata"]["creationTimestamp"], "2026-01-01T00:00:00Z");
}

TEST(ProtobufDecoderTest, DecodesNamespaceWithNestedMessages) {
  std::string raw = Bytes(1, Bytes(1, "team-a")) + Bytes(2, Bytes(1, "kubernetes")) + Bytes(3, "");
  auto decoded = DecodeKubernetesProtobuf(Envelope("v1", "Namespace", raw));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, nlohmann::json::parse(R"({"apiVersion": "v1", "kind": "Namespace",
    "metadata": {"name": "team-a"}, "spec": {"finalizers": ["kubernetes"]}})"));
}

TEST(ProtobufDecoderTest, ReportsUnsupportedKindsAndFields) {
  auto deployment = DecodeKubernetesProtobuf(Envelope("apps/v1", "StatefulSet", ""));
  ASSERT_FALSE(deployment.ok());
  EXPECT_EQ(deployment.status().code(), StatusCode::kFailedPrecondition);
  auto unknown_field = DecodeKubernetesProtobuf(Envelope("v1", "ConfigMap", Bytes(99, "x")));
  ASSERT_FALSE(unknown_field.ok());
  EXPECT_EQ(unknown_field.status().code(), StatusCode::kFailedPrecondition);
}

TEST(ProtobufDecoderTest, RejectsMalformedBodies) {
  EXPECT_EQ(DecodeKubernetesProtobuf("{}").status().code(), StatusCode::kInvalidArgument);
  std::string truncated = Envelope("v1", "ConfigMap", Bytes(1, Bytes(1, "cm")));
  truncated.resize(truncated.size() - 6);  // drops the trailing fields and cuts into raw
  EXPECT_FALSE(DecodeKubernetesProtobuf(truncated).ok());
}

}  // namespace
}  // namespace lifeboat::devcluster
