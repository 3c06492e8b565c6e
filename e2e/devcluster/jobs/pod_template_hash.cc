#include "e2e/devcluster/jobs/pod_template_hash.h"

#include "e2e/devcluster/jobs/job_pod_builder.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

uint32_t Fnv1a(uint32_t hash, const void* data, size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 16777619u;
  }
  return hash;
}

json WithoutHash(json pod_template) {
  if (!pod_template.is_object()) return pod_template;
  auto metadata = pod_template.find("metadata");
  if (metadata == pod_template.end() || !metadata->is_object()) return pod_template;
  auto labels = metadata->find("labels");
  if (labels != metadata->end() && labels->is_object()) {
    labels->erase(kPodTemplateHashLabel);
    if (labels->empty()) metadata->erase("labels");
  }
  return pod_template;
}

}  // namespace

std::string PodTemplateHash(const json& pod_template, std::optional<int64_t> collision_count) {
  const std::string text = pod_template.dump();
  uint32_t hash = Fnv1a(2166136261u, text.data(), text.size());
  if (collision_count) {
    // As controller.ComputeHash: the count's four little-endian bytes are hashed too.
    const auto count = static_cast<uint32_t>(*collision_count);
    const unsigned char bytes[4] = {static_cast<unsigned char>(count), static_cast<unsigned char>(count >> 8),
                                    static_cast<unsigned char>(count >> 16), static_cast<unsigned char>(count >> 24)};
    hash = Fnv1a(hash, bytes, sizeof(bytes));
  }
  // rand.SafeEncodeString(fmt.Sprint(hash)): every decimal digit mapped onto the alphabet.
  std::string out;
  for (char digit : std::to_string(hash)) {
    out.push_back(kNameSuffixAlphabet[static_cast<size_t>(digit) % kNameSuffixAlphabet.size()]);
  }
  return out;
}

bool EqualIgnoreHash(const json& a, const json& b) { return WithoutHash(a) == WithoutHash(b); }

}  // namespace lifeboat::devcluster
