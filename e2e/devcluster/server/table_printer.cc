#include "e2e/devcluster/server/table_printer.h"

#include <sstream>

#include "e2e/devcluster/server/human_duration.h"
#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

constexpr const char* kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some resources "
    "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
    "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
    "http://kubernetes.io/docs/user-guide/identifiers#names";
constexpr const char* kAgeDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
    "value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null "
    "for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

const nlohmann::json& At(const nlohmann::json& object, std::initializer_list<const char*> path) {
  static const nlohmann::json kNull;
  const nlohmann::json* node = &object;
  for (const char* key : path) {
    if (!node->is_object()) return kNull;
    auto it = node->find(key);
    if (it == node->end()) return kNull;
    node = &*it;
  }
  return *node;
}

std::string Str(const nlohmann::json& value, const std::string& fallback = "") {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return fallback;
  return value.dump();
}

long long Int(const nlohmann::json& value, long long fallback = 0) {
  if (value.is_number_integer()) return value.get<long long>();
  if (value.is_number()) return static_cast<long long>(value.get<double>());
  return fallback;
}

std::string Age(const nlohmann::json& timestamp, WallTime now) {
  if (!timestamp.is_string()) return "<unknown>";
  auto parsed = ParseRfc3339(timestamp.get<std::string>());
  if (!parsed.ok()) return "<unknown>";
  return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(now - *parsed));
}

nlohmann::json AgeCell(const nlohmann::json& object, WallTime now) {
  return Age(At(object, {"metadata", "creationTimestamp"}), now);
}

nlohmann::json NameCell(const nlohmann::json& object, WallTime) { return Str(At(object, {"metadata", "name"})); }

bool HasTrueCondition(const nlohmann::json& object, const std::string& type) {
  const nlohmann::json& conditions = At(object, {"status", "conditions"});
  if (!conditions.is_array()) return false;
  for (const auto& c : conditions) {
    if (c.is_object() && c.value("type", "") == type && c.value("status", "") == "True") return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

std::vector<std::string> ContainerField(const nlohmann::json& pod_spec, const char* field) {
  std::vector<std::string> out;
  const nlohmann::json& containers = At(pod_spec, {"containers"});
  if (containers.is_array()) {
    for (const auto& c : containers) out.push_back(Str(At(c, {field})));
  }
  return out;
}

std::string SelectorText(const nlohmann::json& selector) {
  std::vector<std::string> parts;
  const nlohmann::json& labels = At(selector, {"matchLabels"});
  if (labels.is_object()) {
    for (auto it = labels.begin(); it != labels.end(); ++it) parts.push_back(it.key() + "=" + Str(it.value()));
  }
  const nlohmann::json& expressions = At(selector, {"matchExpressions"});
  if (expressions.is_array()) {
    for (const auto& e : expressions) {
      std::string op = e.value("operator", "");
      std::string key = e.value("key", "");
      std::vector<std::string> values;
      if (e.contains("values") && e["values"].is_array()) {
        for (const auto& v : e["values"]) values.push_back(Str(v));
      }
      if (op == "In") parts.push_back(key + " in (" + Join(values, ",") + ")");
      else if (op == "NotIn") parts.push_back(key + " notin (" + Join(values, ",") + ")");
      else if (op == "Exists") parts.push_back(key);
      else if (op == "DoesNotExist") parts.push_back("!" + key);
    }
  }
  return parts.empty() ? "<none>" : Join(parts, ",");
}

nlohmann::json PodStatusCell(const nlohmann::json& pod, WallTime) {
  std::string reason = Str(At(pod, {"status", "phase"}));
  if (At(pod, {"status", "reason"}).is_string()) reason = Str(At(pod, {"status", "reason"}));
  bool has_running = false;
  const nlohmann::json& statuses = At(pod, {"status", "containerStatuses"});
  if (statuses.is_array()) {
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      const nlohmann::json& state = At(*it, {"state"});
      if (At(state, {"waiting", "reason"}).is_string()) {
        reason = Str(At(state, {"waiting", "reason"}));
      } else if (At(state, {"terminated"}).is_object()) {
        const nlohmann::json& terminated = At(state, {"terminated"});
        if (At(terminated, {"reason"}).is_string()) {
          reason = Str(At(terminated, {"reason"}));
        } else if (Int(At(terminated, {"signal"})) != 0) {
          reason = "Signal:" + std::to_string(Int(At(terminated, {"signal"})));
        } else {
          reason = "ExitCode:" + std::to_string(Int(At(terminated, {"exitCode"})));
        }
      } else if (At(state, {"running"}).is_object() && At(*it, {"ready"}) == true) {
        has_running = true;
      }
    }
  }
  if (reason == "Completed" && has_running) reason = HasTrueCondition(pod, "Ready") ? "Running" : "NotReady";
  if (At(pod, {"metadata", "deletionTimestamp"}).is_string()) reason = "Terminating";
  return reason.empty() ? "Unknown" : reason;
}

nlohmann::json PodReadyCell(const nlohmann::json& pod, WallTime) {
  long long total = 0, ready = 0;
  const nlohmann::json& containers = At(pod, {"spec", "containers"});
  if (containers.is_array()) total = static_cast<long long>(containers.size());
  const nlohmann::json& statuses = At(pod, {"status", "containerStatuses"});
  if (statuses.is_array()) {
    for (const auto& s : statuses) {
      if (At(s, {"ready"}) == true) ++ready;
    }
  }
  return std::to_string(ready) + "/" + std::to_string(total);
}

nlohmann::json PodRestartsCell(const nlohmann::json& pod, WallTime) {
  long long restarts = 0;
  const nlohmann::json& statuses = At(pod, {"status", "containerStatuses"});
  if (statuses.is_array()) {
    for (const auto& s : statuses) restarts += Int(At(s, {"restartCount"}));
  }
  return std::to_string(restarts);
}

nlohmann::json JobStatusCell(const nlohmann::json& job, WallTime) {
  if (HasTrueCondition(job, "Complete")) return "Complete";
  if (HasTrueCondition(job, "Failed")) return "Failed";
  if (At(job, {"metadata", "deletionTimestamp"}).is_string()) return "Terminating";
  if (HasTrueCondition(job, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  if (HasTrueCondition(job, "FailureTarget")) return "FailureTarget";
  if (At(job, {"spec", "suspend"}) == true) return "Suspended";
  return "Running";
}

nlohmann::json JobCompletionsCell(const nlohmann::json& job, WallTime) {
  long long succeeded = Int(At(job, {"status", "succeeded"}));
  const nlohmann::json& completions = At(job, {"spec", "completions"});
  if (completions.is_number()) return std::to_string(succeeded) + "/" + std::to_string(Int(completions));
  long long parallelism = Int(At(job, {"spec", "parallelism"}), 1);
  if (parallelism > 1) return std::to_string(succeeded) + "/1 of " + std::to_string(parallelism);
  return std::to_string(succeeded) + "/1";
}

nlohmann::json JobDurationCell(const nlohmann::json& job, WallTime now) {
  const nlohmann::json& start = At(job, {"status", "startTime"});
  if (!start.is_string()) return "";
  auto started = ParseRfc3339(start.get<std::string>());
  if (!started.ok()) return "";
  WallTime end = now;
  const nlohmann::json& completion = At(job, {"status", "completionTime"});
  if (completion.is_string()) {
    auto completed = ParseRfc3339(completion.get<std::string>());
    if (completed.ok()) end = *completed;
  }
  return HumanDuration(std::chrono::duration_cast<std::chrono::seconds>(end - *started));
}

nlohmann::json DataCountCell(const nlohmann::json& object, WallTime) {
  long long count = 0;
  if (At(object, {"data"}).is_object()) count += static_cast<long long>(At(object, {"data"}).size());
  if (At(object, {"binaryData"}).is_object()) count += static_cast<long long>(At(object, {"binaryData"}).size());
  return count;
}

std::string ServicePorts(const nlohmann::json& service) {
  std::vector<std::string> parts;
  const nlohmann::json& ports = At(service, {"spec", "ports"});
  if (ports.is_array()) {
    for (const auto& p : ports) {
      std::string part = std::to_string(Int(At(p, {"port"})));
      if (At(p, {"nodePort"}).is_number()) part += ":" + std::to_string(Int(At(p, {"nodePort"})));
      part += "/" + Str(At(p, {"protocol"}), "TCP");
      parts.push_back(part);
    }
  }
  return parts.empty() ? "<none>" : Join(parts, ",");
}

// Formats a CRD column's value like the apiextensions table convertor: typed cells, dates as ages.
nlohmann::json CustomCell(const JsonPath& path, const std::string& type, const nlohmann::json& object, WallTime now) {
  std::vector<nlohmann::json> results = path.Evaluate(object);
  if (results.empty()) return nullptr;
  const nlohmann::json& value = results[0];
  if (type == "string") {
    if (value.is_string()) return value;
    if (value.is_null()) return nullptr;
    return value.dump();
  }
  if (type == "date") {
    if (!value.is_string()) return nullptr;
    return Age(value, now);
  }
  if (type == "integer") {
    if (value.is_number_integer()) return value;
    if (value.is_number_float()) return static_cast<long long>(value.get<double>());
    return nullptr;
  }
  if (type == "number") return value.is_number() ? value : nlohmann::json(nullptr);
  if (type == "boolean") return value.is_boolean() ? value : nlohmann::json(nullptr);
  return value;
}

}  // namespace

bool ParseIncludeObject(std::string_view value, IncludeObject& out) {
  if (value.empty() || value == "Metadata") {
    out = IncludeObject::kMetadata;
  } else if (value == "None") {
    out = IncludeObject::kNone;
  } else if (value == "Object") {
    out = IncludeObject::kObject;
  } else {
    return false;
  }
  return true;
}

TablePrinter TablePrinter::ForKind(std::string_view group, std::string_view kind,
                                   const nlohmann::json& printer_columns, bool custom) {
  TablePrinter printer;
  auto add = [&printer](std::string name, std::string type, std::string description, int priority,
                        std::function<nlohmann::json(const nlohmann::json&, WallTime)> cell,
                        std::string format = "") {
    printer.columns_.push_back(Column{std::move(name), std::move(type), std::move(format), std::move(description),
                                      priority, std::move(cell)});
  };
  add("Name", "string", kNameDescription, 0, NameCell, "name");
  auto field = [](std::initializer_list<const char*> path, std::string fallback = "") {
    std::vector<const char*> keys(path);
    return [keys, fallback](const nlohmann::json& object, WallTime) -> nlohmann::json {
      const nlohmann::json* node = &object;
      for (const char* key : keys) {
        if (!node->is_object() || !node->contains(key)) return fallback;
        node = &(*node)[key];
      }
      return Str(*node, fallback);
    };
  };

  if (custom) {
    nlohmann::json columns = printer_columns.is_array() ? printer_columns : nlohmann::json::array();
    if (columns.empty()) {
      columns.push_back({{"name", "Age"}, {"type", "date"}, {"jsonPath", ".metadata.creationTimestamp"}});
    }
    for (const auto& column : columns) {
      std::string json_path = column.value("jsonPath", "");
      auto parsed = JsonPath::Parse(json_path);
      std::string type = column.value("type", "string");
      std::string description = column.value("description", "");
      if (description.empty()) description = "Custom resource definition column (in JSONPath format): " + json_path;
      auto cell = [parsed, type](const nlohmann::json& object, WallTime now) -> nlohmann::json {
        if (!parsed.ok()) return nullptr;
        return CustomCell(*parsed, type, object, now);
      };
      add(column.value("name", ""), type, description, static_cast<int>(column.value("priority", 0)), cell,
          column.value("format", ""));
    }
    return printer;
  }

  if (group.empty() && kind == "Pod") {
    add("Ready", "string", "The aggregate readiness state of this pod for accepting traffic.", 0, PodReadyCell);
    add("Status", "string", "The aggregate status of the containers in this pod.", 0, PodStatusCell);
    add("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", 0, PodRestartsCell);
    add("Age", "date", kAgeDescription, 0, AgeCell);
    add("IP", "string", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1, field({"status", "podIP"}, "<none>"));
    add("Node", "string", "NodeName is a request to schedule this pod onto a specific node.", 1, field({"spec", "nodeName"}, "<none>"));
    add("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node.", 1,
        field({"status", "nominatedNodeName"}, "<none>"));
    add("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1,
        [](const nlohmann::json& pod, WallTime) -> nlohmann::json {
          const nlohmann::json& gates = At(pod, {"spec", "readinessGates"});
          if (!gates.is_array() || gates.empty()) return "<none>";
          long long ready = 0;
          for (const auto& gate : gates) {
            if (HasTrueCondition(pod, Str(At(gate, {"conditionType"})))) ++ready;
          }
          return std::to_string(ready) + "/" + std::to_string(gates.size());
        });
  } else if (group.empty() && kind == "Namespace") {
    add("Status", "string", "The status of the namespace", 0, field({"status", "phase"}));
    add("Age", "date", kAgeDescription, 0, AgeCell);
  } else if (group.empty() && kind == "ConfigMap") {
    add("Data", "string", "Data contains the configuration data.", 0, DataCountCell);
    add("Age", "date", kAgeDescription, 0, AgeCell);
  } else if (group.empty() && kind == "Secret") {
    add("Type", "string", "The type of the secret", 0, field({"type"}, "Opaque"));
    add("Data", "string", "The number of entries in the secret data.", 0, DataCountCell);
    add("Age", "date", kAgeDescription, 0, AgeCell);
  } else if (group.empty() && kind == "Service") {
    add("Type", "string", "The type of the service.", 0, field({"spec", "type"}, "ClusterIP"));
    add("Cluster-IP", "string", "The cluster IP of the service.", 0, field({"spec", "clusterIP"}, "<none>"));
    add("External-IP", "string", "The external IP of the service.", 0, [](const nlohmann::json& s, WallTime) -> nlohmann::json {
      const nlohmann::json& ips = At(s, {"spec", "externalIPs"});
      if (!ips.is_array() || ips.empty()) return "<none>";
      std::vector<std::string> parts;
      for (const auto& ip : ips) parts.push_back(Str(ip));
      return Join(parts, ",");
    });
    add("Port(s)", "string", "The ports of the service.", 0, [](const nlohmann::json& s, WallTime) -> nlohmann::json { return ServicePorts(s); });
    add("Age", "date", kAgeDescription, 0, AgeCell);
    add("Selector", "string", "The selector of the service.", 1, [](const nlohmann::json& s, WallTime) -> nlohmann::json {
      const nlohmann::json& selector = At(s, {"spec", "selector"});
      if (!selector.is_object() || selector.empty()) return "<none>";
      return SelectorText(nlohmann::json{{"matchLabels", selector}});
    });
  } else if (group.empty() && kind == "PersistentVolumeClaim") {
    add("Status", "string", "The phase of the claim.", 0, field({"status", "phase"}));
    add("Volume", "string", "The volume bound to the claim.", 0, field({"spec", "volumeName"}));
    add("Capacity", "string", "The capacity of the claim.", 0, field({"status", "capacity", "storage"}));
    add("Access Modes", "string", "The access modes of the claim.", 0, [](const nlohmann::json& c, WallTime) -> nlohmann::json {
      const nlohmann::json& modes = At(c, {"status", "accessModes"});
      std::vector<std::string> parts;
      if (modes.is_array()) {
        for (const auto& m : modes) {
          std::string mode = Str(m);
          parts.push_back(mode == "ReadWriteOnce" ? "RWO" : mode == "ReadOnlyMany" ? "ROX" : mode == "ReadWriteMany" ? "RWX" : mode == "ReadWriteOncePod" ? "RWOP" : mode);
        }
      }
      return Join(parts, ",");
    });
    add("StorageClass", "string", "The storage class of the claim.", 0, field({"spec", "storageClassName"}, "<unset>"));
    add("VolumeAttributesClass", "string", "The volume attributes class of the claim.", 0, field({"spec", "volumeAttributesClassName"}, "<unset>"));
    add("Age", "date", kAgeDescription, 0, AgeCell);
  } else if (group.empty() && kind == "ServiceAccount") {
    add("Secrets", "string", "The number of secrets of the service account.", 0, [](const nlohmann::json& a, WallTime) -> nlohmann::json {
      const nlohmann::json& secrets = At(a, {"secrets"});
      return secrets.is_array() ? static_cast<long long>(secrets.size()) : 0LL;
    });
    add("Age", "date", kAgeDescription, 0, AgeCell);
  } else if (group.empty() && kind == "Event") {
    printer.columns_.clear();
    add("Last Seen", "string", "Time when this Event was last seen", 0, [](const nlohmann::json& e, WallTime now) -> nlohmann::json {
      for (const char* key : {"lastTimestamp", "eventTime", "firstTimestamp"}) {
        if (At(e, {key}).is_string()) return Age(At(e, {key}), now);
      }
      return AgeCell(e, now);
    });
    add("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future.", 0, field({"type"}));
    add("Reason", "string", "Reason is why the action was taken. It is human-readable.", 0, field({"reason"}));
    add("Object", "string", "The object that this event is about.", 0, [](const nlohmann::json& e, WallTime) -> nlohmann::json {
      std::string kind_name = Str(At(e, {"involvedObject", "kind"}));
      for (auto& ch : kind_name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return kind_name + "/" + Str(At(e, {"involvedObject", "name"}));
    });
    add("Subobject", "string", "The subobject that this event is about.", 1, field({"involvedObject", "fieldPath"}));
    add("Source", "string", "The component reporting this event.", 1, field({"source", "component"}));
    add("Message", "string", "A human-readable description of the status of this operation.", 0, field({"message"}));
    add("First Seen", "string", "Time when this Event was first seen", 1, [](const nlohmann::json& e, WallTime now) -> nlohmann::json {
      return At(e, {"firstTimestamp"}).is_string() ? nlohmann::json(Age(At(e, {"firstTimestamp"}), now)) : AgeCell(e, now);
    });
    add("Count", "string", "The number of times this event has occurred.", 1, [](const nlohmann::json& e, WallTime) -> nlohmann::json {
      return std::to_string(Int(At(e, {"count"}), 1));
    });
    add("Name", "string", kNameDescription, 1, NameCell, "name");
  } else if (group == "apps" && kind == "Deployment") {
    add("Ready", "string", "Number of the pod with ready state", 0, [](const nlohmann::json& d, WallTime) -> nlohmann::json {
      return std::to_string(Int(At(d, {"status", "readyReplicas"}))) + "/" + std::to_string(Int(At(d, {"spec", "replicas"}), 1));
    });
    add("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", 0, [](const nlohmann::json& d, WallTime) -> nlohmann::json { return Int(At(d, {"status", "updatedReplicas"})); });
    add("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", 0, [](const nlohmann::json& d, WallTime) -> nlohmann::json { return Int(At(d, {"status", "availableReplicas"})); });
    add("Age", "date", kAgeDescription, 0, AgeCell);
    add("Containers", "string", "Names of each container in the template.", 1, [](const nlohmann::json& d, WallTime) -> nlohmann::json { return Join(ContainerField(At(d, {"spec", "template", "spec"}), "name"), ","); });
    add("Images", "string", "Images referenced by each container in the template.", 1, [](const nlohmann::json& d, WallTime) -> nlohmann::json { return Join(ContainerField(At(d, {"spec", "template", "spec"}), "image"), ","); });
    add("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1, [](const nlohmann::json& d, WallTime) -> nlohmann::json { return SelectorText(At(d, {"spec", "selector"})); });
  } else if (group == "apps" && kind == "ReplicaSet") {
    add("Desired", "integer", "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset/#replicaset", 0, [](const nlohmann::json& r, WallTime) -> nlohmann::json { return Int(At(r, {"spec", "replicas"}), 1); });
    add("Current", "integer", "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset", 0, [](const nlohmann::json& r, WallTime) -> nlohmann::json { return Int(At(r, {"status", "replicas"})); });
    add("Ready", "integer", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.", 0, [](const nlohmann::json& r, WallTime) -> nlohmann::json { return Int(At(r, {"status", "readyReplicas"})); });
    add("Age", "date", kAgeDescription, 0, AgeCell);
    add("Containers", "string", "Names of each container in the template.", 1, [](const nlohmann::json& r, WallTime) -> nlohmann::json { return Join(ContainerField(At(r, {"spec", "template", "spec"}), "name"), ","); });
    add("Images", "string", "Images referenced by each container in the template.", 1, [](const nlohmann::json& r, WallTime) -> nlohmann::json { return Join(ContainerField(At(r, {"spec", "template", "spec"}), "image"), ","); });
    add("Selector", "string", "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1, [](const nlohmann::json& r, WallTime) -> nlohmann::json { return SelectorText(At(r, {"spec", "selector"})); });
  } else if (group == "apps" && kind == "StatefulSet") {
    add("Ready", "string", "Number of the pod with ready state", 0, [](const nlohmann::json& s, WallTime) -> nlohmann::json {
      return std::to_string(Int(At(s, {"status", "readyReplicas"}))) + "/" + std::to_string(Int(At(s, {"spec", "replicas"}), 1));
    });
    add("Age", "date", kAgeDescription, 0, AgeCell);
    add("Containers", "string", "Names of each container in the template.", 1, [](const nlohmann::json& s, WallTime) -> nlohmann::json { return Join(ContainerField(At(s, {"spec", "template", "spec"}), "name"), ","); });
    add("Images", "string", "Images referenced by each container in the template.", 1, [](const nlohmann::json& s, WallTime) -> nlohmann::json { return Join(ContainerField(At(s, {"spec", "template", "spec"}), "image"), ","); });
  } else if (group == "batch" && kind == "Job") {
    add("Status", "string", "Status of the job.", 0, JobStatusCell);
    add("Completions", "string", "The completion status of the job.", 0, JobCompletionsCell);
    add("Duration", "string", "Time required to complete the job.", 0, JobDurationCell);
    add("Age", "date", kAgeDescription, 0, AgeCell);
    add("Containers", "string", "Names of each container in the template.", 1, [](const nlohmann::json& j, WallTime) -> nlohmann::json { return Join(ContainerField(At(j, {"spec", "template", "spec"}), "name"), ","); });
    add("Images", "string", "Images referenced by each container in the template.", 1, [](const nlohmann::json& j, WallTime) -> nlohmann::json { return Join(ContainerField(At(j, {"spec", "template", "spec"}), "image"), ","); });
    add("Selector", "string", "Selector of the job.", 1, [](const nlohmann::json& j, WallTime) -> nlohmann::json { return SelectorText(At(j, {"spec", "selector"})); });
  } else if (group == "coordination.k8s.io" && kind == "Lease") {
    add("Holder", "string", "The holder of the lease.", 0, field({"spec", "holderIdentity"}, "<none>"));
    add("Age", "date", kAgeDescription, 0, AgeCell);
  } else if (group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition") {
    add("Created At", "date", kAgeDescription, 0, [](const nlohmann::json& c, WallTime) -> nlohmann::json {
      return Str(At(c, {"metadata", "creationTimestamp"}));
    });
  } else {
    add("Age", "date", kAgeDescription, 0, AgeCell);
  }
  return printer;
}

nlohmann::json TablePrinter::ColumnDefinitions() const {
  nlohmann::json out = nlohmann::json::array();
  for (const Column& c : columns_) {
    out.push_back({{"name", c.name}, {"type", c.type}, {"format", c.format}, {"description", c.description},
                   {"priority", c.priority}});
  }
  return out;
}

nlohmann::json TablePrinter::Cells(const nlohmann::json& object, WallTime now) const {
  nlohmann::json cells = nlohmann::json::array();
  for (const Column& c : columns_) cells.push_back(c.cell(object, now));
  return cells;
}

nlohmann::json TablePrinter::BuildTable(const std::vector<nlohmann::json>& objects, const nlohmann::json& list_metadata,
                                        WallTime now, IncludeObject include_object, bool with_columns) const {
  nlohmann::json table = {{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"}};
  table["metadata"] = list_metadata.is_object() ? list_metadata : nlohmann::json::object();
  if (with_columns) table["columnDefinitions"] = ColumnDefinitions();
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& object : objects) {
    nlohmann::json row = {{"cells", Cells(object, now)}};
    if (include_object == IncludeObject::kMetadata) {
      row["object"] = {{"kind", "PartialObjectMetadata"},
                       {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", object.contains("metadata") ? object["metadata"] : nlohmann::json::object()}};
    } else if (include_object == IncludeObject::kObject) {
      row["object"] = object;
    }
    rows.push_back(std::move(row));
  }
  table["rows"] = std::move(rows);
  return table;
}

}  // namespace lifeboat::devcluster
