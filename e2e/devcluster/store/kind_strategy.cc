#include "e2e/devcluster/store/kind_strategy.h"

#include <algorithm>
#include <functional>
#include <regex>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

std::string Quoted(const std::string& text) { return json(text).dump(); }

const json& At(const json& object, std::initializer_list<const char*> keys) {
  static const json kNull;
  const json* current = &object;
  for (const char* key : keys) {
    if (!current->is_object()) return kNull;
    auto it = current->find(key);
    if (it == current->end()) return kNull;
    current = &*it;
  }
  return *current;
}

json& Ensure(json& object, const char* key) {
  if (!object[key].is_object()) object[key] = json::object();
  return object[key];
}

void Default(json& object, const char* key, json value) {
  if (!object.contains(key) || object[key].is_null()) object[key] = std::move(value);
}

bool IsKind(const ResourceInfo& info, const char* group, const char* kind) {
  return !info.custom && info.group == group && info.kind == kind;
}

const char* kSubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kLabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* kDns1035Message =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const std::regex& SubdomainRegex() {
  static const std::regex r("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  return r;
}
const std::regex& LabelRegex() {
  static const std::regex r("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  return r;
}
const std::regex& Dns1035Regex() {
  static const std::regex r("^[a-z]([-a-z0-9]*[a-z0-9])?$");
  return r;
}
const std::regex& QualifiedNamePartRegex() {
  static const std::regex r("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");
  return r;
}
const std::regex& LabelValueRegex() {
  static const std::regex r("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
  return r;
}

// Validation of a qualified name (label key, annotation key, finalizer): optional DNS subdomain
// prefix and a name part.
void ValidateQualifiedName(const std::string& value, const std::string& field, std::vector<ApiCause>& causes) {
  std::string name = value;
  if (auto slash = value.find('/'); slash != std::string::npos) {
    std::string prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      causes.push_back({"FieldValueInvalid", "Invalid value: " + Quoted(value) + ": prefix part must be non-empty", field});
    } else if (prefix.size() > 253 || !std::regex_match(prefix, SubdomainRegex())) {
      causes.push_back({"FieldValueInvalid",
                        "Invalid value: " + Quoted(value) + ": prefix part " + kSubdomainMessage, field});
    }
  }
  if (name.empty()) {
    causes.push_back({"FieldValueInvalid", "Invalid value: " + Quoted(value) + ": name part must be non-empty", field});
  } else if (name.size() > 63) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + Quoted(value) + ": name part must be no more than 63 characters", field});
  } else if (!std::regex_match(name, QualifiedNamePartRegex())) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + Quoted(value) +
                          ": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                          "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
                          "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                      field});
  }
}

void ValidateReplicas(const json& spec, const std::string& base, const char* key, std::vector<ApiCause>& causes) {
  const json& value = At(spec, {key});
  if (value.is_number_integer() && value.get<int64_t>() < 0) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + value.dump() + ": must be greater than or equal to 0", base + "." + key});
  }
}

void ValidateContainers(const json& pod_spec, const std::string& base, std::vector<ApiCause>& causes) {
  const json& containers = At(pod_spec, {"containers"});
  if (!containers.is_array() || containers.empty()) {
    causes.push_back({"FieldValueRequired", "Required value", base + ".containers"});
  }
  for (const char* list : {"initContainers", "containers"}) {
    const json& items = At(pod_spec, {list});
    if (!items.is_array()) continue;
    for (size_t i = 0; i < items.size(); ++i) {
      std::string field = base + "." + list + "[" + std::to_string(i) + "]";
      std::string name = At(items[i], {"name"}).is_string() ? items[i]["name"].get<std::string>() : "";
      if (name.empty()) {
        causes.push_back({"FieldValueRequired", "Required value", field + ".name"});
      } else if (!std::regex_match(name, LabelRegex())) {
        causes.push_back({"FieldValueInvalid", "Invalid value: " + Quoted(name) + ": " + kLabelMessage, field + ".name"});
      }
      if (!At(items[i], {"image"}).is_string() || items[i]["image"].get<std::string>().empty())
        causes.push_back({"FieldValueRequired", "Required value", field + ".image"});
    }
  }
}

void ValidateSelectorMatchesTemplate(const json& spec, std::vector<ApiCause>& causes) {
  const json& selector = At(spec, {"selector"});
  if (!selector.is_object()) {
    causes.push_back({"FieldValueRequired", "Required value", "spec.selector"});
    return;
  }
  const json& labels = At(spec, {"template", "metadata", "labels"});
  bool matches = true;
  const json& match_labels = At(selector, {"matchLabels"});
  if (match_labels.is_object()) {
    for (auto it = match_labels.begin(); it != match_labels.end(); ++it) {
      if (!labels.is_object() || !labels.contains(it.key()) || labels[it.key()] != it.value()) matches = false;
    }
  }
  if (match_labels.empty() && !At(selector, {"matchExpressions"}).is_array()) {
    causes.push_back({"FieldValueInvalid", "Invalid value: " + selector.dump() + ": empty selector is invalid for deployment",
                      "spec.selector"});
  }
  if (!matches) {
    std::string shown = "map[string]string{";
    bool first = true;
    if (labels.is_object()) {
      for (auto it = labels.begin(); it != labels.end(); ++it) {
        if (!first) shown += ", ";
        first = false;
        shown += Quoted(it.key()) + ":" + (it.value().is_string() ? Quoted(it.value().get<std::string>()) : it.value().dump());
      }
    }
    shown += "}";
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + shown + ": `selector` does not match template `labels`",
                      "spec.template.metadata.labels"});
  }
}

void DefaultPodSpec(json& spec, bool default_restart_policy = true) {
  if (!spec.is_object()) return;
  // A Job's template keeps an empty restartPolicy (validation then asks for one, as the real server does).
  if (default_restart_policy) Default(spec, "restartPolicy", "Always");
  Default(spec, "dnsPolicy", "ClusterFirst");
  Default(spec, "schedulerName", "default-scheduler");
  Default(spec, "terminationGracePeriodSeconds", 30);
  Default(spec, "securityContext", json::object());
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (json& container : spec[list]) {
      if (!container.is_object()) continue;
      Default(container, "terminationMessagePath", "/dev/termination-log");
      Default(container, "terminationMessagePolicy", "File");
      Default(container, "resources", json::object());
      if (!container.contains("imagePullPolicy")) {
        std::string image = container.value("image", "");
        std::string last = image.substr(image.rfind('/') == std::string::npos ? 0 : image.rfind('/') + 1);
        bool latest = image.find('@') == std::string::npos &&
                      (last.find(':') == std::string::npos || last.substr(last.find(':') + 1) == "latest");
        container["imagePullPolicy"] = latest ? "Always" : "IfNotPresent";
      }
      if (container.contains("ports") && container["ports"].is_array())
        for (json& port : container["ports"])
          if (port.is_object()) Default(port, "protocol", "TCP");
    }
  }
  if (spec.contains("volumes") && spec["volumes"].is_array()) {
    for (json& volume : spec["volumes"]) {
      for (const char* source : {"secret", "configMap"})
        if (volume.is_object() && volume.contains(source) && volume[source].is_object())
          Default(volume[source], "defaultMode", 420);
    }
  }
}

void DefaultTemplate(json& spec, bool default_restart_policy = true) {
  if (!spec.is_object() || !spec.contains("template") || !spec["template"].is_object()) return;
  json& tmpl = spec["template"];
  if (tmpl.contains("spec")) DefaultPodSpec(tmpl["spec"], default_restart_policy);
  if (tmpl.contains("metadata") && tmpl["metadata"].is_object()) Default(tmpl["metadata"], "creationTimestamp", nullptr);
}

// A stable short hash (10 characters of the alphabet Kubernetes uses for generated names).
std::string ShortHash(const std::string& text) {
  static const char* kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  size_t value = std::hash<std::string>{}(text);
  std::string out;
  for (int i = 0; i < 10; ++i) {
    out += kAlphabet[value % 27];
    value /= 27;
    if (value == 0) value = std::hash<std::string>{}(text + out);
  }
  return out;
}

}  // namespace

bool TracksGeneration(const ResourceInfo& info) {
  return info.custom || IsKind(info, "apps", "Deployment") || IsKind(info, "apps", "ReplicaSet") ||
         IsKind(info, "apps", "StatefulSet") ||
         IsKind(info, "batch", "Job") || IsKind(info, "apiextensions.k8s.io", "CustomResourceDefinition");
}

bool GenerationChanged(const ResourceInfo& info, const json& old, const json& updated) {
  if (!TracksGeneration(info)) return false;
  if (info.custom) {
    json a = old, b = updated;
    for (json* o : {&a, &b}) {
      o->erase("metadata");
      if (info.has_status) o->erase("status");
      o->erase("apiVersion");
      o->erase("kind");
    }
    return a != b;
  }
  return At(old, {"spec"}) != At(updated, {"spec"});
}

void PrepareStatusForCreate(const ResourceInfo& info, json& object) {
  if (info.custom) {
    if (info.has_status) object.erase("status");
    return;
  }
  if (IsKind(info, "", "Namespace")) {
    object["status"] = {{"phase", "Active"}};
  } else if (IsKind(info, "", "Pod")) {
    object["status"] = {{"phase", "Pending"}, {"qosClass", "BestEffort"}};
  } else if (IsKind(info, "", "Service")) {
    object["status"] = {{"loadBalancer", json::object()}};
  } else if (IsKind(info, "", "PersistentVolumeClaim")) {
    // The devcluster provisions claims at once (a directory under the data dir): Bound.
    json status = {{"phase", "Bound"}};
    const json& modes = At(object, {"spec", "accessModes"});
    if (modes.is_array()) status["accessModes"] = modes;
    const json& requests = At(object, {"spec", "resources", "requests"});
    if (requests.is_object()) status["capacity"] = requests;
    object["status"] = std::move(status);
  } else if (IsKind(info, "apps", "Deployment") || IsKind(info, "apps", "StatefulSet") || IsKind(info, "batch", "Job")) {
    object["status"] = json::object();
    if (IsKind(info, "apps", "StatefulSet")) object["status"] = {{"replicas", 0}, {"availableReplicas", 0}};
  } else if (IsKind(info, "apps", "ReplicaSet")) {
    object["status"] = {{"replicas", 0}};  // ReplicaSetStatus.replicas is not omitempty
  } else if (IsKind(info, "apiextensions.k8s.io", "CustomResourceDefinition")) {
    object.erase("status");
  }
}

void ApplyKindDefaults(const ResourceInfo& info, json& object) {
  if (info.custom) return;
  const std::string uid = At(object, {"metadata", "uid"}).is_string() ? object["metadata"]["uid"].get<std::string>() : "";
  const std::string name = At(object, {"metadata", "name"}).is_string() ? object["metadata"]["name"].get<std::string>() : "";
  if (IsKind(info, "", "Namespace")) {
    json& spec = Ensure(object, "spec");
    Default(spec, "finalizers", json::array({"kubernetes"}));
    Ensure(Ensure(object, "metadata"), "labels")["kubernetes.io/metadata.name"] = name;
  } else if (IsKind(info, "", "Secret")) {
    Default(object, "type", "Opaque");
    if (object.contains("stringData") && object["stringData"].is_object()) {
      json& data = Ensure(object, "data");
      for (auto it = object["stringData"].begin(); it != object["stringData"].end(); ++it) {
        if (!it.value().is_string()) continue;
        static const char* kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const std::string in = it.value().get<std::string>();
        std::string out;
        size_t i = 0;
        for (; i + 2 < in.size(); i += 3) {
          unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
          out += kB64[(v >> 18) & 63]; out += kB64[(v >> 12) & 63]; out += kB64[(v >> 6) & 63]; out += kB64[v & 63];
        }
        if (i + 1 == in.size()) {
          unsigned v = static_cast<unsigned char>(in[i]) << 16;
          out += kB64[(v >> 18) & 63]; out += kB64[(v >> 12) & 63]; out += "==";
        } else if (i + 2 == in.size()) {
          unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
          out += kB64[(v >> 18) & 63]; out += kB64[(v >> 12) & 63]; out += kB64[(v >> 6) & 63]; out += '=';
        }
        data[it.key()] = out;
      }
      object.erase("stringData");
    }
  } else if (IsKind(info, "", "Service")) {
    json& spec = Ensure(object, "spec");
    Default(spec, "type", "ClusterIP");
    Default(spec, "sessionAffinity", "None");
    if (spec["type"] != "ExternalName") {
      if (!spec.contains("clusterIP")) {
        size_t h = std::hash<std::string>{}(uid);
        spec["clusterIP"] = "10.96." + std::to_string((h >> 8) % 256) + "." + std::to_string(1 + h % 254);
      }
      Default(spec, "clusterIPs", json::array({spec["clusterIP"]}));
      Default(spec, "ipFamilies", json::array({"IPv4"}));
      Default(spec, "ipFamilyPolicy", "SingleStack");
      Default(spec, "internalTrafficPolicy", "Cluster");
    }
    if (spec.contains("ports") && spec["ports"].is_array())
      for (json& port : spec["ports"])
        if (port.is_object()) {
          Default(port, "protocol", "TCP");
          if (port.contains("port")) Default(port, "targetPort", port["port"]);
        }
  } else if (IsKind(info, "", "Pod")) {
    json& spec = Ensure(object, "spec");
    DefaultPodSpec(spec);
    Default(spec, "serviceAccountName", "default");
    Default(spec, "serviceAccount", spec["serviceAccountName"]);
    Default(spec, "enableServiceLinks", true);
    Default(spec, "priority", 0);
    Default(spec, "preemptionPolicy", "PreemptLowerPriority");
  } else if (IsKind(info, "", "PersistentVolumeClaim")) {
    json& spec = Ensure(object, "spec");
    Default(spec, "volumeMode", "Filesystem");
    if (!uid.empty()) Default(spec, "volumeName", "pvc-" + uid);
  } else if (IsKind(info, "batch", "Job")) {
    json& spec = Ensure(object, "spec");
    if (!spec.contains("completions") && !spec.contains("parallelism")) {
      spec["completions"] = 1;
      spec["parallelism"] = 1;
    }
    Default(spec, "parallelism", 1);
    Default(spec, "backoffLimit", 6);
    Default(spec, "completionMode", "NonIndexed");
    Default(spec, "suspend", false);
    Default(spec, "podReplacementPolicy", "TerminatingOrFailed");
    if (!spec.value("manualSelector", false) && !uid.empty()) {
      Default(spec, "selector", json{{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}});
      json& tmpl = Ensure(spec, "template");
      json& labels = Ensure(Ensure(tmpl, "metadata"), "labels");
      labels["batch.kubernetes.io/controller-uid"] = uid;
      labels["batch.kubernetes.io/job-name"] = name;
      labels["controller-uid"] = uid;
      labels["job-name"] = name;
    }
    DefaultTemplate(spec, /*default_restart_policy=*/false);
  } else if (IsKind(info, "apps", "Deployment")) {
    json& spec = Ensure(object, "spec");
    Default(spec, "replicas", 1);
    Default(spec, "revisionHistoryLimit", 10);
    Default(spec, "progressDeadlineSeconds", 600);
    Default(spec, "strategy", json{{"type", "RollingUpdate"}});
    if (spec["strategy"].is_object() && spec["strategy"].value("type", "RollingUpdate") == "RollingUpdate") {
      spec["strategy"]["type"] = "RollingUpdate";
      json& rolling = Ensure(spec["strategy"], "rollingUpdate");
      Default(rolling, "maxUnavailable", "25%");
      Default(rolling, "maxSurge", "25%");
    }
    DefaultTemplate(spec);
  } else if (IsKind(info, "apps", "ReplicaSet")) {
    json& spec = Ensure(object, "spec");
    Default(spec, "replicas", 1);
    DefaultTemplate(spec);
  } else if (IsKind(info, "apps", "StatefulSet")) {
    json& spec = Ensure(object, "spec");
    Default(spec, "replicas", 1);
    Default(spec, "revisionHistoryLimit", 10);
    Default(spec, "podManagementPolicy", "OrderedReady");
    Default(spec, "updateStrategy", json{{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", 0}}}});
    Default(spec, "persistentVolumeClaimRetentionPolicy", json{{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}});
    DefaultTemplate(spec);
  } else if (IsKind(info, "apiextensions.k8s.io", "CustomResourceDefinition")) {
    json& spec = Ensure(object, "spec");
    json& names = Ensure(spec, "names");
    if (names.contains("kind") && names["kind"].is_string()) {
      std::string kind = names["kind"].get<std::string>();
      std::string lower = kind;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      Default(names, "singular", lower);
      Default(names, "listKind", kind + "List");
    }
    Default(spec, "conversion", json{{"strategy", "None"}});
  }
}

std::vector<ApiCause> ValidateObjectMeta(const ResourceInfo& info, const json& object) {
  std::vector<ApiCause> causes;
  const json& metadata = At(object, {"metadata"});
  const json& name_value = At(metadata, {"name"});
  std::string name = name_value.is_string() ? name_value.get<std::string>() : "";
  if (name.empty()) {
    causes.push_back({"FieldValueRequired", "Required value: name or generateName is required", "metadata.name"});
  } else {
    const bool namespace_kind = IsKind(info, "", "Namespace");
    const bool service_kind = IsKind(info, "", "Service");
    if (namespace_kind || service_kind) {
      const std::regex& pattern = namespace_kind ? LabelRegex() : Dns1035Regex();
      if (name.size() > 63) {
        causes.push_back({"FieldValueInvalid", "Invalid value: " + Quoted(name) + ": must be no more than 63 characters",
                          "metadata.name"});
      } else if (!std::regex_match(name, pattern)) {
        causes.push_back({"FieldValueInvalid",
                          "Invalid value: " + Quoted(name) + ": " + (namespace_kind ? kLabelMessage : kDns1035Message),
                          "metadata.name"});
      }
    } else if (name.size() > 253) {
      causes.push_back({"FieldValueInvalid", "Invalid value: " + Quoted(name) + ": must be no more than 253 characters",
                        "metadata.name"});
    } else if (!std::regex_match(name, SubdomainRegex())) {
      causes.push_back({"FieldValueInvalid", "Invalid value: " + Quoted(name) + ": " + kSubdomainMessage, "metadata.name"});
    }
  }
  const json& labels = At(metadata, {"labels"});
  if (labels.is_object()) {
    for (auto it = labels.begin(); it != labels.end(); ++it) {
      ValidateQualifiedName(it.key(), "metadata.labels", causes);
      if (!it.value().is_string()) continue;
      std::string value = it.value().get<std::string>();
      if (value.size() > 63) {
        causes.push_back({"FieldValueInvalid", "Invalid value: " + Quoted(value) + ": must be no more than 63 characters",
                          "metadata.labels"});
      } else if (!std::regex_match(value, LabelValueRegex())) {
        causes.push_back({"FieldValueInvalid",
                          "Invalid value: " + Quoted(value) +
                              ": a valid label must be an empty string or consist of alphanumeric characters, '-', "
                              "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  "
                              "or 'my_value',  or '12345', regex used for validation is "
                              "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                          "metadata.labels"});
      }
    }
  }
  const json& annotations = At(metadata, {"annotations"});
  if (annotations.is_object()) {
    size_t total = 0;
    for (auto it = annotations.begin(); it != annotations.end(); ++it) {
      ValidateQualifiedName(it.key(), "metadata.annotations", causes);
      total += it.key().size() + (it.value().is_string() ? it.value().get<std::string>().size() : 0);
    }
    if (total > 256 * 1024) {
      causes.push_back({"FieldValueTooLong", "Too long: must have at most 262144 bytes", "metadata.annotations"});
    }
  }
  const json& owners = At(metadata, {"ownerReferences"});
  if (owners.is_array()) {
    int controllers = 0;
    for (size_t i = 0; i < owners.size(); ++i) {
      const json& ref = owners[i];
      const std::string field = "metadata.ownerReferences";
      for (const char* key : {"apiVersion", "kind", "name"}) {
        if (!At(ref, {key}).is_string() || ref[key].get<std::string>().empty())
          causes.push_back({"FieldValueInvalid", std::string("Invalid value: \"\": ") + key + " must not be empty",
                            field + "." + key});
      }
      if (!At(ref, {"uid"}).is_string() || ref["uid"].get<std::string>().empty())
        causes.push_back({"FieldValueInvalid", "Invalid value: \"\": uid must not be empty", field + ".uid"});
      if (At(ref, {"controller"}).is_boolean() && ref["controller"].get<bool>()) ++controllers;
    }
    if (controllers > 1) {
      causes.push_back({"FieldValueInvalid",
                        "Invalid value: " + owners.dump() + ": Only one reference can have Controller set to true",
                        "metadata.ownerReferences"});
    }
  }
  const json& finalizers = At(metadata, {"finalizers"});
  if (finalizers.is_array()) {
    for (size_t i = 0; i < finalizers.size(); ++i) {
      if (!finalizers[i].is_string()) continue;
      std::string finalizer = finalizers[i].get<std::string>();
      std::vector<ApiCause> own;
      ValidateQualifiedName(finalizer, "metadata.finalizers[" + std::to_string(i) + "]", own);
      causes.insert(causes.end(), own.begin(), own.end());
    }
  }
  return causes;
}

std::vector<ApiCause> ValidateKind(const ResourceInfo& info, const json& object, const json& old) {
  std::vector<ApiCause> causes;
  if (info.custom) return causes;
  const json& spec = At(object, {"spec"});
  if (IsKind(info, "", "Pod")) {
    ValidateContainers(spec, "spec", causes);
    std::string policy = At(spec, {"restartPolicy"}).is_string() ? spec["restartPolicy"].get<std::string>() : "";
    if (policy != "Always" && policy != "OnFailure" && policy != "Never") {
      causes.push_back({"FieldValueNotSupported",
                        "Unsupported value: " + Quoted(policy) + ": supported values: \"Always\", \"OnFailure\", \"Never\"",
                        "spec.restartPolicy"});
    }
    if (old.is_object()) {
      // Only images, activeDeadlineSeconds, tolerations and (once, as a binding) nodeName may change.
      json a = At(old, {"spec"}), b = spec;
      for (json* s : {&a, &b}) {
        if (!s->is_object()) continue;
        for (const char* list : {"containers", "initContainers"})
          if (s->contains(list) && (*s)[list].is_array())
            for (json& c : (*s)[list])
              if (c.is_object()) c.erase("image");
        s->erase("activeDeadlineSeconds");
        s->erase("tolerations");
      }
      if (a.is_object() && b.is_object() && (!a.contains("nodeName") || a["nodeName"] == "")) {
        a.erase("nodeName");
        b.erase("nodeName");
      }
      if (a != b) {
        causes.push_back({"FieldValueForbidden",
                          "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
                          "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
                          "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
                          "to 1 if it was previously negative)",
                          "spec"});
      }
    }
  } else if (IsKind(info, "batch", "Job")) {
    const json& pod_spec = At(spec, {"template", "spec"});
    ValidateContainers(pod_spec, "spec.template.spec", causes);
    const json& policy = At(pod_spec, {"restartPolicy"});
    std::string value = policy.is_string() ? policy.get<std::string>() : "";
    if (value.empty()) {
      causes.push_back({"FieldValueRequired", "Required value: valid values: \"OnFailure\", \"Never\"",
                        "spec.template.spec.restartPolicy"});
    } else if (value != "OnFailure" && value != "Never") {
      causes.push_back({"FieldValueNotSupported",
                        "Unsupported value: " + Quoted(value) + ": supported values: \"OnFailure\", \"Never\"",
                        "spec.template.spec.restartPolicy"});
    }
    for (const char* key : {"parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"})
      ValidateReplicas(spec, "spec", key, causes);
    if (old.is_object()) {
      if (At(old, {"spec", "selector"}) != At(spec, {"selector"}))
        causes.push_back({"FieldValueInvalid", "Invalid value: " + At(spec, {"selector"}).dump() + ": field is immutable",
                          "spec.selector"});
      if (At(old, {"spec", "completions"}) != At(spec, {"completions"}))
        causes.push_back({"FieldValueInvalid", "Invalid value: " + At(spec, {"completions"}).dump() + ": field is immutable",
                          "spec.completions"});
    }
  } else if (IsKind(info, "apps", "Deployment") || IsKind(info, "apps", "ReplicaSet") ||
             IsKind(info, "apps", "StatefulSet")) {
    ValidateReplicas(spec, "spec", "replicas", causes);
    ValidateSelectorMatchesTemplate(spec, causes);
    const json& pod_spec = At(spec, {"template", "spec"});
    ValidateContainers(pod_spec, "spec.template.spec", causes);
    std::string policy = At(pod_spec, {"restartPolicy"}).is_string() ? pod_spec["restartPolicy"].get<std::string>() : "Always";
    if (policy != "Always") {
      causes.push_back({"FieldValueNotSupported", "Unsupported value: " + Quoted(policy) + ": supported values: \"Always\"",
                        "spec.template.spec.restartPolicy"});
    }
    if (old.is_object() && At(old, {"spec", "selector"}) != At(spec, {"selector"})) {
      causes.push_back({"FieldValueInvalid", "Invalid value: " + At(spec, {"selector"}).dump() + ": field is immutable",
                        "spec.selector"});
    }
  } else if (IsKind(info, "rbac.authorization.k8s.io", "Role")) {
    const json& rules = At(object, {"rules"});
    for (size_t i = 0; rules.is_array() && i < rules.size(); ++i) {
      const std::string path = "rules[" + std::to_string(i) + "]";
      const json& verbs = At(rules[i], {"verbs"});
      if (!verbs.is_array() || verbs.empty()) causes.push_back({"FieldValueRequired", "Required value: verbs must contain at least one value", path + ".verbs"});
      auto empty = [&](const char* field) { return !At(rules[i], {field}).is_array() || At(rules[i], {field}).empty(); };
      if (!empty("nonResourceURLs")) {
        causes.push_back({"FieldValueInvalid", "Invalid value: " + At(rules[i], {"nonResourceURLs"}).dump() +
                                                   ": namespaced rules cannot apply to non-resource URLs", path + ".nonResourceURLs"});
        continue;
      }
      if (empty("apiGroups")) causes.push_back({"FieldValueRequired", "Required value: resource rules must supply at least one api group", path + ".apiGroups"});
      if (empty("resources")) causes.push_back({"FieldValueRequired", "Required value: resource rules must supply at least one resource", path + ".resources"});
    }
  } else if (IsKind(info, "rbac.authorization.k8s.io", "RoleBinding")) {
    const json& ref = At(object, {"roleRef"});
    const std::string ref_kind = At(ref, {"kind"}).is_string() ? ref["kind"].get<std::string>() : "";
    if (At(ref, {"apiGroup"}) != "rbac.authorization.k8s.io") {
      causes.push_back({"FieldValueNotSupported", "Unsupported value: " + At(ref, {"apiGroup"}).dump() +
                                                       ": supported values: \"rbac.authorization.k8s.io\"", "roleRef.apiGroup"});
    }
    if (ref_kind != "Role" && ref_kind != "ClusterRole") {
      causes.push_back({"FieldValueNotSupported", "Unsupported value: " + Quoted(ref_kind) +
                                                       ": supported values: \"Role\", \"ClusterRole\"", "roleRef.kind"});
    }
    if (!At(ref, {"name"}).is_string() || ref["name"].get<std::string>().empty()) {
      causes.push_back({"FieldValueRequired", "Required value", "roleRef.name"});
    }
    if (old.is_object() && At(old, {"roleRef"}) != ref) {
      // The real server prints the Go value of the new roleRef.
      auto text = [&](const char* key) { return At(ref, {key}).is_string() ? ref[key].get<std::string>() : ""; };
      causes.push_back({"FieldValueInvalid",
                        "Invalid value: rbac.RoleRef{APIGroup:" + Quoted(text("apiGroup")) + ", Kind:" + Quoted(text("kind")) +
                            ", Name:" + Quoted(text("name")) + "}: cannot change roleRef",
                        "roleRef"});
    }
  } else if (IsKind(info, "", "Secret") || IsKind(info, "", "ConfigMap")) {
    static const std::regex kKey("^[-._a-zA-Z0-9]+$");
    for (const char* field : {"data", "binaryData"}) {
      const json& data = At(object, {field});
      if (!data.is_object()) continue;
      for (auto it = data.begin(); it != data.end(); ++it) {
        if (it.key().size() > 253 || !std::regex_match(it.key(), kKey) || it.key() == "." || it.key() == "..") {
          causes.push_back({"FieldValueInvalid",
                            "Invalid value: " + Quoted(it.key()) +
                                ": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
                                "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                                "'[-._a-zA-Z0-9]+')",
                            std::string(field) + "[" + it.key() + "]"});
        }
      }
    }
  } else if (IsKind(info, "", "Service")) {
    std::string type = At(spec, {"type"}).is_string() ? spec["type"].get<std::string>() : "ClusterIP";
    const json& ports = At(spec, {"ports"});
    if (type != "ExternalName" && At(spec, {"clusterIP"}) != "None" && (!ports.is_array() || ports.empty()))
      causes.push_back({"FieldValueRequired", "Required value", "spec.ports"});
    if (ports.is_array()) {
      for (size_t i = 0; i < ports.size(); ++i) {
        const json& port = At(ports[i], {"port"});
        if (!port.is_number_integer() || port.get<int64_t>() < 1 || port.get<int64_t>() > 65535) {
          causes.push_back({"FieldValueInvalid",
                            "Invalid value: " + port.dump() + ": must be between 1 and 65535, inclusive",
                            "spec.ports[" + std::to_string(i) + "].port"});
        }
      }
    }
  } else if (IsKind(info, "", "PersistentVolumeClaim")) {
    const json& modes = At(spec, {"accessModes"});
    if (!modes.is_array() || modes.empty())
      causes.push_back({"FieldValueRequired", "Required value: at least 1 access mode is required", "spec.accessModes"});
    if (!At(spec, {"resources", "requests", "storage"}).is_string() && !At(spec, {"resources", "requests", "storage"}).is_number())
      causes.push_back({"FieldValueRequired", "Required value", "spec.resources[storage]"});
  } else if (IsKind(info, "apiextensions.k8s.io", "CustomResourceDefinition")) {
    causes = ResourceRegistry::ValidateCrd(object);
    if (old.is_object()) {
      for (const char* key : {"group"}) {
        if (At(old, {"spec", key}) != At(spec, {key}))
          causes.push_back({"FieldValueInvalid", "Invalid value: " + At(spec, {key}).dump() + ": field is immutable",
                            std::string("spec.") + key});
      }
      if (At(old, {"spec", "names", "plural"}) != At(spec, {"names", "plural"}))
        causes.push_back({"FieldValueInvalid", "Invalid value: " + At(spec, {"names", "plural"}).dump() + ": field is immutable",
                          "spec.names.plural"});
      if (At(old, {"spec", "scope"}) != At(spec, {"scope"}))
        causes.push_back({"FieldValueInvalid", "Invalid value: " + At(spec, {"scope"}).dump() + ": field is immutable",
                          "spec.scope"});
    }
  }
  return causes;
}

bool DeleteReturnsObject(const ResourceInfo& info) {
  return info.custom || IsKind(info, "", "Pod") || IsKind(info, "", "Namespace") || IsKind(info, "", "Service") ||
         IsKind(info, "apiextensions.k8s.io", "CustomResourceDefinition");
}

std::string LabelSelectorString(const json& selector) {
  std::vector<std::string> parts;
  const json& labels = At(selector, {"matchLabels"});
  if (labels.is_object())
    for (auto it = labels.begin(); it != labels.end(); ++it)
      parts.push_back(it.key() + "=" + (it.value().is_string() ? it.value().get<std::string>() : it.value().dump()));
  const json& expressions = At(selector, {"matchExpressions"});
  if (expressions.is_array()) {
    for (const json& e : expressions) {
      std::string key = e.value("key", ""), op = e.value("operator", "");
      std::vector<std::string> values;
      if (e.contains("values") && e["values"].is_array())
        for (const json& v : e["values"])
          if (v.is_string()) values.push_back(v.get<std::string>());
      std::sort(values.begin(), values.end());
      std::string joined;
      for (size_t i = 0; i < values.size(); ++i) joined += (i ? "," : "") + values[i];
      if (op == "In") parts.push_back(key + " in (" + joined + ")");
      else if (op == "NotIn") parts.push_back(key + " notin (" + joined + ")");
      else if (op == "Exists") parts.push_back(key);
      else if (op == "DoesNotExist") parts.push_back("!" + key);
    }
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
  return out;
}

std::optional<json> ControllerStatus(const ResourceInfo& info, const json& object, WallTime) {
  // Deployments (and their ReplicaSets) have a real controller in the job runner
  // (e2e/devcluster/jobs/deployment_controller.h). StatefulSets get no Pods: the failover fixture
  // runs their PostgreSQL servers itself, so their status says every replica is ready at once.
  if (!IsKind(info, "apps", "StatefulSet")) return std::nullopt;
  const json& spec = At(object, {"spec"});
  int64_t replicas = At(spec, {"replicas"}).is_number_integer() ? spec["replicas"].get<int64_t>() : 1;
  const std::string name = At(object, {"metadata", "name"}).is_string() ? object["metadata"]["name"].get<std::string>() : "";
  const std::string revision = name + "-" + ShortHash(At(spec, {"template"}).dump());
  json status = json::object();
  status["observedGeneration"] = At(object, {"metadata", "generation"}).is_number() ? object["metadata"]["generation"] : json(1);
  status["replicas"] = replicas;
  if (replicas > 0) {
    status["readyReplicas"] = replicas;
    status["currentReplicas"] = replicas;
    status["updatedReplicas"] = replicas;
  }
  status["availableReplicas"] = replicas;
  status["currentRevision"] = revision;
  status["updateRevision"] = revision;
  status["collisionCount"] = 0;
  return status;
}

}  // namespace lifeboat::devcluster
