#include "e2e/devcluster/server/protobuf_decoder.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "e2e/devcluster/server/kubeconfig.h"
#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

enum class FieldType {
  kString,
  kInt,
  kBool,
  kBytes,             // base64 in JSON
  kMessage,           // nested message (`message` names it)
  kRepeatedString,
  kRepeatedMessage,
  kMapStringString,
  kMapStringBytes,
  kMapStringQuantity, // map<string, resource.Quantity {string=1}>
  kQuantity,          // resource.Quantity {string=1} → "500m"
  kTime,              // metav1.Time {seconds=1, nanos=2} → RFC 3339
};

struct FieldSpec {
  int number;
  const char* name;
  FieldType type;
  const char* message = nullptr;
  bool pointer = false;  // Go pointer: present even when zero
};

using MessageSpec = std::vector<FieldSpec>;

// Field numbers from the Kubernetes generated.proto files (k8s.io/api core/v1, apimachinery meta/v1).
const std::map<std::string, MessageSpec>& Messages() {
  static const std::map<std::string, MessageSpec> kMessages = {
      {"ObjectMeta",
       {{1, "name", FieldType::kString},
        {2, "generateName", FieldType::kString},
        {3, "namespace", FieldType::kString},
        {4, "selfLink", FieldType::kString},
        {5, "uid", FieldType::kString},
        {6, "resourceVersion", FieldType::kString},
        {7, "generation", FieldType::kInt},
        {8, "creationTimestamp", FieldType::kTime},
        {9, "deletionTimestamp", FieldType::kTime, nullptr, true},
        {10, "deletionGracePeriodSeconds", FieldType::kInt, nullptr, true},
        {11, "labels", FieldType::kMapStringString},
        {12, "annotations", FieldType::kMapStringString},
        {13, "ownerReferences", FieldType::kRepeatedMessage, "OwnerReference"},
        {14, "finalizers", FieldType::kRepeatedString}}},
      {"OwnerReference",
       {{1, "kind", FieldType::kString},
        {3, "name", FieldType::kString},
        {4, "uid", FieldType::kString},
        {5, "apiVersion", FieldType::kString},
        {6, "controller", FieldType::kBool, nullptr, true},
        {7, "blockOwnerDeletion", FieldType::kBool, nullptr, true}}},
      {"Namespace",
       {{1, "metadata", FieldType::kMessage, "ObjectMeta"},
        {2, "spec", FieldType::kMessage, "NamespaceSpec"},
        {3, "status", FieldType::kMessage, "NamespaceStatus"}}},
      {"NamespaceSpec", {{1, "finalizers", FieldType::kRepeatedString}}},
      {"NamespaceStatus", {{1, "phase", FieldType::kString}}},
      {"ConfigMap",
       {{1, "metadata", FieldType::kMessage, "ObjectMeta"},
        {2, "data", FieldType::kMapStringString},
        {3, "binaryData", FieldType::kMapStringBytes},
        {4, "immutable", FieldType::kBool, nullptr, true}}},
      {"Secret",
       {{1, "metadata", FieldType::kMessage, "ObjectMeta"},
        {2, "data", FieldType::kMapStringBytes},
        {3, "type", FieldType::kString},
        {4, "stringData", FieldType::kMapStringString},
        {5, "immutable", FieldType::kBool, nullptr, true}}},
      {"ServiceAccount",
       {{1, "metadata", FieldType::kMessage, "ObjectMeta"},
        {2, "secrets", FieldType::kRepeatedMessage, "ObjectReference"},
        {3, "imagePullSecrets", FieldType::kRepeatedMessage, "LocalObjectReference"},
        {4, "automountServiceAccountToken", FieldType::kBool, nullptr, true}}},
      {"ObjectReference",
       {{1, "kind", FieldType::kString},
        {2, "namespace", FieldType::kString},
        {3, "name", FieldType::kString},
        {4, "uid", FieldType::kString},
        {5, "apiVersion", FieldType::kString},
        {6, "resourceVersion", FieldType::kString},
        {7, "fieldPath", FieldType::kString}}},
      {"LocalObjectReference", {{1, "name", FieldType::kString}}},
      {"LabelSelector",
       {{1, "matchLabels", FieldType::kMapStringString},
        {2, "matchExpressions", FieldType::kRepeatedMessage, "LabelSelectorRequirement"}}},
      {"LabelSelectorRequirement",
       {{1, "key", FieldType::kString}, {2, "operator", FieldType::kString}, {3, "values", FieldType::kRepeatedString}}},
      {"Pod",
       {{1, "metadata", FieldType::kMessage, "ObjectMeta"}, {2, "spec", FieldType::kMessage, "PodSpec"}}},
      {"PodTemplateSpec",
       {{1, "metadata", FieldType::kMessage, "ObjectMeta"}, {2, "spec", FieldType::kMessage, "PodSpec"}}},
      {"PodSpec",
       {{2, "containers", FieldType::kRepeatedMessage, "Container"},
        {3, "restartPolicy", FieldType::kString},
        {4, "terminationGracePeriodSeconds", FieldType::kInt, nullptr, true},
        {5, "activeDeadlineSeconds", FieldType::kInt, nullptr, true},
        {6, "dnsPolicy", FieldType::kString},
        {7, "nodeSelector", FieldType::kMapStringString},
        {8, "serviceAccountName", FieldType::kString},
        {9, "serviceAccount", FieldType::kString},
        {10, "nodeName", FieldType::kString},
        {15, "imagePullSecrets", FieldType::kRepeatedMessage, "LocalObjectReference"},
        {16, "hostname", FieldType::kString},
        {17, "subdomain", FieldType::kString},
        {19, "schedulerName", FieldType::kString},
        {20, "initContainers", FieldType::kRepeatedMessage, "Container"},
        {21, "automountServiceAccountToken", FieldType::kBool, nullptr, true},
        {24, "priorityClassName", FieldType::kString}}},
      {"Container",
       {{1, "name", FieldType::kString},
        {2, "image", FieldType::kString},
        {3, "command", FieldType::kRepeatedString},
        {4, "args", FieldType::kRepeatedString},
        {5, "workingDir", FieldType::kString},
        {6, "ports", FieldType::kRepeatedMessage, "ContainerPort"},
        {7, "env", FieldType::kRepeatedMessage, "EnvVar"},
        {8, "resources", FieldType::kMessage, "ResourceRequirements"},
        {13, "terminationMessagePath", FieldType::kString},
        {14, "imagePullPolicy", FieldType::kString},
        {16, "stdin", FieldType::kBool},
        {17, "stdinOnce", FieldType::kBool},
        {18, "tty", FieldType::kBool},
        {20, "terminationMessagePolicy", FieldType::kString}}},
      {"ContainerPort",
       {{1, "name", FieldType::kString},
        {2, "hostPort", FieldType::kInt},
        {3, "containerPort", FieldType::kInt},
        {4, "protocol", FieldType::kString},
        {5, "hostIP", FieldType::kString}}},
      {"EnvVar", {{1, "name", FieldType::kString}, {2, "value", FieldType::kString}}},
      {"ResourceRequirements",
       {{1, "limits", FieldType::kMapStringQuantity}, {2, "requests", FieldType::kMapStringQuantity}}},
      {"Deployment",
       {{1, "metadata", FieldType::kMessage, "ObjectMeta"}, {2, "spec", FieldType::kMessage, "DeploymentSpec"}}},
      {"DeploymentSpec",
       {{1, "replicas", FieldType::kInt, nullptr, true},
        {2, "selector", FieldType::kMessage, "LabelSelector"},
        {3, "template", FieldType::kMessage, "PodTemplateSpec"},
        {4, "strategy", FieldType::kMessage, "DeploymentStrategy"},
        {5, "minReadySeconds", FieldType::kInt},
        {6, "revisionHistoryLimit", FieldType::kInt, nullptr, true},
        {7, "paused", FieldType::kBool},
        {9, "progressDeadlineSeconds", FieldType::kInt, nullptr, true}}},
      {"DeploymentStrategy", {{1, "type", FieldType::kString}}},
      {"Job",
       {{1, "metadata", FieldType::kMessage, "ObjectMeta"}, {2, "spec", FieldType::kMessage, "JobSpec"}}},
      {"JobSpec",
       {{1, "parallelism", FieldType::kInt, nullptr, true},
        {2, "completions", FieldType::kInt, nullptr, true},
        {3, "activeDeadlineSeconds", FieldType::kInt, nullptr, true},
        {4, "selector", FieldType::kMessage, "LabelSelector"},
        {5, "manualSelector", FieldType::kBool, nullptr, true},
        {6, "template", FieldType::kMessage, "PodTemplateSpec"},
        {7, "backoffLimit", FieldType::kInt, nullptr, true},
        {8, "ttlSecondsAfterFinished", FieldType::kInt, nullptr, true},
        {10, "suspend", FieldType::kBool, nullptr, true}}},
  };
  return kMessages;
}

// Top-level kinds this decoder accepts, by apiVersion and kind.
const char* TopLevelMessage(const std::string& api_version, const std::string& kind) {
  if (api_version == "apps/v1" && kind == "Deployment") return "Deployment";
  if (api_version == "batch/v1" && kind == "Job") return "Job";
  if (api_version != "v1") return nullptr;
  for (const char* k : {"Namespace", "ConfigMap", "Secret", "ServiceAccount", "Pod"}) {
    if (kind == k) return k;
  }
  return nullptr;
}

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool Done() const { return pos_ >= data_.size(); }

  StatusOr<uint64_t> Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return InvalidArgumentError("truncated protobuf varint");
      uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return InvalidArgumentError("protobuf varint too long");
  }

  StatusOr<std::string_view> Bytes() {
    auto length = Varint();
    if (!length.ok()) return length.status();
    if (*length > data_.size() - pos_) return InvalidArgumentError("truncated protobuf field");
    std::string_view out = data_.substr(pos_, *length);
    pos_ += *length;
    return out;
  }

  Status Skip(int wire_type) {
    switch (wire_type) {
      case 0: return Varint().status();
      case 1: return Advance(8);
      case 2: return Bytes().status();
      case 5: return Advance(4);
      default: return InvalidArgumentError("unsupported protobuf wire type " + std::to_string(wire_type));
    }
  }

 private:
  Status Advance(size_t n) {
    if (n > data_.size() - pos_) return InvalidArgumentError("truncated protobuf field");
    pos_ += n;
    return Status::Ok();
  }
  std::string_view data_;
  size_t pos_ = 0;
};

StatusOr<nlohmann::json> DecodeMessage(std::string_view data, const std::string& message);

// True when `data` parses as a message whose every field is zero (0 varints, empty or all-zero
// nested messages): what Go's marshaller writes for unset non-pointer fields such as an empty
// `status: {}`. Such fields carry no information, so fields this decoder does not model may be
// skipped when they are zero.
bool IsZeroEncoded(std::string_view data, int depth = 0);

StatusOr<std::pair<std::string, std::string>> DecodeMapEntry(std::string_view data) {
  Reader reader(data);
  std::pair<std::string, std::string> entry;
  while (!reader.Done()) {
    auto tag = reader.Varint();
    if (!tag.ok()) return tag.status();
    int number = static_cast<int>(*tag >> 3);
    int wire = static_cast<int>(*tag & 7);
    if (wire != 2 || (number != 1 && number != 2)) {
      LIFEBOAT_RETURN_IF_ERROR(reader.Skip(wire));
      continue;
    }
    auto bytes = reader.Bytes();
    if (!bytes.ok()) return bytes.status();
    (number == 1 ? entry.first : entry.second) = std::string(*bytes);
  }
  return entry;
}

StatusOr<nlohmann::json> DecodeTime(std::string_view data) {
  Reader reader(data);
  int64_t seconds = 0;
  bool has_seconds = false;
  while (!reader.Done()) {
    auto tag = reader.Varint();
    if (!tag.ok()) return tag.status();
    int number = static_cast<int>(*tag >> 3);
    int wire = static_cast<int>(*tag & 7);
    if (number == 1 && wire == 0) {
      auto v = reader.Varint();
      if (!v.ok()) return v.status();
      seconds = static_cast<int64_t>(*v);
      has_seconds = true;
    } else {
      LIFEBOAT_RETURN_IF_ERROR(reader.Skip(wire));
    }
  }
  // Go's zero time.Time encodes as seconds -62135596800 (year 1): it means "unset".
  // An empty message is how Kubernetes encodes the zero Time.
  if (!has_seconds || seconds <= -62135596800LL) return nlohmann::json(nullptr);
  return nlohmann::json(FormatRfc3339(WallTime{} + std::chrono::seconds(seconds)));
}

bool IsZeroEncoded(std::string_view data, int depth) {
  if (depth > 16) return false;
  Reader reader(data);
  while (!reader.Done()) {
    auto tag = reader.Varint();
    if (!tag.ok()) return false;
    int wire = static_cast<int>(*tag & 7);
    if (wire == 0) {
      auto v = reader.Varint();
      if (!v.ok() || *v != 0) return false;
    } else if (wire == 2) {
      auto bytes = reader.Bytes();
      if (!bytes.ok() || !IsZeroEncoded(*bytes, depth + 1)) return false;
    } else {
      return false;
    }
  }
  return true;
}

StatusOr<std::string> DecodeQuantity(std::string_view data) {
  Reader reader(data);
  std::string out;
  while (!reader.Done()) {
    auto tag = reader.Varint();
    if (!tag.ok()) return tag.status();
    if ((*tag >> 3) == 1 && (*tag & 7) == 2) {
      auto bytes = reader.Bytes();
      if (!bytes.ok()) return bytes.status();
      out = std::string(*bytes);
    } else {
      LIFEBOAT_RETURN_IF_ERROR(reader.Skip(static_cast<int>(*tag & 7)));
    }
  }
  return out;
}

bool IsZero(const nlohmann::json& value) {
  if (value.is_null()) return true;
  if (value.is_string()) return value.get_ref<const std::string&>().empty();
  if (value.is_number_integer()) return value.get<int64_t>() == 0;
  if (value.is_boolean()) return !value.get<bool>();
  if (value.is_object() || value.is_array()) return value.empty();
  return false;
}

StatusOr<nlohmann::json> DecodeMessage(std::string_view data, const std::string& message) {
  auto spec_it = Messages().find(message);
  if (spec_it == Messages().end()) return FailedPreconditionError("no protobuf schema for " + message);
  const MessageSpec& spec = spec_it->second;
  nlohmann::json out = nlohmann::json::object();
  std::map<int, bool> pointer_fields;
  Reader reader(data);
  while (!reader.Done()) {
    auto tag = reader.Varint();
    if (!tag.ok()) return tag.status();
    int number = static_cast<int>(*tag >> 3);
    int wire = static_cast<int>(*tag & 7);
    const FieldSpec* field = nullptr;
    for (const auto& f : spec) {
      if (f.number == number) field = &f;
    }
    if (field == nullptr) {
      // A field this decoder does not model: fine when it is zero (Go writes unset fields), an
      // error otherwise (its value would be lost).
      bool zero = false;
      if (wire == 0) {
        auto v = reader.Varint();
        if (!v.ok()) return v.status();
        zero = *v == 0;
      } else if (wire == 2) {
        auto bytes = reader.Bytes();
        if (!bytes.ok()) return bytes.status();
        zero = IsZeroEncoded(*bytes);
      } else {
        LIFEBOAT_RETURN_IF_ERROR(reader.Skip(wire));
      }
      if (!zero) {
        return FailedPreconditionError("unsupported protobuf field " + std::to_string(number) + " in " + message);
      }
      continue;
    }
    switch (field->type) {
      case FieldType::kInt:
      case FieldType::kBool: {
        if (wire != 0) return InvalidArgumentError(std::string("bad wire type for ") + field->name);
        auto v = reader.Varint();
        if (!v.ok()) return v.status();
        if (field->type == FieldType::kBool) {
          out[field->name] = *v != 0;
        } else {
          out[field->name] = static_cast<int64_t>(*v);
        }
        break;
      }
      default: {
        if (wire != 2) return InvalidArgumentError(std::string("bad wire type for ") + field->name);
        auto bytes = reader.Bytes();
        if (!bytes.ok()) return bytes.status();
        switch (field->type) {
          case FieldType::kString:
            out[field->name] = std::string(*bytes);
            break;
          case FieldType::kBytes:
            out[field->name] = Base64Encode(*bytes);
            break;
          case FieldType::kMessage: {
            auto nested = DecodeMessage(*bytes, field->message);
            if (!nested.ok()) return nested.status();
            out[field->name] = *nested;
            break;
          }
          case FieldType::kRepeatedString:
            out[field->name].push_back(std::string(*bytes));
            break;
          case FieldType::kRepeatedMessage: {
            auto nested = DecodeMessage(*bytes, field->message);
            if (!nested.ok()) return nested.status();
            out[field->name].push_back(*nested);
            break;
          }
          case FieldType::kMapStringString:
          case FieldType::kMapStringBytes: {
            auto entry = DecodeMapEntry(*bytes);
            if (!entry.ok()) return entry.status();
            out[field->name][entry->first] =
                field->type == FieldType::kMapStringBytes ? Base64Encode(entry->second) : entry->second;
            break;
          }
          case FieldType::kQuantity: {
            auto quantity = DecodeQuantity(*bytes);
            if (!quantity.ok()) return quantity.status();
            out[field->name] = *quantity;
            break;
          }
          case FieldType::kMapStringQuantity: {
            auto entry = DecodeMapEntry(*bytes);
            if (!entry.ok()) return entry.status();
            auto quantity = DecodeQuantity(entry->second);
            if (!quantity.ok()) return quantity.status();
            out[field->name][entry->first] = *quantity;
            break;
          }
          case FieldType::kTime: {
            auto time = DecodeTime(*bytes);
            if (!time.ok()) return time.status();
            out[field->name] = *time;
            break;
          }
          default:
            break;
        }
      }
    }
    if (field->pointer) pointer_fields[number] = true;
  }
  // Omit zero values of non-pointer fields, as the object's JSON form (omitempty) does.
  for (const auto& f : spec) {
    if (!out.contains(f.name)) continue;
    if (!pointer_fields.count(f.number) && IsZero(out[f.name])) out.erase(f.name);
  }
  return out;
}

}  // namespace

StatusOr<nlohmann::json> DecodeKubernetesProtobuf(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) return InvalidArgumentError("protobuf body without the k8s envelope");
  Reader reader(body.substr(4));
  std::string api_version, kind, content_encoding;
  std::string_view raw;
  while (!reader.Done()) {
    auto tag = reader.Varint();
    if (!tag.ok()) return tag.status();
    int number = static_cast<int>(*tag >> 3);
    int wire = static_cast<int>(*tag & 7);
    if (wire != 2) {
      LIFEBOAT_RETURN_IF_ERROR(reader.Skip(wire));
      continue;
    }
    auto bytes = reader.Bytes();
    if (!bytes.ok()) return bytes.status();
    if (number == 1) {
      Reader type_meta(*bytes);
      while (!type_meta.Done()) {
        auto t = type_meta.Varint();
        if (!t.ok()) return t.status();
        if ((*t & 7) != 2) {
          LIFEBOAT_RETURN_IF_ERROR(type_meta.Skip(static_cast<int>(*t & 7)));
          continue;
        }
        auto value = type_meta.Bytes();
        if (!value.ok()) return value.status();
        if ((*t >> 3) == 1) api_version = std::string(*value);
        if ((*t >> 3) == 2) kind = std::string(*value);
      }
    } else if (number == 2) {
      raw = *bytes;
    } else if (number == 3) {
      content_encoding = std::string(*bytes);
    }
  }
  if (!content_encoding.empty()) return FailedPreconditionError("unsupported protobuf content encoding " + content_encoding);
  const char* message = TopLevelMessage(api_version, kind);
  if (message == nullptr) {
    return FailedPreconditionError("protobuf bodies are not supported for " + api_version + ", Kind=" + kind);
  }
  auto object = DecodeMessage(raw, message);
  if (!object.ok()) return object.status();
  nlohmann::json out = {{"apiVersion", api_version}, {"kind", kind}};
  for (auto it = object->begin(); it != object->end(); ++it) out[it.key()] = it.value();
  return out;
}

}  // namespace lifeboat::devcluster
