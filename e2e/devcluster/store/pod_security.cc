#include "e2e/devcluster/store/pod_security.h"

#include <algorithm>
#include <functional>
#include <set>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

json Field(const json& object, const char* key) {
  return object.is_object() && object.contains(key) ? object[key] : json();
}

// Every container of the Pod (init, regular, ephemeral), in the order the server lists them.
std::vector<json> Containers(const json& spec) {
  std::vector<json> out;
  for (const char* key : {"initContainers", "containers", "ephemeralContainers"}) {
    const json list = Field(spec, key);
    if (!list.is_array()) continue;
    for (const json& c : list) out.push_back(c);
  }
  return out;
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// `container "a"` or `containers "a", "b"`.
std::string Names(const std::vector<std::string>& names) {
  std::string out = names.size() == 1 ? "container " : "containers ";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + Quoted(names[i]);
  return out;
}

// Containers failing `bad`, by name.
std::vector<std::string> Failing(const std::vector<json>& containers, const std::function<bool(const json&)>& bad) {
  std::vector<std::string> names;
  for (const json& c : containers) {
    if (bad(c)) names.push_back(c.value("name", ""));
  }
  return names;
}

json SecurityContext(const json& object) { return Field(object, "securityContext"); }

bool IsTrue(const json& v) { return v.is_boolean() && v.get<bool>(); }
bool IsFalse(const json& v) { return v.is_boolean() && !v.get<bool>(); }

void Baseline(const json& spec, const std::vector<json>& containers, std::vector<std::string>& out) {
  std::vector<std::string> hosts;
  for (const char* key : {"hostNetwork", "hostPID", "hostIPC"}) {
    if (IsTrue(Field(spec, key))) hosts.push_back(std::string(key) + "=true");
  }
  if (!hosts.empty()) {
    std::string joined;
    for (size_t i = 0; i < hosts.size(); ++i) joined += (i ? ", " : "") + hosts[i];
    out.push_back("host namespaces (" + joined + ")");
  }
  auto privileged = Failing(containers, [](const json& c) { return IsTrue(Field(SecurityContext(c), "privileged")); });
  if (!privileged.empty()) {
    out.push_back("privileged (" + Names(privileged) + " must not set securityContext.privileged=true)");
  }
  static const std::set<std::string> kDefault = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
                                                 "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID",
                                                 "SYS_CHROOT"};
  for (const json& c : containers) {
    const json add = Field(Field(SecurityContext(c), "capabilities"), "add");
    if (!add.is_array()) continue;
    std::string extra;
    for (const json& cap : add) {
      if (cap.is_string() && !kDefault.count(cap.get<std::string>())) extra += (extra.empty() ? "" : ", ") + Quoted(cap.get<std::string>());
    }
    if (!extra.empty()) {
      out.push_back("non-default capabilities (container " + Quoted(c.value("name", "")) + " must not include " + extra +
                    " in securityContext.capabilities.add)");
    }
  }
  std::vector<std::string> host_paths;
  const json volumes = Field(spec, "volumes");
  if (volumes.is_array()) {
    for (const json& v : volumes) {
      if (v.contains("hostPath")) host_paths.push_back(v.value("name", ""));
    }
  }
  if (!host_paths.empty()) {
    std::string list;
    for (size_t i = 0; i < host_paths.size(); ++i) list += (i ? ", " : "") + Quoted(host_paths[i]);
    out.push_back(std::string("hostPath volumes (") + (host_paths.size() == 1 ? "volume " : "volumes ") + list + ")");
  }
  for (const json& c : containers) {
    const json ports = Field(c, "ports");
    if (!ports.is_array()) continue;
    for (const json& p : ports) {
      const json host_port = Field(p, "hostPort");
      if (host_port.is_number_integer() && host_port.get<long>() != 0) {
        out.push_back("hostPort (container " + Quoted(c.value("name", "")) + " uses hostPort " +
                      std::to_string(host_port.get<long>()) + ")");
      }
    }
  }
  if (Field(Field(SecurityContext(spec), "seccompProfile"), "type") == "Unconfined") {
    out.push_back("seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")");
  }
}

void Restricted(const json& spec, const std::vector<json>& containers, std::vector<std::string>& out) {
  static const std::set<std::string> kAllowedVolumes = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                                                        "persistentVolumeClaim", "projected", "secret"};
  const json volumes = Field(spec, "volumes");
  if (volumes.is_array()) {
    for (const json& v : volumes) {
      for (const auto& [key, value] : v.items()) {
        if (key == "name" || kAllowedVolumes.count(key)) continue;
        out.push_back("restricted volume types (volume " + Quoted(v.value("name", "")) + " uses restricted volume type " +
                      Quoted(key) + ")");
      }
    }
  }
  auto escalation = Failing(containers, [](const json& c) { return !IsFalse(Field(SecurityContext(c), "allowPrivilegeEscalation")); });
  if (!escalation.empty()) {
    out.push_back("allowPrivilegeEscalation != false (" + Names(escalation) +
                  " must set securityContext.allowPrivilegeEscalation=false)");
  }
  auto no_drop = Failing(containers, [](const json& c) {
    const json drop = Field(Field(SecurityContext(c), "capabilities"), "drop");
    return !drop.is_array() || std::find(drop.begin(), drop.end(), "ALL") == drop.end();
  });
  if (!no_drop.empty()) {
    out.push_back("unrestricted capabilities (" + Names(no_drop) + " must set securityContext.capabilities.drop=[\"ALL\"])");
  }
  for (const json& c : containers) {
    const json add = Field(Field(SecurityContext(c), "capabilities"), "add");
    if (!add.is_array()) continue;
    for (const json& cap : add) {
      if (cap != "NET_BIND_SERVICE") {
        out.push_back("unrestricted capabilities (container " + Quoted(c.value("name", "")) + " must not include " +
                      cap.dump() + " in securityContext.capabilities.add)");
      }
    }
  }
  const json pod_non_root = Field(SecurityContext(spec), "runAsNonRoot");
  auto explicit_false = Failing(containers, [](const json& c) { return IsFalse(Field(SecurityContext(c), "runAsNonRoot")); });
  auto unset = Failing(containers, [&](const json& c) { return !IsTrue(pod_non_root) && !IsTrue(Field(SecurityContext(c), "runAsNonRoot")) &&
                                                              !IsFalse(Field(SecurityContext(c), "runAsNonRoot")); });
  if (IsFalse(pod_non_root) || !explicit_false.empty() || !unset.empty()) {
    std::vector<std::string> parts;
    if (IsFalse(pod_non_root)) parts.push_back("pod must not set securityContext.runAsNonRoot=false");
    if (!explicit_false.empty()) parts.push_back(Names(explicit_false) + " must not set securityContext.runAsNonRoot=false");
    if (!unset.empty()) parts.push_back("pod or " + Names(unset) + " must set securityContext.runAsNonRoot=true");
    std::string joined;
    for (size_t i = 0; i < parts.size(); ++i) joined += (i ? "; " : "") + parts[i];
    out.push_back("runAsNonRoot != true (" + joined + ")");
  }
  const bool pod_root = Field(SecurityContext(spec), "runAsUser") == 0;
  auto root = Failing(containers, [](const json& c) { return Field(SecurityContext(c), "runAsUser") == 0; });
  if (pod_root || !root.empty()) {
    std::string who = pod_root ? "pod" : "";
    if (!root.empty()) who += (who.empty() ? "" : " and ") + Names(root);
    out.push_back("runAsUser=0 (" + who + " must not set runAsUser=0)");
  }
  auto allowed = [](const json& profile) {
    const json type = Field(profile, "type");
    return type == "RuntimeDefault" || type == "Localhost";
  };
  const bool pod_profile = allowed(Field(SecurityContext(spec), "seccompProfile"));
  auto no_profile = Failing(containers, [&](const json& c) {
    const json profile = Field(SecurityContext(c), "seccompProfile");
    return profile.is_null() ? !pod_profile : !allowed(profile);
  });
  if (!no_profile.empty()) {
    out.push_back("seccompProfile (pod or " + Names(no_profile) +
                  " must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
  }
}

}  // namespace

std::vector<std::string> PodSecurityViolations(const std::string& level, const json& pod) {
  std::vector<std::string> out;
  if (level != "baseline" && level != "restricted") return out;
  const json spec = Field(pod, "spec");
  const std::vector<json> containers = Containers(spec);
  Baseline(spec, containers, out);
  if (level == "restricted") Restricted(spec, containers, out);
  return out;
}

std::string PodSecurityDenial(const json& labels, const json& pod) {
  if (!labels.is_object() || !labels.contains(kPodSecurityEnforceLabel) || !labels[kPodSecurityEnforceLabel].is_string()) return "";
  const std::string level = labels[kPodSecurityEnforceLabel].get<std::string>();
  const std::string version = labels.contains(kPodSecurityEnforceVersionLabel) && labels[kPodSecurityEnforceVersionLabel].is_string()
                                  ? labels[kPodSecurityEnforceVersionLabel].get<std::string>()
                                  : "latest";
  const std::vector<std::string> violations = PodSecurityViolations(level, pod);
  if (violations.empty()) return "";
  std::string detail = "violates PodSecurity \"" + level + ":" + version + "\": ";
  for (size_t i = 0; i < violations.size(); ++i) detail += (i ? ", " : "") + violations[i];
  return detail;
}

}  // namespace lifeboat::devcluster
